/** Compound losses, 1:1 sums as in the reference recipes: BCE + Dice and CE + Dice. */
import { tf } from '../core/tf.js';
import type { Scalar } from '@tensorflow/tfjs-core';
import type { LossInputs, LossOptions } from './types.js';
import { bceLoss, crossEntropyLoss } from './crossentropy.js';
import { diceLoss } from './dice.js';

/** BCE-with-logits + soft Dice (binary, K = 1). */
export function bceDiceLoss(inputs: LossInputs, options?: LossOptions): Scalar {
  const o = { ...options, mode: options?.mode ?? 'binary' } as LossOptions;
  return tf.tidy(() => tf.add(bceLoss(inputs, o), diceLoss(inputs, o)) as Scalar);
}

/** Cross-entropy + soft Dice (softmax CE and mean per-class Dice for K ≥ 2; BCE + Dice for K = 1). */
export function ceDiceLoss(inputs: LossInputs, options?: LossOptions): Scalar {
  return tf.tidy(() => tf.add(crossEntropyLoss(inputs, options), diceLoss(inputs, options)) as Scalar);
}
