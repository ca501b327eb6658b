/**
 * UpCat: transposed conv 2×2(×2) stride 2 (C_in → C_in/2 on rows 1 … 3, C_in kept on row 0) → replicate-pad one voxel
 * where it is short of the skips → concat [skips…, up] → TwoConv   (keys upsample.deconv.*, convs.*).
 */
import { tf, type Tensor } from '../../../core/tf.js';
import type { Rng } from '../../../core/rng.js';
import { Module } from '../../../nn/module.js';
import { ConvTranspose } from '../../../nn/conv.js';
import type { SpatialDims } from '../../../nn/factory.js';
import { TwoConv, type DropoutSource } from './conv-block.js';
import { Named } from './named.js';
import { replicatePadTo } from './replicate-pad.js';
import { join } from '../../../nn/ops/view.js';

export class UpCat extends Module {
  private readonly deconv: ConvTranspose;
  private readonly convs: TwoConv;

  /** `inC`: channels of the deeper node; `catC`: the skips' channels together; `upC`: channels after up-sampling. */
  constructor(dims: SpatialDims, inC: number, catC: number, upC: number, outC: number, dropout: DropoutSource, rng: Rng) {
    super();
    this.deconv = this.child('upsample', new Named()).add('deconv', new ConvTranspose(dims, inC, upC, 2, true, rng));
    this.convs = this.child('convs', new TwoConv(dims, catC + upC, outC, dropout, rng));
  }

  /** x: the node below [B, ...⌊S/2⌋, C_in]; skips: the nodes to the left on this row, each [B, ...S, C_row]. */
  apply(x: Tensor, skips: Tensor[]): Tensor {
    return tf.tidy(() => {
      const target = skips[0].shape.slice(1, -1);
      const up = replicatePadTo(this.deconv.apply(x), target); // [B, ...S, C_up]
      const joined = join([...skips, up], up.rank - 1); // [B, ...S, catC + C_up] (tf.concat would keep `up` alive for its gradient)
      return this.convs.apply(joined); // [B, ...S, C_out]
    });
  }
}
