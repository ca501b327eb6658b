/**
 * `Dropout` (`nn.Dropout(p)`): in training mode each element is zeroed with probability p and the rest scaled by
 * 1/(1 − p); in eval mode (and with p = 0) it is the identity. The masks come from a seeded `Rng` (one 32-bit seed
 * per call drawn from it, expanded by tfjs's seeded uniform generator), so a training run repeats exactly; they are
 * not PyTorch's masks. No parameters: it adds nothing to a state dict, whatever name it is registered under.
 */
import { tf, type Tensor } from '../core/tf.js';
import type { Rng } from '../core/rng.js';
import { Module } from './module.js';

export class Dropout extends Module {
  constructor(readonly p: number, private readonly rng: Rng) {
    super();
    if (!(typeof p === 'number' && p >= 0 && p < 1)) throw new Error(`Dropout: p must be a number in [0, 1), got ${p}`);
  }

  /** Whether `apply` changes anything (training mode and p > 0). */
  get active(): boolean {
    return this.training && this.p > 0;
  }

  apply(x: Tensor): Tensor {
    if (!this.active) return x;
    return tf.tidy(() => {
      const u = tf.randomUniform(x.shape, 0, 1, 'float32', this.rng.nextUint32());
      const keep = tf.mul(tf.step(tf.sub(u, this.p)), 1 / (1 - this.p)); // 1/(1 − p) where u > p, else 0
      return tf.mul(x, keep);
    });
  }
}
