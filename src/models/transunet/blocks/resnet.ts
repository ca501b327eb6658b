/**
 * ResNetV2 (the hybrid's R50 trunk): root (StdConv 7×7/2 → GN → ReLU) → max-pool 3/2 unpadded → block1 … block3
 * of Bottlenecks (widths w, 2w, 4w → 4w, 8w, 16w; blocks 2 and 3 stride 2 in their first unit).
 */
import { tf, type Tensor } from '../../../core/tf.js';
import type { Rng } from '../../../core/rng.js';
import { Module } from '../../../nn/module.js';
import { GroupNorm } from '../../../nn/norm.js';
import { padAxisZeros } from '../../../nn/ops/crop.js';
import { RESNET_GROUPS } from '../options.js';
import { Bottleneck, GN_EPS } from './bottleneck.js';
import { Named } from './named.js';
import { StdConv } from './std-conv.js';

/** The root: StdConv 7×7 stride 2 padding 3 (3 → w) → GroupNorm(32, ε 1e-6) → ReLU; keys `root.conv`, `root.gn`. */
class Root extends Module {
  readonly conv: StdConv;
  readonly gn: GroupNorm;

  constructor(width: number, rng: Rng) {
    super();
    this.conv = this.child('conv', new StdConv(3, width, 7, 2, 3, rng));
    this.gn = this.child('gn', new GroupNorm(width, { groups: RESNET_GROUPS, eps: GN_EPS }));
  }

  apply(x: Tensor): Tensor {
    return tf.tidy(() => this.gn.apply(this.conv.apply(x), true)); // [B, H/2, W/2, w]
  }
}

/** The trunk's 1/16 map and its skips, deepest first: [1/8 (8w), 1/4 (4w, zero-padded from H/4 − 1), 1/2 (w)]. */
export interface TrunkOutput {
  x: Tensor;
  skips: Tensor[];
}

export class ResNetV2 extends Module {
  readonly width: number;
  private readonly root: Root;
  private readonly blocks: Bottleneck[][] = [];

  /** `blockUnits` bottlenecks per block; width w (a multiple of 32). */
  constructor(blockUnits: readonly number[], width: number, rng: Rng) {
    super();
    const w = (this.width = width);
    this.root = this.child('root', new Root(w, rng));
    const body = this.child('body', new Named());
    blockUnits.forEach((n, b) => {
      const cmid = w * 2 ** b, cout = 4 * cmid, cin = b === 0 ? w : 2 * cmid;
      const block = body.add(`block${b + 1}`, new Named());
      const units: Bottleneck[] = [];
      for (let u = 1; u <= n; u++) {
        units.push(block.add(`unit${u}`, u === 1 ? new Bottleneck(cin, cout, cmid, b === 0 ? 1 : 2, rng) : new Bottleneck(cout, cout, cmid, 1, rng)));
      }
      this.blocks.push(units);
    });
  }

  /**
   * x [B, H, H, 3] (H a multiple of 16). The unpadded max-pool leaves block 1 one short of H/4; its skip is zero-padded
   * at the bottom and right to H/4 (upstream's rule), while block 2 reads the unpadded map.
   */
  apply(x: Tensor): TrunkOutput {
    const size = x.shape[1]!;
    const out = tf.tidy(() => {
      const r = this.root.apply(x); // [B, H/2, H/2, w]
      const skips: Tensor[] = [r];
      let h = tf.maxPool(r as tf.Tensor4D, 3, 2, 'valid') as Tensor; // [B, H/4 − 1, H/4 − 1, w]
      this.blocks.forEach((units, b) => {
        for (const unit of units) h = unit.apply(h); // [B, H/4 − 1 | H/8 | H/16, …, 4w·2^b]
        if (b < this.blocks.length - 1) {
          const pad = Math.floor(size / 4 / (b + 1)) - h.shape[1]!;
          if (pad < 0 || pad >= 3) throw new Error(`ResNetV2: block ${b + 1} gives [${h.shape}] for input size ${size}`);
          skips.push(pad ? padAxisZeros(padAxisZeros(h, 1, 0, pad), 2, 0, pad) : h); // [B, H/4 | H/8, …, 4w·2^b]
        }
      });
      return [h, ...skips.reverse()];
    });
    const [h, ...skips] = out;
    return { x: h, skips };
  }
}
