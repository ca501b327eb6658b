/**
 * TransUNet (Chen et al. 2021), Beckschen's R50-ViT-B/16 `VisionTransformer` as its train.py builds it. 2-D,
 * channels-last: x is [B, H, H, C] with H = imgSize exactly (C = 1 is repeated to 3).
 *
 *   ResNetV2 trunk (root 1/2 → block1 1/4 → block2 1/8 → block3 1/16) → 1×1 patch conv → g² tokens + position
 *   embeddings → numLayers × ViT block → LayerNorm → grid → conv_more (512) → 4 × (bilinear ×2 → cat skip → 2 × conv)
 *   → 3×3 head.
 *
 * Module names follow upstream's, so state dicts map one-to-one (`transformer.embeddings.hybrid_model.root.conv.weight`,
 * `transformer.encoder.layer.0.attn.query.weight`, `decoder.blocks.0.conv1.0.weight`, `segmentation_head.0.weight`).
 * Its published Synapse results rest on ImageNet-21k pretraining of the encoder (the official R50+ViT-B_16.npz),
 * which cannot be downloaded here: where a user has the file, `readNpz` (src/io/npz.ts) and `loadNpzEncoder` (npz-keys.ts)
 * load it. Trained from random weights, as everything here is, it should not be expected to reach the paper's numbers.
 */
import { tf, type Tensor } from '../../core/tf.js';
import { Rng } from '../../core/rng.js';
import { Module, Sequence } from '../../nn/module.js';
import { Conv } from '../../nn/conv.js';
import type { Geometry, NetSpec, SegmentationNet } from '../types.js';
import { CONV_MORE_CHANNELS, resnetWidth, resolveOptions, type ResolvedTransUNetOptions, type TransUNetOptions } from './options.js';
import { gridSide, skipChannels, transunetGeometry } from './plan.js';
import { Embeddings } from './blocks/embeddings.js';
import { Encoder } from './blocks/transformer.js';
import { DecoderCup } from './blocks/decoder.js';

/** Upstream's `Transformer`: `embeddings` (trunk + tokens) and `encoder` (the ViT blocks + final LayerNorm). */
class Transformer extends Module {
  readonly embeddings: Embeddings;
  readonly encoder: Encoder;

  constructor(o: ResolvedTransUNetOptions, rng: Rng, dropRng: Rng) {
    super();
    const g = gridSide(o);
    this.embeddings = this.child('embeddings', new Embeddings(g * g, o.hiddenSize, o.blockUnits, resnetWidth(o), o.dropoutRate, rng, dropRng));
    this.encoder = this.child('encoder', new Encoder(o.hiddenSize, o.mlpDim, o.numHeads, o.numLayers, o.dropoutRate, rng, dropRng));
  }

  apply(x: Tensor): { tokens: Tensor; skips: Tensor[] } {
    const { tokens, skips } = this.embeddings.apply(x); // [B, g², hidden]
    const encoded = this.encoder.apply(tokens); // [B, g², hidden]
    tokens.dispose();
    return { tokens: encoded, skips };
  }
}

export class TransUNet extends Module implements SegmentationNet {
  readonly options: ResolvedTransUNetOptions;
  readonly geometry: Geometry;
  readonly spec: NetSpec;
  private readonly transformer: Transformer;
  private readonly decoder: DecoderCup;
  private readonly head: Conv;

  constructor(options: TransUNetOptions = {}) {
    super();
    const o = (this.options = resolveOptions(options));
    this.geometry = transunetGeometry(o);
    this.spec = { arch: 'transunet', options: o };
    const rng = new Rng(o.seed);
    const dropRng = new Rng(rng.nextUint32()); // dropout masks: their own stream, so they do not shift the weights
    this.transformer = this.child('transformer', new Transformer(o, rng, dropRng));
    this.decoder = this.child('decoder', new DecoderCup(o.hiddenSize, CONV_MORE_CHANNELS, o.decoderChannels, skipChannels(o), o.nSkip, rng));
    const head = this.child('segmentation_head', new Sequence());
    this.head = head.add(0, new Conv(2, o.decoderChannels[3], o.classes, 3, 'same', true, rng));
  }

  /** Logits [B, H, H, classes] for x [B, H, H, inChannels], H = imgSize. */
  forward(x: Tensor): Tensor {
    this.checkInput(x);
    return tf.tidy(() => {
      const rgb = x.shape[3] === 1 ? tf.concat([x, x, x], 3) : x; // [B, H, H, 3] (concat: a native block copy, unlike Tile)
      const { tokens, skips } = this.transformer.apply(rgb); // [B, g², hidden]; skips [B, H/8, ·, 8w], [B, H/4, ·, 4w], [B, H/2, ·, w]
      const h = this.decoder.apply(tokens, skips); // [B, H, H, decoderChannels[3]]
      return this.head.apply(h); // [B, H, H, classes]
    });
  }

  /** Throws, before any work, when x's rank, channels or size do not fit. */
  checkInput(x: Tensor): void {
    const o = this.options;
    if (x.rank !== 4) throw new Error(`input [${x.shape}] has rank ${x.rank}; TransUNet is 2-D and takes rank 4 ([B, H, W, C])`);
    const c = x.shape[3];
    if (c !== o.inChannels) throw new Error(`input [${x.shape}] has ${c} channels; this TransUNet takes ${o.inChannels} (channels-last)`);
    this.geometry.output(x.shape.slice(1, 3));
  }
}
