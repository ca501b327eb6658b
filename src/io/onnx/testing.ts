/**
 * Test helpers for the ONNX export: seeded perturbation of a network's state (so that BatchNorm's running statistics,
 * zero-initialised biases and position embeddings are not the identity), and a run of an exported model on
 * onnxruntime-web compared with the network's own forward pass.
 */
import * as ort from 'onnxruntime-web';
import { tf, type Tensor } from '../../core/tf.js';
import { Rng } from '../../core/rng.js';
import type { NetSpec, SegmentationNet, TrainableNet } from '../../models/types.js';
import { architectures, presets, presetSpec } from '../../models/registry.js';

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

/** Moves every float parameter and buffer of `net` by a seeded amount (running variances stay positive). */
export function perturb(net: TrainableNet, seed: number): void {
  const rng = new Rng(seed);
  for (const [name, v] of net.stateEntries()) {
    if (v.dtype !== 'float32') continue;
    const d = v.dataSync().slice() as Float32Array;
    for (let i = 0; i < d.length; i++) {
      if (name.endsWith('running_var')) d[i] = rng.uniform(0.5, 1.5);
      else if (name.endsWith('running_mean')) d[i] = rng.uniform(-0.3, 0.3);
      else d[i] += rng.uniform(-0.1, 0.1);
    }
    tf.tidy(() => v.assign(tf.tensor(d, v.shape)));
  }
}

/** A seeded input [B, ...S, C] (channels-last). */
export function seededInput(shape: readonly number[], seed: number): Tensor {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => rng.normal()), [...shape]);
}

/** channels-last → channels-first (NHWC → NCHW, NDHWC → NCDHW). */
export function channelsFirst(x: Tensor): Tensor {
  return tf.transpose(x, [0, x.rank - 1, ...Array.from({ length: x.rank - 2 }, (_, i) => i + 1)]);
}

export const session = (bytes: Uint8Array): Promise<ort.InferenceSession> => ort.InferenceSession.create(bytes);

/** Runs the session on `x` (channels-last; transposed unless `channelsLast`) and returns its `logits` and their dims. */
export async function runOrt(s: ort.InferenceSession, x: Tensor, channelsLast = false): Promise<{ data: Float32Array; dims: number[] }> {
  const input = channelsLast ? x.clone() : channelsFirst(x);
  const feed = new ort.Tensor('float32', input.dataSync() as Float32Array, input.shape);
  input.dispose();
  const out = (await s.run({ input: feed })).logits;
  return { data: out.data as Float32Array, dims: [...out.dims].map(Number) };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

/**
 * Every preset of every architecture at the architecture's tiny widths (its `tiny` options on top of the preset, the
 * preset's dimensionality kept), each at two spatial sizes where the network takes more than one (the fixed-size
 * transformers: their one size), exported with a dynamic batch and run by onnxruntime-web at batch 2 and 3.
 */
const SMALL: Record<string, (p: Record<string, unknown>) => Record<string, unknown>> = {
  unet: (p) => ({ base: p.spatialDims === 3 ? 2 : 4, depth: 2 }),
  'attention-unet': () => ({ ...architectures.get('attention-unet').tiny, dropout: 0 }),
  unetpp: () => ({ ...architectures.get('unetpp').tiny, dropout: 0 }),
  nnunet: () => ({ ...architectures.get('nnunet').tiny }),
  unetr: (p) => (p.spatialDims === 2
    ? { ...architectures.get('unetr').tiny }
    : { ...architectures.get('unetr').tiny, spatialDims: 3, imgSize: [16, 16, 16] }),
  transunet: () => ({ ...architectures.get('transunet').tiny }),
};

/** Two input sizes the network accepts near `targets` (one for fixed-size networks). */
function sizesFor(net: SegmentationNet, targets: number[][]): number[][] {
  const g = net.geometry;
  if (g.fixed) return [[...g.fixed]];
  return targets.map((t) => t.map((s, axis) => {
    const { below, above } = g.nearest(s, axis);
    return g.axis(s, axis).error ? (above ?? below)! : s;
  }));
}

const targets = (dims: number, padding: string, arch: string): number[][] => {
  if (arch === 'unetpp') return dims === 2 ? [[32, 32], [32, 48]] : [[32, 16, 16], [32, 16, 24]];
  if (padding === 'valid') return dims === 2 ? [[44, 44], [60, 52]] : [[44, 44, 44], [44, 52, 60]];
  return dims === 2 ? [[16, 16], [24, 32]] : [[8, 8, 8], [8, 12, 16]];
};

/** [preset name, its spec at tiny widths] for every preset of every architecture. */
export function exportCases(): [string, NetSpec][] {
  return presets.names().map((name) => [name, presetSpec(name, SMALL[presets.get(name).arch]({ ...presetSpec(name).options }))]);
}

/** The sizes a test exports `net` at: two near the architecture's targets, or the network's one size. */
export function exportSizes(net: SegmentationNet & { spec: NetSpec }): number[][] {
  return sizesFor(net, targets(net.geometry.spatialDims, net.geometry.padding, net.spec.arch));
}

