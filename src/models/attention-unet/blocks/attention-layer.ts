/**
 * AttentionLayer: one decoder level — up = UpConv(deeper); merge(cat[gate(g = up, skip), up]) with
 * merge = conv 3×3 → InstanceNorm (no affine) → Dropout → PReLU (one shared slope); with gate 'oktay',
 * gate(g = deeper, skip) instead.
 */
import { tf, type Tensor } from '../../../core/tf.js';
import type { Rng } from '../../../core/rng.js';
import { Module } from '../../../nn/module.js';
import { Conv } from '../../../nn/conv.js';
import { InstanceNorm } from '../../../nn/norm.js';
import { Dropout } from '../../../nn/dropout.js';
import { PReLU } from '../../../nn/activation.js';
import type { ResolvedAttentionUNetOptions } from '../options.js';
import { gateWidth } from '../plan.js';
import { AttentionGate } from './attention-gate.js';
import { GridAttentionGate } from './grid-attention-gate.js';
import { ConvADN } from './conv-adn.js';
import { UpConv } from './up-conv.js';

export class AttentionLayer extends Module {
  private readonly attention: AttentionGate | GridAttentionGate;
  private readonly upconv: UpConv;
  private readonly merge: ConvADN;

  /**
   * Level `i` (c = channels[i], c_lower = channels[i+1]). MONAI layout, in its order: `attention.*`, `upconv.up.*`,
   * `merge.conv.*`, `merge.adn.A.weight`, then `submodule` (the step down and every deeper level) — which the network
   * owns and runs itself, so this block's `apply` starts from the deeper level's output.
   */
  constructor(o: ResolvedAttentionUNetOptions, i: number, submodule: Module, rng: Rng, dropRng: Rng) {
    super();
    const c = o.channels[i], cLower = o.channels[i + 1], d = o.spatialDims;
    this.attention = this.child('attention', o.gate === 'oktay'
      ? new GridAttentionGate(d, cLower, c, gateWidth(c), o.strides[i], rng)
      : new AttentionGate(d, c, c, gateWidth(c), rng));
    this.upconv = this.child('upconv', new UpConv(o, cLower, c, o.strides[i], rng));
    this.merge = this.child('merge', new ConvADN(new Conv(d, 2 * c, c, 3, 'same', true, rng), {
      norm: new InstanceNorm(c, { affine: false }), dropout: new Dropout(o.dropout, dropRng), act: new PReLU(1),
    }));
    this.child('submodule', submodule);
  }

  /** deeper: the level below's output [B, ...S/s, c_lower]; skip: this level's encoder feature [B, ...S, c]. */
  apply(deeper: Tensor, skip: Tensor): Tensor {
    return tf.tidy(() => {
      const up = this.upconv.apply(deeper); // [B, ...S, c]
      // MONAI: gated by the up-sampled feature; Oktay 2018: by the coarser feature itself
      const gated = this.attention.apply(this.attention instanceof GridAttentionGate ? deeper : up, skip); // [B, ...S, c]
      return this.merge.apply(tf.concat([gated, up], up.rank - 1)); // [B, ...S, 2c] → [B, ...S, c]
    });
  }
}
