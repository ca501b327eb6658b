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

/** The batch's loss: one output, or the mean over the network's deep-supervision heads (Zhou 2018). */
export function batchLoss(model: TrainableNet, loss: StepLoss, x: Tensor, y: Tensor, w?: Tensor): Scalar {
  return tf.tidy(() => {
    const outs = model.heads ? model.heads(x) : [model.forward(x)]; // each [B, ...S_out, K]
    const each = outs.map((logits) => loss(logits, centreToOutput(y, logits), w && centreToOutput(w, logits)));
    return (each.length === 1 ? each[0] : tf.div(tf.addN(each), each.length)) as Scalar;
  });
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
export function trainStep(model: TrainableNet, opt: Optimizer, loss: StepLoss, batch: StepBatch, lr?: number, params: Variable[] = model.namedParameters().map(([, v]) => v)): Scalar {
  const { value, grads } = variableGrads(() => batchLoss(model, loss, batch.x, batch.y, batch.w), params);
  const reached = params.filter((p) => grads[p.name] !== undefined);
  opt.step(reached, reached.map((p) => grads[p.name]), lr);
  tf.dispose(Object.values(grads));
  return value;
}
