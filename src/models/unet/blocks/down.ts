/** Down: max-pool 2×(×2) → DoubleConv. */
import { type Tensor, tf } from '../../../core/tf.js';
import type { Rng } from '../../../core/rng.js';
import { Module, Sequence } from '../../../nn/module.js';
import { spatialOps, type SpatialOps } from '../../../nn/factory.js';
import type { ResolvedUNetOptions } from '../options.js';
import { DoubleConv } from './double-conv.js';

export class Down extends Module {
  private readonly ops: SpatialOps;
  private readonly conv: DoubleConv;

  /** PyTorch layout `down.1.conv.*` (index 0 is the parameter-free pool). */
  constructor(o: ResolvedUNetOptions, inC: number, midC: number, outC: number, rng: Rng) {
    super();
    this.ops = spatialOps(o.spatialDims);
    this.conv = this.child('down', new Sequence()).add(1, new DoubleConv(o, inC, midC, outC, rng));
  }

  apply(x: Tensor): Tensor {
    return tf.tidy(() => {
      const pooled = this.ops.maxPool(x); // [B, ...S/2, C]
      return this.conv.apply(pooled); // [B, ...S/2 (− 4), C_out]
    });
  }
}
