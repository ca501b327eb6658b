/**
 * Replicate padding by one voxel at the far end of one spatial axis (PyTorch `F.pad(x, (…, 0, 1, …), 'replicate')`):
 * y[…, n, …] = x[…, n − 1, …]. MONAI's UpCat applies it where the up-sampled map is one voxel short of its skip
 * (an odd size before 2× max-pooling). Written on an [outer, n, inner] view as one concat of native block copies,
 * with its gradient as one concat too: dx = [dy[0 : n−1], dy[n−1] + dy[n]] (tfjs's own slice gradient is a generic pad).
 */
import { tf, type Tensor } from '../../../core/tf.js';
import { view } from '../../../nn/ops/view.js';

const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

export function replicatePadEnd(x: Tensor, axis: number): Tensor {
  const n = x.shape[axis];
  const outer = prod(x.shape.slice(0, axis)), inner = prod(x.shape.slice(axis + 1));
  const op = tf.customGrad(((x3: Tensor) => ({
    value: tf.concat([x3, tf.slice(x3, [0, n - 1, 0], [outer, 1, inner])], 1), // [outer, n + 1, inner]
    gradFunc: (dy: Tensor) => tf.concat([
      tf.slice(dy, [0, 0, 0], [outer, n - 1, inner]), // [outer, n − 1, inner]
      tf.add(tf.slice(dy, [0, n - 1, 0], [outer, 1, inner]), tf.slice(dy, [0, n, 0], [outer, 1, inner])), // [outer, 1, inner]
    ], 1),
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return tf.tidy(() => {
    const y = op(view(x, [outer, n, inner])) as Tensor; // [outer, n + 1, inner]
    return view(y, x.shape.map((s, k) => (k === axis ? n + 1 : s))); // x's shape, n + 1 on `axis`
  });
}

/** `up` padded at the far end of each spatial axis where it is one voxel short of `target` (the skip's size). */
export function replicatePadTo(up: Tensor, target: readonly number[]): Tensor {
  return tf.tidy(() => target.reduce((y: Tensor, t, i) => {
    const n = y.shape[i + 1];
    if (n === t) return y;
    if (n !== t - 1) throw new Error(`UpCat: the up-sampled map [${up.shape}] is ${t - n} voxels short of its skip on spatial axis ${i}; replicate padding fills one`);
    return replicatePadEnd(y, i + 1); // one more voxel on axis i
  }, up));
}
