/**
 * Per-channel affine maps of channels-last tensors: x·scale + shift with [C] vectors, computed on an [N, C] view.
 * Same values as the broadcast on x itself; the 2-D view keeps every backend on its common path (tfjs's WebGPU
 * backend fails to compile a rank-5 broadcast against a [C] vector: "cannot index type 'vec5'").
 */
import { tf, type Tensor } from '../../core/tf.js';

/** x·scale + shift (either may be omitted) with scale, shift of shape [C], C = x's last axis. */
export function perChannel(x: Tensor, scale?: Tensor, shift?: Tensor): Tensor {
  if (!scale && !shift) return x;
  return tf.tidy(() => {
    const c = x.shape[x.rank - 1];
    const flat = x.rank > 2 ? tf.reshape(x, [-1, c]) : x; // [N, C]
    let h = scale ? tf.mul(flat, scale) : flat;
    if (shift) h = tf.add(h, shift);
    return tf.reshape(h, x.shape);
  });
}
