/**
 * The cascaded up-sampler (upstream's `DecoderCup`): tokens → [B, g, g, hidden] → conv_more (conv 3×3 → BN → ReLU,
 * to 512) → 4 × DecoderBlock (bilinear ×2, align_corners → cat([up, skip]) → (conv 3×3 → BN → ReLU) × 2).
 */
import { tf, type Tensor } from '../../../core/tf.js';
import type { Rng } from '../../../core/rng.js';
import { Module, Sequence } from '../../../nn/module.js';
import { Conv } from '../../../nn/conv.js';
import { BatchNorm } from '../../../nn/norm.js';
import { upsample2x } from '../../../nn/ops/resize.js';

/** Upstream's `Conv2dReLU`: conv 3×3 (padding 1, no bias) → BatchNorm → ReLU; keys `.0` (conv), `.1` (BN). */
export class ConvBnRelu extends Sequence {
  private readonly conv: Conv;
  private readonly bn: BatchNorm;

  constructor(cin: number, cout: number, rng: Rng) {
    super();
    this.conv = this.add(0, new Conv(2, cin, cout, 3, 'same', false, rng));
    this.bn = this.add(1, new BatchNorm(cout));
  }

  apply(x: Tensor): Tensor {
    return tf.tidy(() => this.bn.apply(this.conv.apply(x), true)); // [B, H, W, Cout]
  }
}

/** DecoderBlock: bilinear ×2 (align_corners) → cat([up, skip]) when a skip is given → (conv 3×3 → BN → ReLU) × 2. */
export class DecoderBlock extends Module {
  private readonly conv1: ConvBnRelu;
  private readonly conv2: ConvBnRelu;

  constructor(cin: number, cout: number, skip: number, rng: Rng) {
    super();
    this.conv1 = this.child('conv1', new ConvBnRelu(cin + skip, cout, rng));
    this.conv2 = this.child('conv2', new ConvBnRelu(cout, cout, rng));
  }

  apply(x: Tensor, skip?: Tensor): Tensor {
    return tf.tidy(() => {
      let h = upsample2x(x, true); // [B, 2H, 2W, Cin]
      if (skip) h = tf.concat([h, skip], 3); // [B, 2H, 2W, Cin + Cskip]
      return this.conv2.apply(this.conv1.apply(h)); // [B, 2H, 2W, Cout]
    });
  }
}

export class DecoderCup extends Module {
  private readonly convMore: ConvBnRelu;
  private readonly blocks: DecoderBlock[] = [];

  /** `skipChannels[i]` joins block i when i < nSkip (8w, 4w, w; the last block never has one). */
  constructor(hidden: number, convMoreChannels: number, decoderChannels: readonly number[], skipChannels: readonly number[],
              readonly nSkip: number, rng: Rng) {
    super();
    this.convMore = this.child('conv_more', new ConvBnRelu(hidden, convMoreChannels, rng));
    const seq = this.child('blocks', new Sequence());
    decoderChannels.forEach((cout, i) => {
      const cin = i === 0 ? convMoreChannels : decoderChannels[i - 1];
      this.blocks.push(seq.add(i, new DecoderBlock(cin, cout, i < nSkip ? skipChannels[i] : 0, rng)));
    });
  }

  /** tokens [B, g², hidden] and the trunk's skips (deepest first) → [B, 16g, 16g, decoderChannels[3]]. */
  apply(tokens: Tensor, skips: readonly Tensor[]): Tensor {
    return tf.tidy(() => {
      const [b, n, hidden] = tokens.shape;
      const g = Math.round(Math.sqrt(n));
      let h = this.convMore.apply(tf.reshape(tokens, [b, g, g, hidden])); // [B, g, g, 512]
      this.blocks.forEach((block, i) => {
        h = block.apply(h, i < this.nSkip ? skips[i] : undefined); // [B, g·2^(i+1), g·2^(i+1), dec_i]
      });
      return h;
    });
  }
}
