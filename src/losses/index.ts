/** The loss registry: every loss of the library by name. */
import { Registry } from '../core/registry.js';
import type { LossFn } from './types.js';
import { diceLoss, focalTverskyLoss, tverskyLoss } from './dice.js';
import { bceLoss, crossEntropyLoss, weightedCrossEntropyLoss } from './crossentropy.js';
import { bceDiceLoss, ceDiceLoss } from './compound.js';

export type { LossFn, LossInputs, LossOptions } from './types.js';
export { diceLoss, tverskyLoss, focalTverskyLoss } from './dice.js';
export { bceLoss, crossEntropyLoss, weightedCrossEntropyLoss } from './crossentropy.js';
export { bceDiceLoss, ceDiceLoss } from './compound.js';

/** Losses by name: dice, bce, ce, bce-dice, ce-dice, weighted-ce, tversky, focal-tversky. */
export const losses = new Registry<LossFn>('loss')
  .register('dice', diceLoss)
  .register('bce', bceLoss)
  .register('ce', crossEntropyLoss)
  .register('bce-dice', bceDiceLoss)
  .register('ce-dice', ceDiceLoss)
  .register('weighted-ce', weightedCrossEntropyLoss)
  .register('tversky', tverskyLoss)
  .register('focal-tversky', focalTverskyLoss);

/** The loss named `name`; unknown names throw with the nearest valid name. */
export function lossFn(name: string): LossFn {
  return losses.get(name);
}
