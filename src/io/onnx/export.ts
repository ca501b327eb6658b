/**
 * ONNX export by tracing: the network's forward pass runs on the `cpu` backend under a hook that records its kernels
 * (trace.ts), each kernel maps to ONNX nodes (ops/), and the graph is written with ONNX's schema (proto.ts).
 *
 * Layout: the model takes and returns channels-first tensors `[N, C, (D,) H, W]`, as a PyTorch user expects (the first
 * node transposes to the library's channels-last, the last back); `channelsLast: true` keeps `[N, (D,) H, W, C]`.
 * Inside, every layout-bound node (Conv, ConvTranspose, MaxPool, Resize) is wrapped in transposes to NC… and back,
 * which ONNX Runtime's transpose optimiser cancels between neighbours.
 *
 * Batch: dynamic by default. The network is traced at two batch sizes; the two graphs must agree but for the batch
 * axis of Reshape targets, which becomes −1 (any other difference names the kernel that fixes the batch). Spatial
 * axes are fixed at the traced size (the run's patch or window: what `unet predict` slides over the image).
 */
import type { SegmentationNet } from '../../models/types.js';
import { GraphBuilder, toChannelsFirst, toChannelsLast, type Initializer, type OnnxNode } from './graph.js';
import { mappers } from './ops/index.js';
import { encodeModel } from './proto.js';
import { traceForward, type Trace } from './trace.js';

export const ONNX_OPSET = 17;
/** IR version 8 goes with opset 17 (ONNX 1.12). */
const IR_VERSION = 8;

export interface OnnxExportOptions {
  /** Spatial input size ([H, W] or [D, H, W]) the graph is traced at; the network's accepted sizes only. */
  size: readonly number[];
  /** A fixed batch size; default: a dynamic batch axis (`batch`). */
  batch?: number;
  /** Keep tfjs's channels-last layout at the model's input and output. Default false (channels-first). */
  channelsLast?: boolean;
  /** ONNX opset; 17 (the only one written today: LayerNormalization-era nodes, ReduceMean with `axes` attributes). */
  opset?: number;
  /** String pairs for the model's `metadata_props` (preprocessing, classes, …). */
  metadata?: Record<string, string>;
  /** unet-ts's version, for `producer_version`. */
  producerVersion?: string;
}

export const ONNX_INPUT = 'input';
export const ONNX_OUTPUT = 'logits';

interface Built {
  nodes: OnnxNode[];
  initializers: Initializer[];
  trace: Trace;
}

function build(trace: Trace, channelsLast: boolean): Built {
  const g = new GraphBuilder();
  const rank = trace.input.shape.length;
  g.current = 'input';
  if (channelsLast) g.bind(trace.input, ONNX_INPUT);
  else g.transpose(ONNX_INPUT, toChannelsLast(rank), g.name(trace.input));
  const missing = [...new Set(trace.nodes.map((n) => n.kernel).filter((k) => !mappers[k]))];
  if (missing.length) throw new Error(`unet: error: ONNX export: no ONNX mapping for the tfjs kernel(s) ${missing.join(', ')} (mapped: ${Object.keys(mappers).sort().join(', ')})`);
  for (const n of trace.nodes) {
    g.current = n.kernel;
    mappers[n.kernel](g, n);
  }
  g.current = 'output';
  const out = g.name(trace.output);
  if (channelsLast) g.node('Identity', [out], {}, [ONNX_OUTPUT]);
  else g.transpose(out, toChannelsFirst(trace.output.shape.length), ONNX_OUTPUT);
  const used = new Set(g.nodes.flatMap((n) => n.inputs));
  return { nodes: g.nodes, initializers: g.initializers.filter((i) => used.has(i.name)), trace };
}

const sameData = (a: Initializer['data'], b: Initializer['data']) => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Makes the batch axis of `a` (traced at batch 2) dynamic by comparison with `b` (the same network at batch 3): the
 * graphs must match node for node and constant for constant, but for shape-like int64 lists (Reshape targets, Tile
 * repeats), whose entries may be k·batch. A Reshape target with one such entry gets −1 there; any other list is
 * computed at run time from the input's batch size (Shape → Gather → Mul → Concat, at the head of the graph).
 */
