/**
 * ONNX export by tracing: the network's forward pass runs on the `cpu` backend under a hook that records its kernels
 * (trace.ts), each kernel maps to ONNX nodes (ops/), and the graph is written with ONNX's schema (proto.ts).
 *
 * Layout: the model takes and returns channels-first tensors `[N, C, (D,) H, W]`, as a PyTorch user expects (the first
 * node transposes to the library's channels-last, the last back); `channelsLast: true` keeps `[N, (D,) H, W, C]`.
 * Inside, every layout-bound node (Conv, ConvTranspose, MaxPool, Resize) is wrapped in transposes to NC… and back;
 * ONNX Runtime's graph optimisations may fold the pairs between neighbours (correctness does not depend on it).
 *
 * Dynamic axes: the network is traced again with the batch, and each spatial axis, at another size; the graphs must
 * agree but for shape lists whose entries scale with the axes (Reshape targets, Tile repeats), which become −1 or are
 * computed from the input's shape at run time (`dynamicAxes`). The batch is dynamic unless fixed; spatial axes are
 * dynamic where the network allows (padded networks whose every shape scales), else fixed at the traced size.
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
  /** ONNX opset; 17, the only one written (ReduceMean/Max with `axes` attributes, Split and ReduceSum with inputs). */
  opset?: number;
  /**
   * Dynamic spatial axes: 'auto' (default) where the network allows (padded, more than one accepted size, every shape
   * a product of the axes: checked by tracing one stride up per axis), else fixed with the reason in the metadata
   * (`unet.fixed_size_reason`); true: refuse a network that does not allow it; false: fixed at `size`.
   */
  dynamicSize?: boolean | 'auto';
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

/** One axis of the model's input made dynamic: its name in the file, where it is in the input, and two traced sizes. */
interface DynamicAxis {
  name: string;
  /** Its index in the ONNX input (channels-first or channels-last). */
  at: number;
  base: number;
  other: number;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * Makes axes of the model's input dynamic. `a` is the graph traced at the base sizes, `variants[j]` the same network
 * traced with axis j at another size. The graphs must match node for node and constant for constant, but for
 * shape-like int64 lists (Reshape targets, Tile repeats): each of their entries must be a monomial (num/den)·∏ axes
 * (B·H/4, W, 2·C: what padded networks compute), found from how it scales with each axis. A Reshape target with one
 * such entry gets −1 there; any other list is computed at run time from the input's shape (Shape → Mul → Div →
 * Concat, at the head of the graph). Throws, changing nothing, naming the kernel and the axis where this fails.
 */
