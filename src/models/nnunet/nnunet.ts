/**
 * nnU-Net v2's network (Isensee 2021; MIC-DKFZ/dynamic-network-architectures `PlainConvUNet`), one definition for 2-D
 * and 3-D, channels-last. With n stages, features f, kernels k, strides s (stage 0 all 1):
 *
 *   encoder stage e (e = 0 … n−1):  convsPerStage × ConvUnit(k[e]), the first strided by s[e]     → skip e
 *   decoder stage d (d = 0 … n−2, level e = n−2−d): UpConv(s[e+1]) of the level below (f[e+1] → f[e]),
 *                                    concat [up, skip e] (2·f[e]) → convsPerStage × ConvUnit(k[e])
 *   head d: conv 1×1 (bias) → classes
 *
 * heads(x) returns the heads highest resolution first (nnU-Net's order); forward(x) the highest-resolution head.
 * Module names are PyTorch's (`encoder.stages.E.0.convs.I.conv`, `decoder.transpconvs.D`, `decoder.stages.D.convs.I`,
 * `decoder.seg_layers.D`), so an nnU-Net checkpoint's `network_weights` load through `foreignKey`.
 */
import { tf, type Tensor } from '../../core/tf.js';
import { Rng } from '../../core/rng.js';
import { Module } from '../../nn/module.js';
import { Named } from '../unetpp/blocks/named.js';
import { AxisConv, ConvUnit, UpConv } from './layers.js';
import { resolveNnUNetOptions, type NnUNetOptions, type ResolvedNnUNetOptions } from './options.js';
import { checkNnUNetInput, nnunetGeometry } from './plan.js';
import type { Geometry, NetSpec, SegmentationNet } from '../types.js';

export class NnUNet extends Module implements SegmentationNet {
  readonly options: ResolvedNnUNetOptions;
  readonly geometry: Geometry;
  readonly spec: NetSpec;
  readonly heads?: (x: Tensor) => Tensor[];
  private readonly enc: ConvUnit[][] = [];
  private readonly dec: ConvUnit[][] = [];
  private readonly ups: UpConv[] = [];
  private readonly segs: AxisConv[] = [];

  constructor(options: NnUNetOptions = {}) {
    super();
    const o = (this.options = resolveNnUNetOptions(options));
    this.geometry = nnunetGeometry(o);
    this.spec = { arch: 'nnunet', options: o as unknown as Record<string, unknown> };
    const d = o.spatialDims, f = o.features, n = f.length;
    const rng = new Rng(o.seed);
    const ones = Array<number>(d).fill(1);
    const encStages = this.child('encoder', new Named()).add('stages', new Named());
    for (let e = 0; e < n; e++) {
      const convs = encStages.add(`${e}`, new Named()).add('0', new Named()).add('convs', new Named());
      const units: ConvUnit[] = [];
      for (let i = 0; i < o.convsPerStage; i++) {
        units.push(convs.add(`${i}`, new ConvUnit(d, i === 0 ? (e === 0 ? o.inChannels : f[e - 1]) : f[e], f[e], o.kernels[e], i === 0 ? o.strides[e] : ones, rng)));
      }
      this.enc.push(units);
    }
    const decoder = this.child('decoder', new Named());
    const decStages = decoder.add('stages', new Named());
    const transp = decoder.add('transpconvs', new Named());
    const seg = decoder.add('seg_layers', new Named());
    for (let j = 0; j < n - 1; j++) {
      const e = n - 2 - j;
      this.ups.push(transp.add(`${j}`, new UpConv(d, f[e + 1], f[e], o.strides[e + 1], rng)));
      const convs = decStages.add(`${j}`, new Named()).add('convs', new Named());
      const units: ConvUnit[] = [];
      for (let i = 0; i < o.convsPerStage; i++) units.push(convs.add(`${i}`, new ConvUnit(d, i === 0 ? 2 * f[e] : f[e], f[e], o.kernels[e], ones, rng)));
      this.dec.push(units);
      this.segs.push(seg.add(`${j}`, new AxisConv(d, f[e], o.classes, ones, ones, rng)));
    }
    if (o.deepSupervision) this.heads = (x) => this.run(x, true);
  }

  /** Logits of the highest-resolution head, [B, ...S, classes]. */
  forward(x: Tensor): Tensor {
    return this.run(x, false)[0];
  }

  /** The heads highest resolution first (all of them, or only the first). */
  private run(x: Tensor, all: boolean): Tensor[] {
    this.checkInput(x);
    return tf.tidy(() => {
      const skips: Tensor[] = [];
      let h = x;
      for (const units of this.enc) {
        for (const u of units) h = u.apply(h);
        skips.push(h); // [B, ...S_e, f_e]
      }
      const outs: Tensor[] = [];
      const last = this.dec.length - 1;
      for (let j = 0; j <= last; j++) {
        const e = skips.length - 2 - j;
        h = tf.concat([this.ups[j].apply(h), skips[e]], -1); // [B, ...S_e, 2·f_e]: up-sampled first, as nnU-Net
        for (const u of this.dec[j]) h = u.apply(h);
        if (all || j === last) outs.push(this.segs[j].apply(h)); // [B, ...S_e, classes]
      }
      return outs.reverse();
    });
  }

  /** Throws, before any work, when x's rank, channels or spatial size do not fit. */
  checkInput(x: Tensor): void {
    const o = this.options;
    const rank = o.spatialDims + 2;
    if (x.rank !== rank) throw new Error(`input [${x.shape}] has rank ${x.rank}; a ${o.spatialDims}-D nnU-Net takes rank ${rank}`);
    const c = x.shape[rank - 1];
    if (c !== o.inChannels) throw new Error(`input [${x.shape}] has ${c} channels; this nnU-Net takes ${o.inChannels} (channels-last)`);
    checkNnUNetInput(o, x.shape.slice(1, -1));
  }
}