function dynamicBatch(a: Built, b: Built): void {
  const where = (name: string) => a.nodes.find((n) => n.inputs.includes(name))?.from ?? '?';
  const fix = 'export with a fixed batch size (--batch N)';
  const [ba, bb] = [a.trace.input.shape[0], b.trace.input.shape[0]];
  if (a.nodes.length !== b.nodes.length) throw new Error(`unet: error: ONNX export: the network runs ${a.nodes.length} ONNX nodes at batch ${ba} but ${b.nodes.length} at batch ${bb}; ${fix}`);
  a.nodes.forEach((n, i) => {
    const m = b.nodes[i];
    if (JSON.stringify([n.op, n.inputs, n.outputs, n.attrs]) !== JSON.stringify([m.op, m.inputs, m.outputs, m.attrs])) {
      throw new Error(`unet: error: ONNX export: node ${i} (${n.op} from tfjs ${n.from}) changes with the batch size; ${fix}`);
    }
  });
  if (a.initializers.length !== b.initializers.length) throw new Error(`unet: error: ONNX export: the constants change with the batch size; ${fix}`);
  const head: OnnxNode[] = [];
  let batch: string | undefined; // the input's batch size as an int64 [1]
  const computed = new Set<string>();
  a.initializers.forEach((t, i) => {
    const u = b.initializers[i];
    if (t.name === u.name && t.dtype === u.dtype && JSON.stringify(t.dims) === JSON.stringify(u.dims) && sameData(t.data, u.data)) return;
    if (!t.shapeLike || t.name !== u.name || t.dims[0] !== u.dims[0]) {
      throw new Error(`unet: error: ONNX export: constant ${t.name} of tfjs ${where(t.name)} changes with the batch size (shape [${t.dims}] vs [${u.dims}]); ${fix}`);
    }
    const va = [...(t.data as BigInt64Array)].map(Number), vb = [...(u.data as BigInt64Array)].map(Number);
    // Per entry: 0 when it does not change, else k with entry = k·batch.
    const factor = va.map((v, k) => {
      if (v === vb[k]) return 0;
      const f = v / ba;
      if (!Number.isInteger(f) || f * bb !== vb[k]) throw new Error(`unet: error: ONNX export: ${where(t.name)}'s shape list [${va}] at batch ${ba} is [${vb}] at batch ${bb}, not a multiple of the batch; ${fix}`);
      return f;
    });
    if (t.shapeLike === 'reshape' && factor.filter((f) => f !== 0).length === 1) {
      (t.data as BigInt64Array)[factor.findIndex((f) => f !== 0)] = -1n;
      return;
    }
    const from = `batch of ${where(t.name)}`;
    if (!batch) {
      const shape = `${ONNX_INPUT}_shape`;
      head.push({ op: 'Shape', inputs: [ONNX_INPUT], outputs: [shape], attrs: { start: 0, end: 1 }, from: 'batch' });
      batch = shape;
    }
    const parts = va.map((v, k) => {
      if (factor[k] === 0) return constInt64(a, [v]);
      if (factor[k] === 1) return batch!;
      const out = `${t.name}_${k}`;
      head.push({ op: 'Mul', inputs: [batch!, constInt64(a, [factor[k]])], outputs: [out], attrs: {}, from });
      return out;
    });
    head.push({ op: 'Concat', inputs: parts, outputs: [t.name], attrs: { axis: 0 }, from });
    computed.add(t.name);
  });
  a.nodes.unshift(...head);
  a.initializers = a.initializers.filter((t) => !computed.has(t.name));
}

function constInt64(built: Built, values: number[]): string {
  const name = `k${built.initializers.length}`;
  built.initializers.push({ name, dtype: 'int64', dims: [values.length], data: BigInt64Array.from(values.map(BigInt)) });
  return name;
}

/** The network as an ONNX model (opset 17): the bytes of a `.onnx` file. */
export function exportOnnx(net: SegmentationNet, options: OnnxExportOptions): Uint8Array {
  const opset = options.opset ?? ONNX_OPSET;
  if (opset !== ONNX_OPSET) throw new Error(`unet: error: --opset ${opset}: the exporter writes opset ${ONNX_OPSET} only`);
  const geo = net.geometry;
  const size = [...options.size];
  if (size.length !== geo.spatialDims) throw new Error(`unet: error: export size [${size}] has ${size.length} axes; this ${geo.spatialDims}-D network needs ${geo.spatialDims}`);
  const outSize = geo.output(size); // throws naming the rule a size breaks
  const batch = options.batch;
  if (batch !== undefined && !(Number.isInteger(batch) && batch >= 1)) throw new Error(`unet: error: --batch ${batch}: the batch size must be an integer ≥ 1`);
  const channelsLast = options.channelsLast ?? false;
  const traceAt = (b: number) => build(traceForward(net, [b, ...size, geo.inChannels]), channelsLast);
  // Batch 2 and 3, not 1: a path taken at batch 1 only (InstanceNorm's reshape shortcut) would fix the graph to it.
  const main = traceAt(batch ?? 2);
  if (batch === undefined) dynamicBatch(main, traceAt(3));
  const n: number | string = batch ?? 'batch';
  const layout = (c: number, s: number[]) => (channelsLast ? [n, ...s, c] : [n, c, ...s]);
  return encodeModel({
    irVersion: IR_VERSION,
    opset,
    producerVersion: options.producerVersion ?? '',
    graphName: `${net.spec.arch}`,
    docString: `${net.spec.arch} exported by unet-ts: ${channelsLast ? 'channels-last [N, (D,) H, W, C]' : 'channels-first [N, C, (D,) H, W]'} logits for input of spatial size [${size}]`,
    nodes: main.nodes,
    initializers: main.initializers,
    inputs: [{ name: ONNX_INPUT, dims: layout(geo.inChannels, size) }],
    outputs: [{ name: ONNX_OUTPUT, dims: layout(geo.classes, outSize) }],
    metadata: options.metadata ?? {},
  });
}
