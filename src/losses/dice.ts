/**
 * Soft Dice, Tversky and focal Tversky losses.
 *
 * Sums run over the whole batch and every voxel (not per image). Binary: p = sigmoid(logits[..., 0]), t = target.
 * Multiclass: p = softmax over K, t = one-hot(target); the loss is the mean over `diceClasses` (default every class
 * but 0) of the per-class loss. With a weight map every sum is weighted (Σ w·p·t, Σ w·p, Σ w·t), so voxels of
 * weight 0 (unlabelled) never contribute.
 *   dice = (2·Σ p·t + ε) / (Σ p + Σ t + ε),            loss = 1 − dice
 *   TI   = (Σ p·t + ε) / (Σ p·t + α·Σ p·(1−t) + β·Σ (1−p)·t + ε),   tversky = 1 − TI,  focal = (1 − TI)^γ
 *
 * MONAI's DiceLoss options, by their MONAI names (LossOptions documents each): `batch: false` sums per sample and
 * averages the [B, C] terms (MONAI's default; ours is true, the sums over the whole batch); `smoothNr` / `smoothDr`
 * (default ε here, 1e-5 in MONAI); `squaredPred` (Σp², Σt²); `jaccard` (denominator 2·(Σp + Σt − Σpt));
 * `activation` 'sigmoid' / 'softmax' / 'none' / a function (`other_act`); `includeBackground`; `reduction`
 * 'mean' | 'sum'; mode 'multilabel' (sigmoid per channel on a multi-hot target):
 *   dice loss = 1 − (2·Σpt + smoothNr) / (den + smoothDr),  den = Σp + Σt (or Σp² + Σt²; jaccard: 2·(den − Σpt))
 */
import { tf, type Tensor } from '../core/tf.js';
import type { Scalar } from '@tensorflow/tfjs-core';
import type { DiceActivation, LossInputs, LossOptions } from './types.js';
import { diceClassList, flatten, type Flat } from './prepare.js';

interface Sums {
  /** Per Dice class, [C] (batch) or [B, C] (per sample): Σ w·p·t, Σ w·p (Σ w·p² squared), Σ w·t (Σ w·t²). */
  tp: Tensor;
  sp: Tensor;
  st: Tensor;
}

function activate(f: Flat, act: DiceActivation | undefined, loss: string): Tensor {
  const a = act ?? (f.mode === 'multiclass' ? 'softmax' : 'sigmoid');
  if (typeof a === 'function') {
    const p = a(f.logits);
    if (p.shape.join() !== f.logits.shape.join()) throw new Error(`${loss}: the activation returned [${p.shape}] for logits [${f.logits.shape}]; it must keep the shape`);
    return p;
  }
  if (a === 'sigmoid') return tf.sigmoid(f.logits);
  if (a === 'softmax') return tf.softmax(f.logits);
  if (a === 'none') return f.logits;
  throw new Error(`${loss}: activation '${a as string}' must be sigmoid, softmax, none or a function`);
}

/**
 * Weighted per-class sums over the selected classes (inside tidy). Multiclass sums run over all K columns first and
 * the Dice classes are picked from the [K] sums: picking columns of the [N, K] maps would cost a full-size gather or
 * pad in the backward pass.
 */
function classSums(f: Flat, classes: number[], options: LossOptions | undefined, loss: string): Sums {
  const p = activate(f, options?.activation, loss); // [N, K]
  const t = f.mode === 'binary' ? tf.reshape(f.target, [-1, 1]) : f.mode === 'multilabel' ? f.target : tf.oneHot(tf.cast(f.target, 'int32'), f.k, 1, 0, 'float32');
  const w = f.weights ? tf.reshape(f.weights, [-1, 1]) : undefined;
  const sq = options?.squaredPred ?? false;
  const batch = options?.batch ?? true;
  const pw = w ? tf.mul(p, w) : p;
  const tw = w ? tf.mul(t, w) : t;
  // Per sample: [N, K] → [B, N/B, K], summed over the voxels of each sample.
  const total = (x: Tensor) => (batch ? tf.sum(x, 0) : tf.sum(tf.reshape(x, [f.b, -1, f.k]), 1));
  const sums = { tp: total(tf.mul(pw, t)), sp: total(sq ? tf.mul(pw, p) : pw), st: total(sq ? tf.mul(tw, t) : tw) };
  if (f.mode === 'binary') return sums;
  return { tp: pick(sums.tp, classes), sp: pick(sums.sp, classes), st: pick(sums.st, classes) };
}

const reduce = (x: Tensor, options: LossOptions | undefined, loss: string): Scalar => {
  const r = options?.reduction ?? 'mean';
  if (r === 'sum') return tf.sum(x) as Scalar;
  if (r !== 'mean') throw new Error(`${loss}: reduction '${r as string}' must be 'mean' or 'sum'`);
  return tf.mean(x) as Scalar;
};

/** Soft Dice loss (see the file comment): mean over Dice classes (and samples, batch: false) of 1 − dice. */
export function diceLoss(inputs: LossInputs, options?: LossOptions): Scalar {
  return tf.tidy(() => {
    const f = flatten(inputs, options, 'dice', true);
    const eps = options?.eps ?? 1;
    const nr = options?.smoothNr ?? eps, dr = options?.smoothDr ?? eps;
    if (!(nr >= 0) || !(dr >= 0)) throw new Error(`dice: smoothNr ${nr} and smoothDr ${dr} must be ≥ 0`);
    const { tp, sp, st } = classSums(f, diceClassList(f, options, 'dice'), options, 'dice');
    let den = tf.add(sp, st);
    if (options?.jaccard) den = tf.mul(tf.sub(den, tp), 2);
    const dice = tf.div(tf.add(tf.mul(tp, 2), nr), tf.add(den, dr));
    return reduce(tf.sub(1, dice), options, 'dice');
  });
}

/** Per-class Tversky index [C] (inside tidy). */
function tverskyIndex(inputs: LossInputs, options: LossOptions | undefined, loss: string): Tensor {
  const f = flatten(inputs, options, loss, true);
  const eps = options?.eps ?? 1;
  const alpha = options?.alpha ?? 0.3;
  const beta = options?.beta ?? 0.7;
  if (!(alpha >= 0) || !(beta >= 0)) throw new Error(`${loss}: alpha ${alpha} and beta ${beta} must be ≥ 0`);
  const { tp, sp, st } = classSums(f, diceClassList(f, options, loss), { ...options, squaredPred: false }, loss);
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

/** Entries `idx` of per-class sums [K] or [B, K] (last axis): one slice when they are consecutive, else a gather. */
function pick(v: Tensor, idx: number[]): Tensor {
  const consecutive = idx.every((c, i) => i === 0 || c === idx[i - 1] + 1);
  const last = v.rank - 1;
  if (!consecutive) return tf.gather(v, idx, last);
  return tf.slice(v, v.shape.map((_, a) => (a === last ? idx[0] : 0)), v.shape.map((s, a) => (a === last ? idx.length : s)));
}