function dynamicAxes(a: Built, variants: Built[], axes: DynamicAxis[]): void {
  const where = (name: string) => a.nodes.find((n) => n.inputs.includes(name))?.from ?? '?';
  const fix = (j: number) => (axes[j].name === 'batch' ? 'export with a fixed batch size (--batch N)' : `the network's ${axes[j].name} does not scale (export keeps the size fixed)`);
  variants.forEach((b, j) => {
    const ax = axes[j];
    if (a.nodes.length !== b.nodes.length) throw new Error(`unet: error: ONNX export: the network runs ${a.nodes.length} ONNX nodes at ${ax.name} ${ax.base} but ${b.nodes.length} at ${ax.name} ${ax.other}; ${fix(j)}`);
    a.nodes.forEach((n, i) => {
      const m = b.nodes[i];
      if (JSON.stringify([n.op, n.inputs, n.outputs, n.attrs]) !== JSON.stringify([m.op, m.inputs, m.outputs, m.attrs])) {
        throw new Error(`unet: error: ONNX export: node ${i} (${n.op} from tfjs ${n.from}) changes with the ${ax.name}; ${fix(j)}`);
      }
    });
    if (a.initializers.length !== b.initializers.length) throw new Error(`unet: error: ONNX export: the constants change with the ${ax.name}; ${fix(j)}`);
  });
  const head: OnnxNode[] = [];
  const minusOne: [BigInt64Array, number][] = [];
  const computed = new Set<string>();
  const extra: Initializer[] = [];
  const dimName = new Map<number, string>();
  const constant = (v: number) => {
    const name = `k${a.initializers.length + extra.length}`;
    extra.push({ name, dtype: 'int64', dims: [1], data: BigInt64Array.of(BigInt(v)) });
    return name;
  };
  const dim = (j: number) => {
    let name = dimName.get(j);
    if (!name) {
      name = `${ONNX_INPUT}_${axes[j].name}`;
      head.push({ op: 'Shape', inputs: [ONNX_INPUT], outputs: [name], attrs: { start: axes[j].at, end: axes[j].at + 1 }, from: axes[j].name });
      dimName.set(j, name);
    }
    return name;
  };
  a.initializers.forEach((t, i) => {
    const us = variants.map((v) => v.initializers[i]);
    const same = (u: Initializer) => t.name === u.name && t.dtype === u.dtype && JSON.stringify(t.dims) === JSON.stringify(u.dims) && sameData(t.data, u.data);
    if (us.every(same)) return;
    const j0 = us.findIndex((u) => !same(u));
    if (!t.shapeLike || us.some((u) => t.name !== u.name || t.dims[0] !== u.dims[0])) {
      throw new Error(`unet: error: ONNX export: constant ${t.name} of tfjs ${where(t.name)} changes with the ${axes[j0].name} (shape [${t.dims}] vs [${us[j0].dims}]); ${fix(j0)}`);
    }
    const v0 = [...(t.data as BigInt64Array)].map(Number);
    // Per entry: the exponent of each axis (0 or 1) and the coefficient num/den.
    const terms = v0.map((v, k) => {
      const exps = us.map((u, j) => {
        const vj = Number((u.data as BigInt64Array)[k]);
        if (vj === v) return 0;
        if (vj * axes[j].base === v * axes[j].other) return 1;
        throw new Error(`unet: error: ONNX export: ${where(t.name)}'s shape list [${v0}] does not scale with the ${axes[j].name} (entry ${k}: ${v} at ${axes[j].base}, ${vj} at ${axes[j].other}); ${fix(j)}`);
      });
      const p = exps.reduce((acc: number, e, j) => acc * (e ? axes[j].base : 1), 1);
      const g = gcd(v, p);
      return { exps, num: v / g, den: p / g, value: v };
    });
    const varying = terms.filter((e) => e.exps.some((x) => x !== 0)).length;
    if (t.shapeLike === 'reshape' && varying === 1) {
      minusOne.push([t.data as BigInt64Array, terms.findIndex((e) => e.exps.some((x) => x !== 0))]);
      return;
    }
    const from = `shape of ${where(t.name)}`;
    const parts = terms.map((e, k) => {
      if (e.exps.every((x) => x === 0)) return constant(e.value);
      let out = '';
      e.exps.forEach((x, j) => {
        if (!x) return;
        if (!out) out = dim(j);
        else head.push({ op: 'Mul', inputs: [out, dim(j)], outputs: [(out = `${t.name}_${k}_${j}`)], attrs: {}, from });
      });
      if (e.num !== 1) head.push({ op: 'Mul', inputs: [out, constant(e.num)], outputs: [(out = `${t.name}_${k}_num`)], attrs: {}, from });
      if (e.den !== 1) head.push({ op: 'Div', inputs: [out, constant(e.den)], outputs: [(out = `${t.name}_${k}_den`)], attrs: {}, from });
      return out;
    });
    head.push({ op: 'Concat', inputs: parts, outputs: [t.name], attrs: { axis: 0 }, from });
    computed.add(t.name);
  });
  for (const [data, k] of minusOne) data[k] = -1n;
  a.nodes.unshift(...head);
  a.initializers = [...a.initializers.filter((t) => !computed.has(t.name)), ...extra];
}

/** The smallest size ≤ `size` on the `step` grid the network takes: per axis 2, 4, 8 … steps (capped at `size`). */
function smallestSize(geo: SegmentationNet['geometry'], size: readonly number[], step: number): number[] {
  for (let k = 2; ; k *= 2) {
    const at = size.map((s) => Math.min(s, k * step));
    try {
      geo.output(at);
      return at;
    } catch {
      if (at.every((s, i) => s === size[i])) return [...size];
    }
  }
}

