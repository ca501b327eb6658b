/**
 * The layers of nnU-Net's PlainConvUNet with per-axis kernels and strides (nnU-Net's plans give e.g. 1×3×3 kernels
 * and 1×2×2 strides on anisotropic data), with PyTorch's names and channels-last layouts:
 *   AxisConv:  conv with kernel k[a] and stride s[a] per axis, PyTorch's padding (k[a] − 1)/2 on both sides.
 *   UpConv:    transposed conv with kernel = stride per axis (non-overlapping tiles: one matrix product and a
 *              depth-to-space shuffle, as src/nn/ops/upconv.ts does for cubic kernels).
 *   ConvUnit:  AxisConv (bias) → InstanceNorm (affine, ε 1e-5) → LeakyReLU 0.01 (nnU-Net's ConvDropoutNormReLU).
 * Weights start as nnU-Net's trainer sets them (`InitWeights_He(1e-2)`): Kaiming normal with a = 0.01 on PyTorch's
 * fan-in, biases 0.
 */
import { tf, type Tensor, type Variable } from '../../core/tf.js';
import type { Rng } from '../../core/rng.js';
import { Module } from '../../nn/module.js';
import { InstanceNorm } from '../../nn/norm.js';
import { perChannel } from '../../nn/ops/channel.js';
import { view } from '../../nn/ops/view.js';
import type { SpatialDims } from '../../nn/factory.js';
import { cancelledBias, instanceNormLeakyRelu } from '../../nn/ops/instance-norm-act.js';

export const LEAKY_SLOPE = 0.01;
export const EPS = 1e-5;

const prod = (a: readonly number[]) => a.reduce((x, y) => x * y, 1);

/** Kaiming normal, a = 0.01 (nnU-Net's InitWeights_He): N(0, 2 / ((1 + a²)·fanIn)). */
function heNormal(rng: Rng, shape: number[], fanIn: number): Tensor {
  const std = Math.sqrt(2 / (1 + 1e-4)) / Math.sqrt(fanIn);
  const n = prod(shape);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal() * std;
  return tf.tensor(out, shape);
}

/** Convolution with per-axis kernel and stride and PyTorch's symmetric padding (k − 1)/2; weight [k…, Cin, Cout]. */
export class AxisConv extends Module {
  readonly weight: Variable;
  readonly bias: Variable;
  private readonly pad: number[];

  constructor(readonly dims: SpatialDims, inC: number, outC: number, readonly kernel: readonly number[], readonly stride: readonly number[], rng: Rng) {
    super();
    this.weight = this.param('weight', heNormal(rng, [...kernel, inC, outC], inC * prod(kernel)));
    this.bias = this.param('bias', tf.zeros([outC]));
    this.pad = kernel.map((k) => (k - 1) / 2);
  }

  /** The convolution without its bias: [B, ...S, Cin] → [B, ...S_out, Cout], S_out = ⌊(S + 2p − k) / s⌋ + 1. */
  convolve(x: Tensor): Tensor {
    const p = this.pad;
    const uniform = p.every((v) => v === p[0]);
    if (this.dims === 2) {
      const pad = uniform && p[0] === 0 ? 'valid' : [[0, 0], [p[0], p[0]], [p[1], p[1]], [0, 0]] as [[number, number], [number, number], [number, number], [number, number]];
      return tf.conv2d(x as tf.Tensor4D, this.weight as unknown as tf.Tensor4D, this.stride as [number, number], pad);
    }
    const s = this.stride as [number, number, number];
    // A uniform integer padding goes to the Conv3D kernels as it is (src/nn/factory.ts); mixed kernels (1×3×3) pad first.
    if (uniform) return tf.conv3d(x as tf.Tensor5D, this.weight as unknown as tf.Tensor5D, s, (p[0] === 0 ? 'valid' : p[0]) as 'valid');
    return tf.tidy(() => {
      const padded = tf.pad(x, [[0, 0], ...p.map((v) => [v, v] as [number, number]), [0, 0]]);
      return tf.conv3d(padded as tf.Tensor5D, this.weight as unknown as tf.Tensor5D, s, 'valid');
    });
  }

  apply(x: Tensor): Tensor {
    return tf.tidy(() => perChannel(this.convolve(x), undefined, this.bias));
  }
}

/** Transposed conv with kernel = stride per axis; weight [k…, Cout, Cin] (PyTorch's [Cin, Cout, k…]). */
export class UpConv extends Module {
  readonly weight: Variable;
  readonly bias: Variable;

  constructor(readonly dims: SpatialDims, inC: number, outC: number, readonly kernel: readonly number[], rng: Rng) {
    super();
    // PyTorch's fan-in of a ConvTranspose weight [Cin, Cout, k…] is Cout·∏k
    this.weight = this.param('weight', heNormal(rng, [...kernel, outC, inC], outC * prod(kernel)));
    this.bias = this.param('bias', tf.zeros([outC]));
  }

  apply(x: Tensor): Tensor {
    return tf.tidy(() => {
      const k = this.kernel;
      const [cout, cin] = this.weight.shape.slice(-2);
      const d = this.dims;
      const w = view(tf.transpose(this.weight, [d + 1, ...k.map((_, i) => i), d]), [cin, prod(k) * cout]); // [Cin, ∏k·Cout]
      const b = x.shape[0];
      const sp = x.shape.slice(1, -1);
      let y = tf.matMul(view(x, [-1, cin]), w); // [B·∏S, ∏k·Cout]
      if (d === 2) {
        const [h, wd] = sp;
        y = view(y, [b * h, wd, k[0], k[1] * cout]);
        y = tf.transpose(y, [0, 2, 1, 3]); // [B·H, a, W, (b', Cout)]
        y = view(y, [b, h * k[0], wd * k[1], cout]);
      } else {
        const [dd, h, wd] = sp;
        y = view(y, [b * dd, h, wd, k[0], k[1], k[2] * cout]);
        y = tf.transpose(y, [0, 3, 1, 4, 2, 5]); // [B·D, a, H, b', W, (c', Cout)]
        y = view(y, [b, dd * k[0], h * k[1], wd * k[2], cout]);
      }
      return perChannel(y, undefined, this.bias);
    });
  }
}

/** conv (bias, cancelled by the norm) → InstanceNorm → LeakyReLU 0.01; keys `conv.*`, `norm.*`. */
export class ConvUnit extends Module {
  private readonly conv: AxisConv;
  private readonly norm: InstanceNorm;

  constructor(dims: SpatialDims, inC: number, outC: number, kernel: readonly number[], stride: readonly number[], rng: Rng) {
    super();
    this.conv = this.child('conv', new AxisConv(dims, inC, outC, kernel, stride, rng));
    this.norm = this.child('norm', new InstanceNorm(outC, { affine: true, eps: EPS }));
  }

  apply(x: Tensor): Tensor {
    return tf.tidy(() => {
      const h = cancelledBias(this.conv.convolve(x), this.conv.bias); // the InstanceNorm cancels the bias exactly
      return instanceNormLeakyRelu(h, this.norm.weight!, this.norm.bias!, EPS, LEAKY_SLOPE); // [B, ...S, C_out]
    });
  }
}
