/** Up: up-sample ×2 (interpolate, or transposed conv 2×2(×2) stride 2) → concat [crop(skip), x] → DoubleConv. */
import { type Tensor, tf } from '../../../core/tf.js';
import type { Rng } from '../../../core/rng.js';
import { Module } from '../../../nn/module.js';
import { ConvTranspose } from '../../../nn/conv.js';
import { spatialOps, type SpatialOps } from '../../../nn/factory.js';
import { concatSkip } from '../../../nn/ops/crop.js';
import type { ResolvedUNetOptions } from '../options.js';
import type { DecoderChannels } from '../plan.js';
import { DoubleConv } from './double-conv.js';

export class Up extends Module {
  private readonly ops: SpatialOps;
  private readonly upConv?: ConvTranspose;
  private readonly conv: DoubleConv;
  private readonly alignCorners: boolean;

  /** PyTorch layout: `up.{weight,bias}` (transposed only), `conv.conv.*`. */
  constructor(o: ResolvedUNetOptions, c: DecoderChannels, rng: Rng) {
    super();
    this.ops = spatialOps(o.spatialDims);
    this.alignCorners = o.alignCorners;
    if (o.upsample === 'transposed') this.upConv = this.child('up', new ConvTranspose(o.spatialDims, c.upIn, c.upOut, 2, o.upBias, rng));
    this.conv = this.child('conv', new DoubleConv(o, c.in, c.out, c.out, rng));
  }

  /** `skipEnabled = false` joins zeros in place of the skip (skip ablation). */
  apply(x: Tensor, skip: Tensor, skipEnabled = true): Tensor {
    return tf.tidy(() => {
      const up = this.upConv ? this.upConv.apply(x) : this.ops.upsample(x, this.alignCorners); // [B, ...2S, C_up]
      const joined = concatSkip(skip, up, skipEnabled); // [B, ...2S, C_skip + C_up]
      return this.conv.apply(joined); // [B, ...2S (− 4), C_out]
    });
  }
}
