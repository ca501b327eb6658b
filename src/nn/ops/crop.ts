/**
 * Centre crop and skip concatenation of the original U-Net: the encoder's feature map is cropped to the decoder's
 * spatial size, (S_skip − S_up)/2 from the low side of each axis (floored, as in Ronneberger 2015), then the two
 * are joined along channels as [skip, up].
 */
import { tf, type Tensor } from '../../core/tf.js';

/** Offsets per spatial axis of the centred window of size `target` inside `source`. */
export function cropOffsets(source: readonly number[], target: readonly number[]): number[] {
  return source.map((s, i) => {
    if (target[i] > s) throw new Error(`centre crop: target ${target[i]} is larger than the source ${s} on spatial axis ${i}`);
    return Math.floor((s - target[i]) / 2);
  });
}

/**
 * `x` with `before` and `after` zero entries along `axis`, as one concat: tfjs's PadV2 is a generic per-element loop
 * on the CPU backends (and fails to compile at rank 5 on WebGPU).
 */
export function padAxisZeros(x: Tensor, axis: number, before: number, after: number): Tensor {
  if (before === 0 && after === 0) return x;
  const zeros = (n: number) => tf.zeros(x.shape.map((s, k) => (k === axis ? n : s)));
  return tf.concat([...(before > 0 ? [zeros(before)] : []), x, ...(after > 0 ? [zeros(after)] : [])], axis);
}

/**
 * x[:, lo : lo + len, :] of an [outer, n, inner] tensor, whose gradient puts dy between zero blocks by one concat
 * (tfjs's own slice gradient is a generic pad: 610 ms of a 1.3 s ronneberger2015 step on the CPU).
 */
function sliceMiddle(x: Tensor, lo: number, len: number): Tensor {
  const [outer, n, inner] = x.shape;
  const op = tf.customGrad(((x3: Tensor) => ({
    value: tf.slice(x3, [0, lo, 0], [outer, len, inner]),
    gradFunc: (dy: Tensor) => padAxisZeros(dy, 1, lo, n - lo - len),
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x) as Tensor;
}

/** Crops the spatial axes of `x` ([B, ...S, C]) to `target` around the centre. */
export function centerCrop(x: Tensor, target: readonly number[]): Tensor {
  const spatial = x.shape.slice(1, -1);
  if (spatial.every((s, i) => s === target[i])) return x;
  const offsets = cropOffsets(spatial, target);
  // One spatial axis at a time on a rank-3 view [outer, n, inner]: the gradient is then a rank-3 pad (tfjs-webgpu
  // cannot compile a rank-5 pad; tfjs-cpu's generic pad is slow at rank 5).
  return tf.tidy(() => spatial.reduce((y: Tensor, n, i) => {
    if (n === target[i]) return y;
    const axis = i + 1;
    const outer = y.shape.slice(0, axis).reduce((a, b) => a * b, 1), inner = y.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    const cut = sliceMiddle(tf.reshape(y, [outer, n, inner]), offsets[i], target[i]); // [outer, n', inner]
    return tf.reshape(cut, y.shape.map((s, k) => (k === axis ? target[i] : s)));
  }, x));
}

/** [crop(skip), up] along channels; a disabled skip contributes zeros of the cropped shape. */
export function concatSkip(skip: Tensor, up: Tensor, enabled = true): Tensor {
  return tf.tidy(() => {
    const target = up.shape.slice(1, -1);
    const cropped = centerCrop(skip, target); // [B, ...S_up, C_skip]
    const s = enabled ? cropped : tf.zerosLike(cropped);
    return tf.concat([s, up], up.rank - 1); // [B, ...S_up, C_skip + C_up]
  });
}
