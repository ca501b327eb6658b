/**
 * Cross-entropy losses on logits, numerically stable.
 *
 * Binary (K = 1): ℓ = softplus(x) − x·t = max(x, 0) − x·t + log(1 + e^−|x|) (PyTorch's BCEWithLogits).
 * Multiclass: ℓ = −log_softmax(x)[t] = logsumexp(x) − x_t (PyTorch's CrossEntropyLoss).
 * Reduction: the mean over every voxel of the batch; with a voxel weight map w and/or per-class weights c it is the
 * weighted mean Σ v·ℓ / Σ v with v = w · c[t] (PyTorch's convention for class weights; w = 0 marks unlabelled voxels,
 * which drop out of numerator and denominator). Binary class weights are [c_background, c_foreground].
 */
import { tf, type Tensor } from '../core/tf.js';
import type { Scalar } from '@tensorflow/tfjs-core';
import type { LossInputs, LossOptions } from './types.js';
import { flatten, type Flat } from './prepare.js';

/** Per-voxel loss [N] (inside tidy). */
function voxelLoss(f: Flat): Tensor {
  if (f.mode === 'binary') {
    const x = tf.reshape(f.logits, [-1]);
    return tf.sub(tf.softplus(x), tf.mul(x, f.target));
  }
  const onehot = tf.oneHot(tf.cast(f.target, 'int32'), f.k, 1, 0, 'float32');
  return tf.neg(tf.sum(tf.mul(tf.logSoftmax(f.logits), onehot), 1));
}

/** Per-voxel weights v = w · c[t] [N], or undefined when neither is given (inside tidy). */
function voxelWeights(f: Flat, options: LossOptions | undefined, loss: string): Tensor | undefined {
  const cw = options?.classWeights;
  let v = f.weights;
  if (cw) {
    const n = f.mode === 'binary' ? 2 : f.k;
    if (cw.length !== n) throw new Error(`${loss}: classWeights has ${cw.length} entries; it must have ${n} (one per class${f.mode === 'binary' ? ': background, foreground' : ''})`);
    cw.forEach((c, i) => { if (!(c >= 0)) throw new Error(`${loss}: classWeights[${i}] = ${c} must be ≥ 0`); });
    const perVoxel = tf.gather(tf.tensor1d(cw), tf.clipByValue(tf.cast(f.target, 'int32'), 0, n - 1));
    v = v ? tf.mul(v, perVoxel) : perVoxel;
  }
  return v;
}

function reduce(l: Tensor, v: Tensor | undefined): Scalar {
  if (!v) return tf.mean(l) as Scalar;
  // max(Σv, tiny): a batch with no labelled voxel gives 0, not NaN.
  return tf.div(tf.sum(tf.mul(l, v)), tf.maximum(tf.sum(v), 1e-12)) as Scalar;
}

/** Binary cross-entropy with logits (K = 1), mean over voxels or weighted mean Σ v·ℓ / Σ v. */
export function bceLoss(inputs: LossInputs, options?: LossOptions): Scalar {
  return tf.tidy(() => {
    const f = flatten(inputs, { ...options, mode: options?.mode ?? 'binary' }, 'bce');
    return reduce(voxelLoss(f), voxelWeights(f, options, 'bce'));
  });
}

/** Cross-entropy: softmax CE for K ≥ 2, BCE-with-logits for K = 1; honours weights and classWeights when given. */
export function crossEntropyLoss(inputs: LossInputs, options?: LossOptions): Scalar {
  return tf.tidy(() => {
    const f = flatten(inputs, options, 'ce');
    return reduce(voxelLoss(f), voxelWeights(f, options, 'ce'));
  });
}

/** Weighted cross-entropy: as crossEntropyLoss, but requires a voxel weight map or per-class weights. */
export function weightedCrossEntropyLoss(inputs: LossInputs, options?: LossOptions): Scalar {
  if (!inputs.weights && !options?.classWeights) {
    throw new Error(`weighted-ce: needs inputs.weights (a voxel weight map) or options.classWeights; neither was given`);
  }
  return tf.tidy(() => {
    const f = flatten(inputs, options, 'weighted-ce');
    return reduce(voxelLoss(f), voxelWeights(f, options, 'weighted-ce'));
  });
}
