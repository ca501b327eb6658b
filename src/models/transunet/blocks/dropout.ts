/**
 * Dropout: in train mode x·m/(1 − p) with m = step(u − p), u ~ U(0, 1) drawn from a seed taken from the network's
 * generator (so a run repeats from the options' seed); the identity in eval or at p = 0. (Step instead of tf.dropout's
 * floor: Step is a native kernel on `onednn`, Floor is not.)
 */
import { tf, type Tensor } from '../../../core/tf.js';
import type { Rng } from '../../../core/rng.js';

export function dropout(x: Tensor, rate: number, training: boolean, rng: Rng): Tensor {
  if (!training || rate === 0) return x;
  return tf.tidy(() => {
    const u = tf.randomUniform(x.shape, 0, 1, 'float32', rng.nextUint32());
    const scaledMask = tf.mul(tf.step(tf.sub(u, rate)), 1 / (1 - rate)); // 0 or 1/(1 − p)
    return tf.mul(x, scaledMask);
  });
}
