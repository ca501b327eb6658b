/** Down: max-pool 2×(×2) (floor) → TwoConv   (keys convs.*; the pool, MONAI's `max_pooling`, has no parameters). */
import { tf, type Tensor } from '../../../core/tf.js';
import type { Rng } from '../../../core/rng.js';
import { Module } from '../../../nn/module.js';
import { spatialOps, type SpatialDims, type SpatialOps } from '../../../nn/factory.js';
import { TwoConv, type DropoutSource } from './conv-block.js';

export class Down extends Module {
  private readonly ops: SpatialOps;
  private readonly convs: TwoConv;

  constructor(dims: SpatialDims, inC: number, outC: number, dropout: DropoutSource, rng: Rng) {
    super();
    this.ops = spatialOps(dims);
    this.convs = this.child('convs', new TwoConv(dims, inC, outC, dropout, rng));
  }

  apply(x: Tensor): Tensor {
    return tf.tidy(() => {
      const pooled = this.ops.maxPool(x); // [B, ...⌊S/2⌋, C_in]
      return this.convs.apply(pooled); // [B, ...⌊S/2⌋, C_out]
    });
  }
}
