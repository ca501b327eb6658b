/**
 * One training step, the only one: the trainer, the explorer's in-browser training and the benchmarks call it.
 * Loss of the batch (averaged over deep-supervision heads; targets centre-cropped to a valid-padded network's output)
 * → gradients (`variableGrads`, which frees the tape as it walks back) → one optimiser update. Browser-safe.
 */
import { tf, type Scalar, type Tensor, type Variable } from '../core/tf.js';
import { variableGrads } from '../core/grad.js';
import { centerCrop } from '../nn/ops/crop.js';
import type { TrainableNet } from '../models/types.js';

/** Loss of one output: logits [B, ...S, K], target [B, ...S] (class indices as float), optional weights [B, ...S]. */
export type StepLoss = (logits: Tensor, target: Tensor, weights?: Tensor) => Scalar;

/** What `trainStep` needs of an optimiser (Adam, Sgd). */
export interface Optimizer {
  step(params: Variable[], grads: Tensor[], lr?: number): void;
}

/**
 * Targets / weights [B, ...S] centre-cropped to the logits' spatial size: a valid-padded U-Net (Ronneberger 2015,
 * Çiçek 2016) predicts only the centre of its input patch, and its loss covers that centre (overlap-tile training).
 */
export function centreToOutput(t: Tensor, logits: Tensor): Tensor {
  const out = logits.shape.slice(1, -1);
  if (t.shape.slice(1).every((s, i) => s === out[i])) return t;
  return tf.tidy(() => tf.squeeze(centerCrop(tf.expandDims(t, -1), out), [-1])); // [B, ...S_out]
}

/**
 * Targets / weights [B, ...S] down-sampled to a lower-resolution head's size by an integer factor f per axis, taking
 * voxel f·i + ⌊f/2⌋ (PyTorch's `interpolate(mode='nearest-exact')`, what nnU-Net v2's deep-supervision targets use);
 * unchanged at the same size.
 */
export function downsampleToOutput(t: Tensor, logits: Tensor): Tensor {
  const out = logits.shape.slice(1, -1);
  const shape = t.shape.slice(1);
  if (shape.every((s, i) => s === out[i])) return t;
  const f = shape.map((s, i) => s / out[i]);
  if (!f.every((v) => Number.isInteger(v) && v >= 1)) return centreToOutput(t, logits);
  return tf.tidy(() => tf.stridedSlice(t, [0, ...f.map((v) => Math.floor(v / 2))], [t.shape[0], ...shape], [1, ...f]));
}

/**
 * The batch's loss: one output, or over the network's deep-supervision heads the mean (Zhou 2018), or with
 * `headWeights` (one per head, highest resolution first; nnU-Net: 1/2^i, the lowest 0) their weighted sum with the
 * weights normalised to sum 1. Heads at lower resolution than the targets (nnU-Net) get down-sampled targets.
 */
export function batchLoss(model: TrainableNet, loss: StepLoss, x: Tensor, y: Tensor, w?: Tensor, headWeights?: readonly number[]): Scalar {
  return tf.tidy(() => {
    const outs = model.heads ? model.heads(x) : [model.forward(x)]; // each [B, ...S_out, K]
    // targets centre-cropped to the first (highest-resolution) head; heads at lower resolution (nnU-Net) get them
    // down-sampled
    const fit = (t: Tensor, logits: Tensor) => {
      const top = centreToOutput(t, outs[0]);
      return logits === outs[0] ? top : downsampleToOutput(top, logits);
    };
    if (headWeights && outs.length > 1) {
      if (headWeights.length !== outs.length) throw new Error(`batchLoss: ${headWeights.length} head weights for ${outs.length} heads`);
      const total = headWeights.reduce((a, b) => a + b, 0);
      const terms = outs.flatMap((logits, i) => (headWeights[i] === 0 ? [] : [tf.mul(loss(logits, fit(y, logits), w && fit(w, logits)), headWeights[i] / total)]));
      return (terms.length === 1 ? terms[0] : tf.addN(terms)) as Scalar;
    }
    const each = outs.map((logits) => loss(logits, fit(y, logits), w && fit(w, logits)));
    return (each.length === 1 ? each[0] : tf.div(tf.addN(each), each.length)) as Scalar;
  });
}

/** nnU-Net's deep-supervision weights for n heads (highest resolution first): 1/2^i, the lowest-resolution head 0. */
export function nnunetHeadWeights(n: number): number[] {
  const w = Array.from({ length: n }, (_, i) => 1 / 2 ** i);
  if (n > 1) w[n - 1] = 0;
  return w;
}

/** Extra options of a step: deep-supervision head weights and gradient clipping. */
export interface StepOptions {
  headWeights?: readonly number[];
  /** Clip the gradients to this global L2 norm (nnU-Net: 12). Default none. */
  clipNorm?: number;
}

/** Gradients scaled so that their global L2 norm is at most `maxNorm` (PyTorch's clip_grad_norm_, ε 1e-6). */
export function clipByGlobalNorm(grads: Tensor[], maxNorm: number): Tensor[] {
  if (grads.length === 0) return grads;
  const norm = tf.tidy(() => tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g)))))).dataSync()[0];
  const coef = maxNorm / (norm + 1e-6);
  if (coef >= 1) return grads;
  return grads.map((g) => tf.mul(g, coef));
}

export interface StepBatch {
  /** [B, ...S, C] */
  x: Tensor;
  /** [B, ...S] */
  y: Tensor;
  /** [B, ...S] per-voxel weights (0 = unlabelled). */
  w?: Tensor;
}

/**
 * One optimisation step at learning rate `lr` (the optimiser's own when undefined); the model must be in training
 * mode. Returns the batch's loss (the caller disposes it). Parameters that the loss does not reach (unused heads) are
 * left as they are.
 */
export function trainStep(model: TrainableNet, opt: Optimizer, loss: StepLoss, batch: StepBatch, lr?: number, params: Variable[] = model.namedParameters().map(([, v]) => v), so: StepOptions = {}): Scalar {
  const { value, grads } = variableGrads(() => batchLoss(model, loss, batch.x, batch.y, batch.w, so.headWeights), params);
  const reached = params.filter((p) => grads[p.name] !== undefined);
  const raw = reached.map((p) => grads[p.name]);
  const used = so.clipNorm !== undefined ? clipByGlobalNorm(raw, so.clipNorm) : raw;
  opt.step(reached, used, lr);
  tf.dispose(Object.values(grads));
  if (used !== raw) tf.dispose(used);
  return value;
}
