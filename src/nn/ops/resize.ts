/**
 * Linear up-/down-sampling of channels-last tensors: bilinear in 2-D, trilinear in 3-D, with PyTorch's
 * `align_corners` semantics (true: src = dst·(in−1)/(out−1); false: half-pixel centres, src = (dst+½)·in/out − ½,
 * clamped at 0). Trilinear is separable: bilinear over (H, W) with tfjs's ResizeBilinear kernel, then linear
 * interpolation along D as a gather of the two neighbouring slices and a blend; the gradient of every step is
 * tfjs's own (ResizeBilinearGrad, GatherV2's segment sum), so the op trains on every backend. A backend that has
 * the `UnetResizeLinear` kernel (the native `onednn` backend) runs the whole resize as that one kernel instead, with
 * its registered gradient `UnetResizeLinearGrad`.
 */
import { tf, type Tensor } from '../../core/tf.js';

/** The fused resize kernel a backend may provide (inputs {x}, attrs {size, alignCorners}); see backends/onednn. */
const RESIZE_KERNEL = 'UnetResizeLinear';

/** Source indices and blend weights of linear interpolation along one axis of length `inSize`. */
export function linearTaps(inSize: number, outSize: number, alignCorners: boolean): { i0: Int32Array; i1: Int32Array; w: Float32Array } {
  const i0 = new Int32Array(outSize), i1 = new Int32Array(outSize), w = new Float32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    let src: number;
    if (alignCorners) src = outSize > 1 ? (o * (inSize - 1)) / (outSize - 1) : 0;
    else src = Math.max(0, ((o + 0.5) * inSize) / outSize - 0.5);
    const lo = Math.min(Math.floor(src), inSize - 1);
    i0[o] = lo;
    i1[o] = Math.min(lo + 1, inSize - 1);
    w[o] = src - lo;
  }
  return { i0, i1, w };
}

/** Linear interpolation of `x` along `axis` to `outSize` samples. */
export function resizeAxisLinear(x: Tensor, axis: number, outSize: number, alignCorners: boolean): Tensor {
  const inSize = x.shape[axis];
  if (inSize === outSize) return x.clone();
  const { i0, i1, w } = linearTaps(inSize, outSize, alignCorners);
  return tf.tidy(() => {
    // As [outer, n, inner] (rank 3 whatever x's rank: tfjs's WebGPU backend fails on rank-5 broadcasts).
    const outer = x.shape.slice(0, axis).reduce((p, q) => p * q, 1), inner = x.shape.slice(axis + 1).reduce((p, q) => p * q, 1);
    const x3 = tf.reshape(x, [outer, inSize, inner]);
    const a = tf.gather(x3, tf.tensor1d(i0, 'int32'), 1); // [outer, out, inner]
    const b = tf.gather(x3, tf.tensor1d(i1, 'int32'), 1);
    const wt = tf.tensor(w, [1, outSize, 1]);
    const y = tf.add(a, tf.mul(tf.sub(b, a), wt)); // a + (b − a)·w
    return tf.reshape(y, x.shape.map((n, k) => (k === axis ? outSize : n)));
  });
}

/**
 * Resizes the spatial axes of `x` ([B, H, W, C] or [B, D, H, W, C]) to `size` ([H', W'] or [D', H', W']).
 */
export function resizeLinear(x: Tensor, size: readonly number[], alignCorners = true): Tensor {
  const dims = x.rank - 2;
  if (size.length !== dims) throw new Error(`resizeLinear: size ${JSON.stringify(size)} has ${size.length} axes but the input [${x.shape}] has ${dims} spatial axes`);
  if (tf.getKernel(RESIZE_KERNEL, tf.getBackend())) {
    const attrs = { size: [...size], alignCorners };
    return tf.tidy(() => tf.engine().runKernel(RESIZE_KERNEL, { x }, attrs) as Tensor);
  }
  return tf.tidy(() => {
    // A spatial axis of size 1 (a 1-voxel bottleneck) resizes as separable gathers: tfjs-webgpu 4.22's
    // ResizeBilinearGrad gets it wrong (relative error 1, measured by bench/webgpu-check.ts); the forward is right.
    if (x.shape.slice(1, -1).some((s) => s === 1)) {
      return size.reduce((y: Tensor, s, i) => resizeAxisLinear(y, i + 1, s, alignCorners), x); // tidy frees the steps
    }
    const hw = size.slice(-2) as [number, number];
    if (dims === 2) return tf.image.resizeBilinear(x as tf.Tensor4D, hw, alignCorners, !alignCorners);
    const [b, d, h, w, c] = x.shape;
    const planes = tf.reshape(x, [b * d, h, w, c]);
    const resized = tf.image.resizeBilinear(planes as tf.Tensor4D, hw, alignCorners, !alignCorners); // [B·D, H', W', C]
    const vol = tf.reshape(resized, [b, d, hw[0], hw[1], c]);
    return resizeAxisLinear(vol, 1, size[0], alignCorners); // [B, D', H', W', C]
  });
}

/** ×2 up-sampling of every spatial axis. */
export function upsample2x(x: Tensor, alignCorners = true): Tensor {
  return resizeLinear(x, x.shape.slice(1, -1).map((s) => 2 * s), alignCorners);
}
