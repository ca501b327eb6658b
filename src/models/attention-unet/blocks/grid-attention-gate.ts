/**
 * GridAttentionGate: W(x · resample(σ(ψ(ReLU(θ(x) + φ(g)))))) with W = conv 1×1 → BN — the gate of Oktay et al.
 * 2018 (its reference implementation's 'concatenation' mode): g is the coarser scale's feature, θ a conv with
 * kernel = stride = s (no bias) that brings x onto g's grid, φ and ψ 1×1 convs with bias, and the coefficients α
 * are resampled back onto x's grid by linear interpolation (align_corners false, today's PyTorch default).
 */
import { tf, type Tensor } from '../../../core/tf.js';
import type { Rng } from '../../../core/rng.js';
import { Module, Sequence } from '../../../nn/module.js';
import { Conv } from '../../../nn/conv.js';
import type { BatchNorm } from '../../../nn/norm.js';
import type { SpatialDims } from '../../../nn/factory.js';
import { resizeLinear } from '../../../nn/ops/resize.js';
import { batchNorm, normAfterConv } from './conv-adn.js';

export class GridAttentionGate extends Module {
  private readonly theta: Conv;
  private readonly phi: Conv;
  private readonly psi: Conv;
  private readonly wConv: Conv;
  private readonly wBn: BatchNorm;

  /**
   * Keys `theta.weight` [inner, xC, s…], `phi.{weight,bias}`, `psi.{weight,bias}`, `W.0.{weight,bias}`, `W.1.*` (the
   * reference implementation's names). `gC` channels of g (on the grid S/s), `xC` of the skip x (on S).
   */
  constructor(d: SpatialDims, gC: number, xC: number, inner: number, readonly stride: number, rng: Rng) {
    super();
    this.theta = this.child('theta', new Conv(d, xC, inner, stride, 0, false, rng, stride));
    this.phi = this.child('phi', new Conv(d, gC, inner, 1, 'same', true, rng));
    this.psi = this.child('psi', new Conv(d, inner, 1, 1, 'same', true, rng));
    const w = this.child('W', new Sequence());
    this.wConv = w.add(0, new Conv(d, xC, xC, 1, 'same', true, rng));
    this.wBn = w.add(1, batchNorm(xC));
  }

  /** g: the coarser feature [B, ...S/s, C_g]; x: the skip [B, ...S, C_x]. */
  apply(g: Tensor, x: Tensor): Tensor {
    return tf.tidy(() => {
      const f = tf.relu(tf.add(this.theta.apply(x), this.phi.apply(g))); // [B, ...S/s, inner]
      let alpha = tf.sigmoid(this.psi.apply(f)); // [B, ...S/s, 1]
      if (this.stride !== 1) alpha = resizeLinear(alpha, x.shape.slice(1, -1), false); // [B, ...S, 1]
      return normAfterConv(this.wConv, this.wBn, tf.mul(x, alpha), false); // [B, ...S, C_x]
    });
  }
}
