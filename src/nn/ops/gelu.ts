/**
 * GELU in PyTorch's default (exact) form, y = x·Φ(x) = x·½(1 + erf(x/√2)), as one recorded op with its analytic
 * gradient ∂y/∂x = Φ(x) + x·φ(x), φ(x) = exp(−x²/2)/√(2π). tfjs-core 4.22 has no gelu (and no gradient for erf).
 */
import { tf, type Tensor } from '../../core/tf.js';

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

const geluOp = tf.customGrad(((x: Tensor, save: tf.GradSaveFunc) => {
  const cdf = tf.add(tf.mul(tf.erf(tf.mul(x, SQRT1_2)), 0.5), 0.5); // Φ(x)
  save([x, cdf]);
  return {
    value: tf.mul(x, cdf),
    gradFunc: (dy: Tensor, [xs, phi]: Tensor[]) => {
      const pdf = tf.mul(tf.exp(tf.mul(tf.square(xs), -0.5)), INV_SQRT_2PI); // φ(x)
      return tf.mul(dy, tf.add(phi, tf.mul(xs, pdf)));
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]);

/** Exact (erf) GELU, elementwise, any shape. */
export function gelu(x: Tensor): Tensor {
  return geluOp(x);
}
