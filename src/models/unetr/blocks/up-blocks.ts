/**
 * The blocks that bring tokens and features up a level (MONAI `UnetrPrUpBlock`, `UnetrUpBlock`, `UnetOutBlock`):
 *   PrUpBlock (encoders 2–4): up2 → (up2 → conv block) × n   (× up2 alone when convBlock is false)
 *   UpBlock (decoders):       conv block(cat[up2(x), skip])
 *   OutBlock:                 conv 1×1 with bias
 * up2 = bias-free transposed conv 2×2(×2), stride 2.
 */
import { tf, type Tensor } from '../../../core/tf.js';
import type { Rng } from '../../../core/rng.js';
import { Module, Sequence } from '../../../nn/module.js';
import { Conv } from '../../../nn/conv.js';
import type { SpatialDims } from '../../../nn/factory.js';
import type { ResolvedUNETROptions } from '../options.js';
import { ConvOnly, convBlock, up2, type ConvBlock } from './conv-blocks.js';

/** One refinement step of a PrUpBlock: `Sequential(up2, conv block)` (keys `0.conv.weight`, `1.*`). */
class UpConvStep extends Sequence {
  private readonly up: ConvOnly;
  private readonly block: ConvBlock;

  constructor(o: ResolvedUNETROptions, c: number, rng: Rng) {
    super();
    this.up = this.add(0, up2(o.spatialDims, c, c, rng));
    this.block = this.add(1, convBlock(o.resBlock, o.spatialDims, c, c, o.norm, rng));
  }

  apply(x: Tensor): Tensor {
    return tf.tidy(() => this.block.apply(this.up.apply(x))); // [B, ...2S, C]
  }
}

/** up2 → (up2 → conv block) × n: a token map at 1/16 brought up n + 1 levels. Keys `transp_conv_init`, `blocks.i`. */
export class PrUpBlock extends Module {
  private readonly init: ConvOnly;
  private readonly steps: (UpConvStep | ConvOnly)[] = [];

  constructor(o: ResolvedUNETROptions, inC: number, outC: number, n: number, rng: Rng) {
    super();
    this.init = this.child('transp_conv_init', up2(o.spatialDims, inC, outC, rng));
    const list = this.child('blocks', new Sequence());
    for (let i = 0; i < n; i++) this.steps.push(list.add(i, o.convBlock ? new UpConvStep(o, outC, rng) : up2(o.spatialDims, outC, outC, rng)));
  }

  apply(x: Tensor): Tensor {
    return tf.tidy(() => {
      let h = this.init.apply(x); // [B, ...2S, Cout]
      for (const step of this.steps) h = step.apply(h); // [B, ...2^(i+2)·S, Cout]
      return h;
    });
  }
}

/** conv block(cat[up2(x), skip]): 2·Cout → Cout. Keys `transp_conv`, `conv_block`. */
export class UpBlock extends Module {
  private readonly up: ConvOnly;
  private readonly block: ConvBlock;

  constructor(o: ResolvedUNETROptions, inC: number, outC: number, rng: Rng) {
    super();
    this.up = this.child('transp_conv', up2(o.spatialDims, inC, outC, rng));
    this.block = this.child('conv_block', convBlock(o.resBlock, o.spatialDims, 2 * outC, outC, o.norm, rng));
  }

  apply(x: Tensor, skip: Tensor): Tensor {
    return tf.tidy(() => {
      const up = this.up.apply(x);             // [B, ...2S, Cout]
      const joined = tf.concat([up, skip], -1); // [B, ...2S, 2·Cout]
      return this.block.apply(joined);          // [B, ...2S, Cout]
    });
  }
}

/** conv 1×1 with bias (keys `conv.conv.weight`, `conv.conv.bias`). */
export class OutBlock extends Module {
  private readonly conv: ConvOnly;

  constructor(dims: SpatialDims, inC: number, classes: number, rng: Rng) {
    super();
    this.conv = this.child('conv', new ConvOnly(new Conv(dims, inC, classes, 1, 'same', true, rng)));
  }

  apply(x: Tensor): Tensor {
    return this.conv.apply(x); // [B, ...S, classes]
  }
}
