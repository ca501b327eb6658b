/** AttentionGate: skip · σ(BN(ψ(ReLU(BN(W_g g) + BN(W_x skip))))), all 1×1 convs with bias — MONAI's AttentionBlock. */
import { tf, type Tensor } from '../../../core/tf.js';
import type { Rng } from '../../../core/rng.js';
import { Module, Sequence } from '../../../nn/module.js';
import { Conv } from '../../../nn/conv.js';
import type { BatchNorm } from '../../../nn/norm.js';
import type { SpatialDims } from '../../../nn/factory.js';
import { batchNorm, ConvADN, normAfterConv } from './conv-adn.js';

/** Sequential(ConvADN(conv 1×1), BatchNorm): keys `0.conv.{weight,bias}`, `1.*`. */
class ConvBn extends Sequence {
  private readonly conv: Conv;
  private readonly bn: BatchNorm;

  constructor(d: SpatialDims, inC: number, outC: number, rng: Rng) {
    super();
    this.conv = new Conv(d, inC, outC, 1, 'same', true, rng);
    this.add(0, new ConvADN(this.conv));
    this.bn = this.add(1, batchNorm(outC));
  }

  apply(x: Tensor): Tensor {
    return normAfterConv(this.conv, this.bn, x, false); // [B, ...S, C_out]
  }
}

export class AttentionGate extends Module {
  private readonly wG: ConvBn;
  private readonly wX: ConvBn;
  private readonly psi: ConvBn;

  /**
   * MONAI layout `W_g.{0,1}`, `W_x.{0,1}`, `psi.{0,1}` (psi's Sigmoid at index 2 has no parameters). `gC` channels of
   * the gating signal g, `xC` of the skip, `inner` of the 1×1 convs (MONAI: c // 2).
   */
  constructor(d: SpatialDims, gC: number, xC: number, inner: number, rng: Rng) {
    super();
    this.wG = this.child('W_g', new ConvBn(d, gC, inner, rng));
    this.wX = this.child('W_x', new ConvBn(d, xC, inner, rng));
    this.psi = this.child('psi', new ConvBn(d, inner, 1, rng));
  }

  /** g: the gating signal [B, ...S, C_g] (the up-sampled decoder feature); x: the skip [B, ...S, C_x]. */
  apply(g: Tensor, x: Tensor): Tensor {
    return tf.tidy(() => {
      const h = tf.relu(tf.add(this.wG.apply(g), this.wX.apply(x))); // [B, ...S, inner]
      const alpha = tf.sigmoid(this.psi.apply(h)); // [B, ...S, 1]: one coefficient per voxel
      return tf.mul(x, alpha); // [B, ...S, C_x]
    });
  }
}
