/**
 * Per-channel affine maps of channels-last tensors: x·scale + shift with [C] vectors, computed on an [N, C] view.
 * Same values as the broadcast on x itself; the 2-D view keeps every backend on its common path (tfjs's WebGPU
 * backend fails to compile a rank-5 broadcast against a [C] vector: "cannot index type 'vec5'").
 */
import { tf, type Tensor } from '../../core/tf.js';
import { view } from './view.js';

/**
 * x·scale + shift (either may be omitted) with scale, shift of shape [C], C = x's last axis. Under a gradient tape it
 * keeps x only when there is a scale (whose gradient reads x): the reshapes are views and the shift's add keeps
 * nothing (tfjs's Reshape and Add gradients would keep their full-size inputs alive until the backward pass).
 */
export function perChannel(x: Tensor, scale?: Tensor, shift?: Tensor): Tensor {
  if (!scale && !shift) return x;
  return tf.tidy(() => {
    const c = x.shape[x.rank - 1];
    const flat = x.rank > 2 ? view(x, [-1, c]) : x; // [N, C]
    let h = scale ? tf.mul(flat, scale) : flat;
    if (shift) h = addRow(h, shift);
    return x.rank > 2 ? view(h, x.shape) : h;
  });
}

/** h [N, C] + v [C], its gradient (dy, Σ_rows dy) keeping no tensor. */
function addRow(h: Tensor, v: Tensor): Tensor {
  const op = tf.customGrad(((a: Tensor, b: Tensor) => ({
    value: tf.add(a, b),
    gradFunc: (dy: Tensor) => [dy, tf.sum(dy, 0)],
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(h, v) as Tensor;
}
