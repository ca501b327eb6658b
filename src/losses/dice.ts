/**
 * Soft Dice, Tversky and focal Tversky losses.
 *
 * Sums run over the whole batch and every voxel (not per image). Binary: p = sigmoid(logits[..., 0]), t = target.
 * Multiclass: p = softmax over K, t = one-hot(target); the loss is the mean over `diceClasses` (default every class
 * but 0) of the per-class loss. With a weight map every sum is weighted (Σ w·p·t, Σ w·p, Σ w·t), so voxels of
 * weight 0 (unlabelled) never contribute.
 *   dice = (2·Σ p·t + ε) / (Σ p + Σ t + ε),            loss = 1 − dice
 *   TI   = (Σ p·t + ε) / (Σ p·t + α·Σ p·(1−t) + β·Σ (1−p)·t + ε),   tversky = 1 − TI,  focal = (1 − TI)^γ
 */
import { tf, type Tensor } from '../core/tf.js';
import type { Scalar } from '@tensorflow/tfjs-core';
import type { LossInputs, LossOptions } from './types.js';
import { diceClassList, flatten, type Flat } from './prepare.js';

interface Sums {
  /** Per Dice class, [C]: Σ w·p·t, Σ w·p, Σ w·t. */
  tp: Tensor;
  sp: Tensor;
  st: Tensor;
}

/**
 * Weighted per-class sums over the selected classes (inside tidy). Multiclass sums run over all K columns first and
 * the Dice classes are picked from the [K] sums: picking columns of the [N, K] maps would cost a full-size gather or
 * pad in the backward pass.
 */
function classSums(f: Flat, classes: number[]): Sums {
  let p: Tensor, t: Tensor;
  if (f.mode === 'binary') {
    p = tf.sigmoid(f.logits); // [N, 1]
    t = tf.reshape(f.target, [-1, 1]);
  } else {
    p = tf.softmax(f.logits); // [N, K]
    t = tf.oneHot(tf.cast(f.target, 'int32'), f.k, 1, 0, 'float32'); // [N, K]
  }
  const w = f.weights ? tf.reshape(f.weights, [-1, 1]) : undefined;
  const pw = w ? tf.mul(p, w) : p;
  const sums = { tp: tf.sum(tf.mul(pw, t), 0), sp: tf.sum(pw, 0), st: tf.sum(w ? tf.mul(t, w) : t, 0) }; // [K] each
  if (f.mode === 'binary') return sums;
  return { tp: pick(sums.tp, classes), sp: pick(sums.sp, classes), st: pick(sums.st, classes) };
}

/** Soft Dice loss: mean over Dice classes of 1 − (2Σpt + ε)/(Σp + Σt + ε), summed over the whole batch. */
export function diceLoss(inputs: LossInputs, options?: LossOptions): Scalar {
  return tf.tidy(() => {
    const f = flatten(inputs, options, 'dice');
    const eps = options?.eps ?? 1;
    const { tp, sp, st } = classSums(f, diceClassList(f, options, 'dice'));
    const dice = tf.div(tf.add(tf.mul(tp, 2), eps), tf.add(tf.add(sp, st), eps));
    return tf.mean(tf.sub(1, dice)) as Scalar;
  });
}

/** Per-class Tversky index [C] (inside tidy). */
function tverskyIndex(inputs: LossInputs, options: LossOptions | undefined, loss: string): Tensor {
  const f = flatten(inputs, options, loss);
  const eps = options?.eps ?? 1;
  const alpha = options?.alpha ?? 0.3;
  const beta = options?.beta ?? 0.7;
  if (!(alpha >= 0) || !(beta >= 0)) throw new Error(`${loss}: alpha ${alpha} and beta ${beta} must be ≥ 0`);
  const { tp, sp, st } = classSums(f, diceClassList(f, options, loss));
  const fp = tf.sub(sp, tp); // Σ p·(1−t)
  const fn = tf.sub(st, tp); // Σ (1−p)·t
  const den = tf.add(tf.add(tf.add(tp, tf.mul(fp, alpha)), tf.mul(fn, beta)), eps);
  return tf.div(tf.add(tp, eps), den);
}

/** Tversky loss: mean over Dice classes of 1 − TI (α weights false positives, β false negatives). */
export function tverskyLoss(inputs: LossInputs, options?: LossOptions): Scalar {
  return tf.tidy(() => tf.mean(tf.sub(1, tverskyIndex(inputs, options, 'tversky'))) as Scalar);
}

/** Focal Tversky loss: mean over Dice classes of (1 − TI)^γ, γ default 0.75. */
export function focalTverskyLoss(inputs: LossInputs, options?: LossOptions): Scalar {
  const gamma = options?.gamma ?? 0.75;
  if (!(gamma > 0)) throw new Error(`focal-tversky: gamma ${gamma} must be > 0`);
  return tf.tidy(() => {
    // Clamped to ≥ 1e-7 so that γ < 1 keeps a finite gradient at a perfect prediction. Written as relu(x − c) + c,
    // not maximum(x, c): Maximum's gradient casts bool → float32, which the onednn backend rejects.
    const oneMinus = tf.add(tf.relu(tf.sub(tf.sub(1, tverskyIndex(inputs, options, 'focal-tversky')), 1e-7)), 1e-7);
    return tf.mean(tf.pow(oneMinus, gamma)) as Scalar;
  });
}

/** Entries `idx` of a per-class [K] vector: one slice when they are consecutive, else a gather. */
function pick(v: Tensor, idx: number[]): Tensor {
  const consecutive = idx.every((c, i) => i === 0 || c === idx[i - 1] + 1);
  return consecutive ? tf.slice(v, [idx[0]], [idx.length]) : tf.gather(v, idx);
}
