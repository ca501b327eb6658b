/**
 * MONAI's conv unit of BasicUNetPlusPlus and its pair:
 *   ConvNormAct: conv 3×3(×3) (bias) → InstanceNorm (affine) → Dropout → LeakyReLU 0.1   (keys conv.*, adn.N.*)
 *   TwoConv:     ConvNormAct × 2                                                         (keys conv_0.*, conv_1.*)
 */
import { tf, type Tensor } from '../../../core/tf.js';
import type { Rng } from '../../../core/rng.js';
import { Module } from '../../../nn/module.js';
import { Conv } from '../../../nn/conv.js';
import { InstanceNorm } from '../../../nn/norm.js';
import { spatialOps, type SpatialDims, type SpatialOps } from '../../../nn/factory.js';
import { Named } from './named.js';
import { cancelledBias, instanceNormAffine, instanceNormLeakyRelu, leakyRelu } from '../../../nn/ops/instance-norm-act.js';

/** MONAI's LeakyReLU slope in BasicUNetPlusPlus. */
export const LEAKY_SLOPE = 0.1;
/** PyTorch's InstanceNorm ε. */
const EPS = 1e-5;

/** Dropout masks drawn from a seeded generator (one seed per call); active in training mode only. */
export class DropoutSource {
  constructor(readonly rate: number, private readonly rng: Rng) {}

  apply(x: Tensor, training: boolean): Tensor {
    if (!training || this.rate === 0) return x;
    return tf.dropout(x, this.rate, undefined, this.rng.nextUint32()); // kept values scaled by 1/(1 − rate)
  }
}

export class ConvNormAct extends Module {
  private readonly conv: Conv;
  private readonly norm: InstanceNorm;
  private readonly ops: SpatialOps;

  constructor(dims: SpatialDims, inC: number, outC: number, private readonly dropout: DropoutSource, rng: Rng) {
    super();
    this.ops = spatialOps(dims);
    this.conv = this.child('conv', new Conv(dims, inC, outC, 3, 'same', true, rng));
    this.norm = this.child('adn', new Named()).add('N', new InstanceNorm(outC, { affine: true, eps: EPS }));
  }

  apply(x: Tensor): Tensor {
    return tf.tidy(() => {
      // The conv's bias is a parameter (MONAI's key) that the InstanceNorm cancels exactly: it is not added.
      const h = cancelledBias(this.ops.conv(x, this.conv.weight, 'same'), this.conv.bias!); // [B, ...S, C_out]
      if (!this.training || this.dropout.rate === 0) return instanceNormLeakyRelu(h, this.norm.weight!, this.norm.bias!, EPS, LEAKY_SLOPE); // no dropout between: one fused step
      const n = this.dropout.apply(instanceNormAffine(h, this.norm.weight!, this.norm.bias!, EPS), this.training); // [B, ...S, C_out]
      return leakyRelu(n, LEAKY_SLOPE);
    });
  }
}

export class TwoConv extends Module {
  private readonly convs: [ConvNormAct, ConvNormAct];

  constructor(dims: SpatialDims, inC: number, outC: number, dropout: DropoutSource, rng: Rng) {
    super();
    this.convs = [
      this.child('conv_0', new ConvNormAct(dims, inC, outC, dropout, rng)),
      this.child('conv_1', new ConvNormAct(dims, outC, outC, dropout, rng)),
    ];
  }

  apply(x: Tensor): Tensor {
    return tf.tidy(() => this.convs[1].apply(this.convs[0].apply(x))); // [B, ...S, C_out]
  }
}
