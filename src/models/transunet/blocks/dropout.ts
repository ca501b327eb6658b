/** Dropout: in train mode, x·mask/(1 − p) with mask ~ Bernoulli(1 − p) from a seeded generator; the identity in eval. */
import { tf, type Tensor } from '../../../core/tf.js';
import type { Rng } from '../../../core/rng.js';

/** Each call draws a fresh mask seed from `rng`, so a run repeats from the network's seed. */
export function dropout(x: Tensor, rate: number, training: boolean, rng: Rng): Tensor {
  if (!training || rate === 0) return x;
  return tf.dropout(x, rate, undefined, rng.nextUint32());
}
