/** Weight initialisation as PyTorch does it by default, drawn from a seeded `Rng`. */
import { tf, type Tensor } from '../core/tf.js';
import type { Rng } from '../core/rng.js';

/** U(−1/√fanIn, 1/√fanIn): PyTorch's kaiming_uniform(a=√5) for weights, and its rule for biases. */
export function uniformFanIn(rng: Rng, shape: number[], fanIn: number): Tensor {
  const bound = 1 / Math.sqrt(fanIn);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(rng.fillUniform(new Float32Array(n), -bound, bound), shape);
}
