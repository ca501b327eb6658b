/** The loss contract: every loss is a function of logits and an integer target, with documented shapes. */
import type { Scalar, Tensor } from '@tensorflow/tfjs-core';

export interface LossInputs {
  /** Logits [B, ...S, K]: K = 1 for 'binary' (sigmoid), K ≥ 2 for 'multiclass' (softmax). */
  logits: Tensor;
  /** Class indices [B, ...S] as float32 (0/1 for binary). */
  target: Tensor;
  /** Optional per-voxel weights [B, ...S]; 0 marks unlabelled voxels (Çiçek's sparse annotation). */
  weights?: Tensor;
}

export interface LossOptions {
  /** Default: 'binary' when K = 1, else 'multiclass'. */
  mode?: 'binary' | 'multiclass';
  /** Smoothing ε of soft Dice / Tversky. Default 1. */
  eps?: number;
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
