/**
 * The U-Net, one definition for 2-D and 3-D (`spatialDims` picks the ops). Channels-last throughout:
 * x is [B, H, W, C] or [B, D, H, W, C]; below, S stands for the spatial axes and F for the base width.
 *
 * Module names follow the chapter's PyTorch code, so the state dict maps one-to-one:
 *   inc, down1 … downN, up1 (deepest) … upN, outc.
 */
import { tf, type Tensor } from '../../core/tf.js';
import { Rng } from '../../core/rng.js';
import { Module } from '../../nn/module.js';
import { Conv } from '../../nn/conv.js';
import { DoubleConv } from './blocks/double-conv.js';
import { Down } from './blocks/down.js';
import { Up } from './blocks/up.js';
import { resolveOptions, type ResolvedUNetOptions, type UNetOptions } from './options.js';
import { axisFlow, channelPlan, checkInputSize, nearestValidSizes, type ChannelPlan } from './plan.js';
import type { Geometry, NetSpec, SegmentationNet } from '../types.js';

export class UNet extends Module implements SegmentationNet {
  readonly options: ResolvedUNetOptions;
  readonly plan: ChannelPlan;
  readonly geometry: Geometry;
  readonly spec: NetSpec;
  private readonly inc: DoubleConv;
  private readonly downs: Down[] = [];
  /** ups[k] is module `up{k+1}`, joining the skip of level depth−1−k. */
  private readonly ups: Up[] = [];
  private readonly outc: Conv;

  constructor(options: UNetOptions = {}) {
    super();
    const o = (this.options = resolveOptions(options));
    const p = (this.plan = channelPlan(o));
    this.geometry = unetGeometry(o);
    this.spec = { arch: 'unet', options: o };
    const rng = new Rng(o.seed);
    const e = p.encoder;
    this.inc = this.child('inc', new DoubleConv(o, e[0].in, e[0].mid, e[0].out, rng));
    for (let l = 1; l <= o.depth; l++) this.downs.push(this.child(`down${l}`, new Down(o, e[l].in, e[l].mid, e[l].out, rng)));
    for (let k = 1; k <= o.depth; k++) this.ups.push(this.child(`up${k}`, new Up(o, p.decoder[o.depth - k], rng)));
    this.outc = this.child('outc', new Conv(o.spatialDims, p.head, o.classes, 1, 'same', o.outBias, rng));
  }

  /** Logits [B, ...S_out, classes] for x [B, ...S, inChannels]; S_out = S with same padding. */
  forward(x: Tensor): Tensor {
    this.checkInput(x);
    const o = this.options;
    return tf.tidy(() => {
      const skips: Tensor[] = [];
      let h = this.inc.apply(x); // x1: [B, ...S, F]
      for (const down of this.downs) {
        skips.push(h);
        h = down.apply(h); // x2 … x(N+1): [B, ...S/2^l, F·2^l]; the last is the bottleneck
      }
      this.ups.forEach((up, k) => {
        const l = o.depth - 1 - k;
        h = up.apply(h, skips[l], o.skips[l]); // up(k+1)(h, x(l+1)): [B, ...S/2^l, C_dec(l)]
      });
      return this.outc.apply(h); // [B, ...S, classes]
    });
  }

  /** Throws, before any work, when x's rank, channels or spatial size do not fit. */
  checkInput(x: Tensor): void {
    const o = this.options;
    const rank = o.spatialDims + 2;
    if (x.rank !== rank) throw new Error(`input [${x.shape}] has rank ${x.rank}; a ${o.spatialDims}-D U-Net takes rank ${rank} (${o.spatialDims === 2 ? '[B, H, W, C]' : '[B, D, H, W, C]'})`);
    const c = x.shape[rank - 1];
    if (c !== o.inChannels) throw new Error(`input [${x.shape}] has ${c} channels; this U-Net takes ${o.inChannels} (channels-last)`);
    checkInputSize(o, x.shape.slice(1, -1));
  }

  /** Changes which skips are joined (skip ablation) without touching the weights. */
  setSkips(skips: boolean[]): void {
    if (skips.length !== this.options.depth) throw new Error(`setSkips: need ${this.options.depth} entries, got ${skips.length}`);
    this.options.skips = [...skips];
  }
}

/** The geometry of a U-Net with options `o` (the answers of plan.ts, behind the interface inference uses). */
export function unetGeometry(o: ResolvedUNetOptions): Geometry {
  return {
    spatialDims: o.spatialDims, inChannels: o.inChannels, classes: o.classes, padding: o.padding, stride: 2 ** o.depth,
    axis: (size) => {
      const { out, error } = axisFlow(o, size);
      return { out, error };
    },
    output: (input) => checkInputSize(o, input).output,
    nearest: (size) => nearestValidSizes(o, size),
  };
}
