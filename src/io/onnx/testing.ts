/**
 * Test helpers for the ONNX export: seeded perturbation of a network's state (so that BatchNorm's running statistics,
 * zero-initialised biases and position embeddings are not the identity), and a run of an exported model on
 * onnxruntime-web compared with the network's own forward pass.
 */
import * as ort from 'onnxruntime-web';
import { tf, type Tensor } from '../../core/tf.js';
import { Rng } from '../../core/rng.js';
import type { TrainableNet } from '../../models/types.js';

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