/** The network as an ONNX model (opset 17): the bytes of a `.onnx` file. */
export function exportOnnx(net: SegmentationNet, options: OnnxExportOptions): Uint8Array {
  const opset = options.opset ?? ONNX_OPSET;
  if (opset !== ONNX_OPSET) throw new Error(`unet: error: --opset ${opset}: the exporter writes opset ${ONNX_OPSET} only`);
  const geo = net.geometry;
  const size = [...options.size];
  const dims = geo.spatialDims;
  if (size.length !== dims) throw new Error(`unet: error: export size [${size}] has ${size.length} axes; this ${dims}-D network needs ${dims}`);
  const outSize = geo.output(size); // throws naming the rule a size breaks
  const batch = options.batch;
  if (batch !== undefined && !(Number.isInteger(batch) && batch >= 1)) throw new Error(`unet: error: --batch ${batch}: the batch size must be an integer ≥ 1`);
  const channelsLast = options.channelsLast ?? false;
  const traceAt = (b: number, s: number[]) => build(traceForward(net, [b, ...s, geo.inChannels]), channelsLast);
  // Batch 2 and 3, not 1: a path taken at batch 1 only (InstanceNorm's reshape shortcut) would fix the graph to it.
  const b0 = batch ?? 2;
  const spatialNames = dims === 2 ? ['height', 'width'] : ['depth', 'height', 'width'];
  const spatialAt = (i: number) => (channelsLast ? 1 + i : 2 + i);
  const batchAxis: DynamicAxis[] = batch === undefined ? [{ name: 'batch', at: 0, base: 2, other: 3 }] : [];
  const sizeMode = options.dynamicSize ?? 'auto';
  // The step between sizes the graph takes: the network's stride, or for a network that pads any size to its own grid
  // inside (U-Net++: stride 1) the largest power of two (≤ 32) dividing every traced size, so that no pad is traced.
  const step = geo.stride > 1 ? geo.stride : Math.min(32, ...size.map((s) => s & -s));
  const tryDynamic = sizeMode !== false && geo.padding === 'same' && !geo.fixed;
  if (sizeMode === true && !tryDynamic) throw new Error(`unet: error: ONNX export: a dynamic size needs a padded network that takes more than one size (this one: padding ${geo.padding}${geo.fixed ? `, one size [${geo.fixed}]` : ''})`);
  const traceSet = (at: number[], axes: DynamicAxis[]) => {
    const main = traceAt(b0, at);
    const variants = axes.map((ax) => traceAt(ax.name === 'batch' ? 3 : b0, at.map((s, i) => (spatialNames[i] === ax.name ? ax.other : s))));
    dynamicAxes(main, variants, axes);
    return main;
  };
  let main: Built | undefined;
  let fixedReason = tryDynamic ? '' : geo.fixed ? `the network takes one size [${geo.fixed}]` : geo.padding === 'valid' ? 'valid padding' : 'fixed by request';
  if (tryDynamic) {
    // A graph that takes every size is the same at any size: traced at the smallest the network takes (two steps per
    // axis where it can, never above `size`), each axis then once more one step up — 5 small forward passes, not 5 at
    // the window's size.
    const small = smallestSize(geo, size, step);
    const spatialAxes = small.map((s, i) => ({ name: spatialNames[i], at: spatialAt(i), base: s, other: s + step }));
    try {
      main = traceSet(small, [...batchAxis, ...spatialAxes]);
    } catch (e) {
      if (sizeMode === true) throw e;
      fixedReason = (e as Error).message.replace(/^unet: error: ONNX export: /, '');
    }
  }
  const dynamicSpatial = main !== undefined;
  main ??= traceSet(size, batchAxis);
  const n: number | string = batch ?? 'batch';
  const spatial = (s: number[]) => (dynamicSpatial ? spatialNames.slice() : s);
  const layout = (c: number, s: (number | string)[]) => (channelsLast ? [n, ...s, c] : [n, c, ...s]);
  return encodeModel({
    irVersion: IR_VERSION,
    opset,
    producerVersion: options.producerVersion ?? '',
    graphName: `${net.spec.arch}`,
    docString: `${net.spec.arch} exported by unet-ts: ${channelsLast ? 'channels-last [N, (D,) H, W, C]' : 'channels-first [N, C, (D,) H, W]'} logits; `
      + (dynamicSpatial ? `spatial sizes that are multiples of ${step}` : `spatial size [${size}] (fixed: ${fixedReason})`),
    nodes: main.nodes,
    initializers: main.initializers,
    inputs: [{ name: ONNX_INPUT, dims: layout(geo.inChannels, spatial(size)) }],
    outputs: [{ name: ONNX_OUTPUT, dims: layout(geo.classes, spatial(outSize)) }],
    metadata: { ...(options.metadata ?? {}), 'unet.dynamic_size': dynamicSpatial ? 'true' : 'false', ...(dynamicSpatial ? { 'unet.size_multiple': String(step) } : { 'unet.fixed_size_reason': fixedReason }) },
  });
}
