/** The loss contract: every loss is a function of logits and an integer target, with documented shapes. */
import type { Scalar, Tensor } from '@tensorflow/tfjs-core';

export interface LossInputs {
  /** Logits [B, ...S, K]: K = 1 for 'binary' (sigmoid), K ≥ 2 for 'multiclass' (softmax). */
  logits: Tensor;
  /** Class indices [B, ...S] as float32 (0/1 for binary); for 'multilabel', 0/1 per channel [B, ...S, K]. */
  target: Tensor;
  /** Optional per-voxel weights [B, ...S]; 0 marks unlabelled voxels (Çiçek's sparse annotation). */
  weights?: Tensor;
}

/** Activation of the Dice-family losses: MONAI's `sigmoid=True`, `softmax=True`, none, or `other_act`. */
export type DiceActivation = 'sigmoid' | 'softmax' | 'none' | ((logits: Tensor) => Tensor);

export interface LossOptions {
  /**
   * Default: 'binary' when K = 1, else 'multiclass'. 'multilabel' (Dice family only): K independent sigmoid channels,
   * target [B, ...S, K] of 0/1 (several labels may overlap; MONAI's sigmoid DiceLoss on a multi-hot target).
   */
  mode?: 'binary' | 'multiclass' | 'multilabel';
  /** Smoothing ε of soft Dice / Tversky (numerator and denominator). Default 1. */
  eps?: number;
  /** Dice: smoothing added to the numerator (MONAI's `smooth_nr`, default 1e-5 there). Default eps. */
  smoothNr?: number;
  /** Dice: smoothing added to the denominator (MONAI's `smooth_dr`, default 1e-5 there). Default eps. */
  smoothDr?: number;
  /**
   * Dice / Tversky sums over the whole batch (true, default here; MONAI's `batch=True`) or per sample, the loss then
   * averaging the per-sample, per-class terms (false: MONAI's default `batch=False`).
   */
  batch?: boolean;
  /** Dice: Σ p² and Σ t² in the denominator (MONAI's `squared_pred`). Default false. */
  squaredPred?: boolean;
  /** Dice: the Jaccard (IoU) form, denominator 2·(Σp + Σt − Σpt) (MONAI's `jaccard`). Default false. */
  jaccard?: boolean;
  /**
   * Dice / Tversky activation on the logits: 'sigmoid' (per channel), 'softmax' (over K), 'none', or a function
   * (MONAI's `other_act`). Default: softmax for 'multiclass', sigmoid for 'binary' and 'multilabel'. Binary and
   * multiclass targets are one-hot encoded (MONAI's `to_onehot_y=True`) whatever the activation.
   */
  activation?: DiceActivation;
  /** Dice: every class including 0 (true; MONAI's `include_background=True`, its default) or `diceClasses`. */
  includeBackground?: boolean;
  /** Dice: the per-class (and per-sample) terms averaged ('mean', default) or summed ('sum'); MONAI's `reduction`. */
  reduction?: 'mean' | 'sum';
  /** Classes the Dice / Tversky terms average over (multiclass). Default: every class but 0. */
  diceClasses?: number[];
  /** Per-class weights of the cross-entropy. Default none. */
  classWeights?: number[];
  /** Tversky α (false-positive weight). Default 0.3. */
  alpha?: number;
  /** Tversky β (false-negative weight). Default 0.7. */
  beta?: number;
  /** Focal Tversky γ: loss = (1 − TI)^γ. Default 0.75. */
  gamma?: number;
}

/** A loss: a scalar to minimise, computed inside tf.tidy. */
export type LossFn = (inputs: LossInputs, options?: LossOptions) => Scalar;
