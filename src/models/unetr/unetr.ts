/**
 * UNETR (Hatamizadeh et al. 2022; MONAI `UNETR`), one definition for 2-D and 3-D. Channels-last: x is [B, ...S, C],
 * S exactly `imgSize`; F = featureSize, h = hiddenSize, N = ∏ S/16 tokens; "map(t)" views tokens [B, N, h] as
 * [B, ...S/16, h].
 *
 *   tokens ─ ViT: 12 pre-norm transformer blocks ─┬ block 4  → encoder2: up 2× → (up 2× → block) × 2 → [S/2, 2F]
 *                                                 ├ block 7  → encoder3: up 2× → (up 2× → block)     → [S/4, 4F]
 *                                                 ├ block 10 → encoder4: up 2×                       → [S/8, 8F]
 *                                                 └ LN(block 12) → decoder5 ← encoder4 → decoder4 ← encoder3
 *   x ─ encoder1 (block) ─────────────────────────────────────── decoder2 ← … ← decoder3 ← encoder2 → out 1×1
 *
 * Module names are MONAI's, so a MONAI state dict (without its unused `cross_attn` keys) maps one-to-one.
 */
import { tf, type Tensor } from '../../core/tf.js';
import { Rng } from '../../core/rng.js';
import { Module } from '../../nn/module.js';
import type { Geometry, NetSpec, SegmentationNet } from '../types.js';
import { PATCH, SKIP_BLOCKS, resolveOptions, type ResolvedUNETROptions, type UNETROptions } from './options.js';
import { unetrGeometry } from './plan.js';
import { ViT } from './blocks/transformer.js';
import { ImageBlock } from './blocks/conv-blocks.js';
import { OutBlock, PrUpBlock, UpBlock } from './blocks/up-blocks.js';

export class UNETR extends Module implements SegmentationNet {
  readonly options: ResolvedUNETROptions;
  readonly geometry: Geometry;
  readonly spec: NetSpec;
  private readonly vit: ViT;
  private readonly encoder1: ImageBlock;
  private readonly encoder2: PrUpBlock;
  private readonly encoder3: PrUpBlock;
  private readonly encoder4: PrUpBlock;
  private readonly decoder5: UpBlock;
  private readonly decoder4: UpBlock;
  private readonly decoder3: UpBlock;
  private readonly decoder2: UpBlock;
  private readonly out: OutBlock;

  constructor(options: UNETROptions = {}) {
    super();
    const o = (this.options = resolveOptions(options));
    this.geometry = unetrGeometry(o);
    this.spec = { arch: 'unetr', options: o };
    const rng = new Rng(o.seed);
    const d = o.spatialDims, f = o.featureSize, h = o.hiddenSize;
    this.vit = this.child('vit', new ViT(o, rng));
    this.encoder1 = this.child('encoder1', new ImageBlock(o.resBlock, d, o.inChannels, f, o.norm, rng));
    this.encoder2 = this.child('encoder2', new PrUpBlock(o, h, 2 * f, 2, rng));
    this.encoder3 = this.child('encoder3', new PrUpBlock(o, h, 4 * f, 1, rng));
    this.encoder4 = this.child('encoder4', new PrUpBlock(o, h, 8 * f, 0, rng));
    this.decoder5 = this.child('decoder5', new UpBlock(o, h, 8 * f, rng));
    this.decoder4 = this.child('decoder4', new UpBlock(o, 8 * f, 4 * f, rng));
    this.decoder3 = this.child('decoder3', new UpBlock(o, 4 * f, 2 * f, rng));
    this.decoder2 = this.child('decoder2', new UpBlock(o, 2 * f, f, rng));
    this.out = this.child('out', new OutBlock(d, f, o.classes, rng));
  }

  /** Logits [B, ...S, classes] for x [B, ...S, inChannels], S = imgSize. */
  forward(x: Tensor): Tensor {
    this.checkInput(x);
    const B = x.shape[0];
    const grid = this.options.imgSize.map((s) => s / PATCH);
    const map = (t: Tensor) => tf.reshape(t, [B, ...grid, this.options.hiddenSize]); // [B, N, h] → [B, ...S/16, h]
    return tf.tidy(() => {
      const { out: z, states } = this.vit.apply(x);                          // [B, N, h]; states[i]: block i+1
      const enc1 = this.encoder1.apply(x);                                    // [B, ...S, F]
      const enc2 = this.encoder2.apply(map(states[SKIP_BLOCKS[0] - 1]));    // [B, ...S/2, 2F]
      const enc3 = this.encoder3.apply(map(states[SKIP_BLOCKS[1] - 1]));    // [B, ...S/4, 4F]
      const enc4 = this.encoder4.apply(map(states[SKIP_BLOCKS[2] - 1]));    // [B, ...S/8, 8F]
      const dec3 = this.decoder5.apply(map(z), enc4);                        // [B, ...S/8, 8F]
      const dec2 = this.decoder4.apply(dec3, enc3);                          // [B, ...S/4, 4F]
      const dec1 = this.decoder3.apply(dec2, enc2);                          // [B, ...S/2, 2F]
      const dec0 = this.decoder2.apply(dec1, enc1);                          // [B, ...S, F]
      return this.out.apply(dec0);                                           // [B, ...S, classes]
    });
  }

  /** Throws, before any work, when x's rank, channels or spatial size do not fit. */
  checkInput(x: Tensor): void {
    const o = this.options;
    const rank = o.spatialDims + 2;
    if (x.rank !== rank) throw new Error(`input [${x.shape}] has rank ${x.rank}; a ${o.spatialDims}-D UNETR takes rank ${rank} (${o.spatialDims === 2 ? '[B, H, W, C]' : '[B, D, H, W, C]'})`);
    const c = x.shape[rank - 1];
    if (c !== o.inChannels) throw new Error(`input [${x.shape}] has ${c} channels; this UNETR takes ${o.inChannels} (channels-last)`);
    this.geometry.output(x.shape.slice(1, -1));
  }
}
