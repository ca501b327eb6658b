/**
 * The CNN path's conv blocks (MONAI `UnetResBlock`, `UnetBasicBlock`, `get_conv_layer(conv_only=True)`), all convs
 * bias-free, norm without parameters ('instance') or BatchNorm ('batch'), LeakyReLU 0.01:
 *   ResBlock:   LReLU( (conv 3×3 → norm → LReLU → conv 3×3 → norm)(x) + shortcut(x) ),
 *               shortcut = x, or conv 1×1 → norm when the channels change
 *   BasicBlock: (conv 3×3 → norm → LReLU) × 2
 */
import { tf, type Tensor } from '../../../core/tf.js';
import type { Rng } from '../../../core/rng.js';
import { Module } from '../../../nn/module.js';
import { Conv, ConvTranspose } from '../../../nn/conv.js';
import { BatchNorm, InstanceNorm } from '../../../nn/norm.js';
import type { SpatialDims } from '../../../nn/factory.js';
import { LEAKY_SLOPE, type UnetrNorm } from '../options.js';

/** MONAI's `Convolution(conv_only=True)`: the layer alone, under the state-dict key `conv`. */
export class ConvOnly extends Module {
  readonly conv: Conv | ConvTranspose;

  constructor(layer: Conv | ConvTranspose) {
    super();
    this.conv = this.child('conv', layer);
  }

  apply(x: Tensor): Tensor {
    return this.conv.apply(x);
  }
}

/** Bias-free transposed conv 2×2(×2), stride 2 (exact doubling): `ConvOnly` with key `conv.weight`. */
export function up2(dims: SpatialDims, inC: number, outC: number, rng: Rng): ConvOnly {
  return new ConvOnly(new ConvTranspose(dims, inC, outC, 2, false, rng));
}

type Norm = BatchNorm | InstanceNorm;

/**
 * Norm without parameters ('instance': no affine, no running statistics, MONAI's default) or BatchNorm with PyTorch's
 * defaults ('batch'). nn/norm.ts's InstanceNorm runs as the fused batch-norm kernel on the [S, B·C] view.
 */
function norm(kind: UnetrNorm, channels: number): Norm {
  return kind === 'instance' ? new InstanceNorm(channels, { affine: false }) : new BatchNorm(channels);
}

/**
 * LeakyReLU(x) = x·m, m = α + (1 − α)·step(x) (α for x ≤ 0, as PyTorch: its slope at 0 is α), as one recorded op whose
 * gradient is dy·m. Step, the scalar maps and the products are native-backend kernels; tfjs's LeakyRelu and its
 * gradient (Greater, Select) are not.
 */
const lrelu = tf.customGrad(((x: Tensor, save: tf.GradSaveFunc) => {
  const m = tf.add(tf.mul(tf.step(x), 1 - LEAKY_SLOPE), LEAKY_SLOPE);
  save([m]);
  return { value: tf.mul(x, m), gradFunc: (dy: Tensor, [mask]: Tensor[]) => tf.mul(dy, mask) };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: Tensor) => Tensor;

/** A conv block: residual or basic. Keys `conv1.conv.weight`, `conv2.conv.weight`, `norm1.*`, `norm2.*` (+ `conv3`, `norm3`). */
export interface ConvBlock extends Module {
  apply(x: Tensor): Tensor;
}

/** LReLU((conv 3×3 → norm → LReLU → conv 3×3 → norm)(x) + shortcut(x)); shortcut conv 1×1 → norm when C changes. */
export class ResBlock extends Module implements ConvBlock {
  private readonly conv1: ConvOnly;
  private readonly conv2: ConvOnly;
  private readonly norm1: Norm;
  private readonly norm2: Norm;
  private readonly conv3?: ConvOnly;
  private readonly norm3?: Norm;

  constructor(dims: SpatialDims, inC: number, outC: number, normKind: UnetrNorm, rng: Rng) {
    super();
    this.conv1 = this.child('conv1', new ConvOnly(new Conv(dims, inC, outC, 3, 'same', false, rng)));
    this.conv2 = this.child('conv2', new ConvOnly(new Conv(dims, outC, outC, 3, 'same', false, rng)));
    this.norm1 = this.child('norm1', norm(normKind, outC));
    this.norm2 = this.child('norm2', norm(normKind, outC));
    if (inC !== outC) {
      this.conv3 = this.child('conv3', new ConvOnly(new Conv(dims, inC, outC, 1, 'same', false, rng)));
      this.norm3 = this.child('norm3', norm(normKind, outC));
    }
  }

  apply(x: Tensor): Tensor {
    return tf.tidy(() => {
      const h = lrelu(this.norm1.apply(this.conv1.apply(x)));                        // [B, ...S, Cout]
      const y = this.norm2.apply(this.conv2.apply(h));                                // [B, ...S, Cout]
      const shortcut = this.conv3 ? this.norm3!.apply(this.conv3.apply(x)) : x;        // [B, ...S, Cout]
      return lrelu(tf.add(y, shortcut));
    });
  }
}

/** (conv 3×3 → norm → LReLU) × 2. */
export class BasicBlock extends Module implements ConvBlock {
  private readonly conv1: ConvOnly;
  private readonly conv2: ConvOnly;
  private readonly norm1: Norm;
  private readonly norm2: Norm;

  constructor(dims: SpatialDims, inC: number, outC: number, normKind: UnetrNorm, rng: Rng) {
    super();
    this.conv1 = this.child('conv1', new ConvOnly(new Conv(dims, inC, outC, 3, 'same', false, rng)));
    this.conv2 = this.child('conv2', new ConvOnly(new Conv(dims, outC, outC, 3, 'same', false, rng)));
    this.norm1 = this.child('norm1', norm(normKind, outC));
    this.norm2 = this.child('norm2', norm(normKind, outC));
  }

  apply(x: Tensor): Tensor {
    return tf.tidy(() => {
      const h = lrelu(this.norm1.apply(this.conv1.apply(x))); // [B, ...S, Cout]
      return lrelu(this.norm2.apply(this.conv2.apply(h)));    // [B, ...S, Cout]
    });
  }
}

/** The residual or the basic block, as `resBlock` says. */
export function convBlock(res: boolean, dims: SpatialDims, inC: number, outC: number, normKind: UnetrNorm, rng: Rng): ConvBlock {
  return res ? new ResBlock(dims, inC, outC, normKind, rng) : new BasicBlock(dims, inC, outC, normKind, rng);
}

/** encoder1 (MONAI `UnetrBasicBlock`): one conv block on the image, under the key `layer`. */
export class ImageBlock extends Module implements ConvBlock {
  private readonly layer: ConvBlock;

  constructor(res: boolean, dims: SpatialDims, inC: number, outC: number, normKind: UnetrNorm, rng: Rng) {
    super();
    this.layer = this.child('layer', convBlock(res, dims, inC, outC, normKind, rng));
  }

  apply(x: Tensor): Tensor {
    return this.layer.apply(x); // [B, ...S, Cout]
  }
}
