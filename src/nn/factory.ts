/**
 * The small factory that makes one model definition serve 2-D and 3-D (MONAI's `Conv[Conv.CONV, dims]`):
 * every spatial op the U-Net uses, picked by `spatialDims`.
 */
import { tf, type Tensor } from '../core/tf.js';
import { convTransposeTiled } from './ops/upconv.js';
import { upsample2x } from './ops/resize.js';

export type SpatialDims = 2 | 3;
export type Padding = 'same' | 'valid';

export interface SpatialOps {
  readonly dims: SpatialDims;
  /**
   * Convolution; filter [k…, Cin, Cout]. `padding` 'same' / 'valid', or an integer p: p zeros on both sides of
   * every spatial axis (PyTorch's `padding=p`). Stride 1 unless given.
   */
  conv(x: Tensor, filter: Tensor, padding: Padding | number, stride?: number): Tensor;
  /** 2×(×2) max-pooling, stride 2, floor mode. */
  maxPool(x: Tensor): Tensor;
  /** ×2 linear up-sampling (bilinear / trilinear). */
  upsample(x: Tensor, alignCorners: boolean): Tensor;
  /** Transposed convolution with kernel = stride; filter [k…, Cout, Cin]. */
  convTranspose(x: Tensor, filter: Tensor, bias?: Tensor): Tensor;
}

/** x with p zeros before and after every spatial axis (channels-last). */
export function padSpatial(x: Tensor, p: number): Tensor {
  if (p === 0) return x;
  return tf.pad(x, x.shape.map((_, i) => (i === 0 || i === x.rank - 1 ? [0, 0] : [p, p])) as [number, number][]);
}

const ops2d: SpatialOps = {
  dims: 2,
  conv: (x, f, padding, stride = 1) => typeof padding === 'number'
    ? tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, stride, padding === 0 ? 'valid' : [[0, 0], [padding, padding], [padding, padding], [0, 0]])
    : tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, stride, padding),
  maxPool: (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid'),
  upsample: upsample2x,
  convTranspose: convTransposeTiled,
};

const ops3d: SpatialOps = {
  dims: 3,
  // An integer p goes to the kernels as it is: tfjs's conv_util reads a number as p zeros on both sides of every axis
  // in 3-D too (conv3d's typings say 'valid' | 'same'), and so do the cpu and onednn Conv3D kernels and their
  // gradients. Zero-padding the input first (tf.pad) ran tfjs's generic 5-D PadV2 forward and a generic Slice
  // backward: 6 of 10 s of a 3-D Attention U-Net step at 2×48×64×48.
  conv: (x, f, padding, stride = 1) => tf.conv3d(x as tf.Tensor5D, f as tf.Tensor5D, stride, (padding === 0 ? 'valid' : padding) as 'valid' | 'same'),
  maxPool: (x) => tf.maxPool3d(x as tf.Tensor5D, 2, 2, 'valid'),
  upsample: upsample2x,
  convTranspose: convTransposeTiled,
};

export function spatialOps(dims: SpatialDims): SpatialOps {
  if (dims === 2) return ops2d;
  if (dims === 3) return ops3d;
  throw new Error(`spatialDims must be 2 or 3, got ${String(dims)}`);
}
