/**
 * Attention U-Net (Oktay et al. 2018) as MONAI builds it (`monai.networks.nets.AttentionUnet`), one definition for
 * 2-D and 3-D. Channels-last: x is [B, ...S, C]; c_i = channels[i], S_i = S / (s_0 ⋯ s_{i−1}).
 *
 *   head:     ConvBlock in → c_0                                    [B, ...S, c_0]
 *   down i:   ConvBlock c_i → c_{i+1}, first conv stride s_i        [B, ...S_{i+1}, c_{i+1}]   (the last: bottleneck)
 *   level i:  up = UpConv(deeper) → gate(g = up, skip_i) → merge    [B, ...S_i, c_i]           (deepest first)
 *   out:      conv 1×1 c_0 → classes                                [B, ...S, classes]
 *
 * MONAI differs from the paper: the gate runs at the skip's resolution with g = the decoder feature after
 * up-sampling (no strided θ, no resampling of α); there is no pooling (strided convs) and no deep supervision.
 * Option `gate: 'oktay'` puts the paper's grid gate in its place (g = the coarser level's output, strided θ, α
 * resampled; see blocks/grid-attention-gate.ts); MONAI has no such option, so that form has no parity fixture.
 * Module names are MONAI's nested `Sequential` ones (`model.1.submodule.1.attention.W_g.0.conv.weight`), so a MONAI
 * state dict loads as it is.
 */
import { tf, type Tensor } from '../../core/tf.js';
import { Rng } from '../../core/rng.js';
import { Module, Sequence } from '../../nn/module.js';
import { Conv } from '../../nn/conv.js';
import type { Geometry, NetSpec, SegmentationNet } from '../types.js';
import { resolveOptions, type AttentionUNetOptions, type ResolvedAttentionUNetOptions } from './options.js';
import { attentionUNetGeometry, checkInputSize } from './plan.js';
import { ConvBlock } from './blocks/conv-block.js';
import { ConvADN } from './blocks/conv-adn.js';
import { AttentionLayer } from './blocks/attention-layer.js';

/** A second, independent stream for the dropout masks, so that dropout leaves the initial weights unchanged. */
const DROPOUT_STREAM = 0x5eed_d70f;

export class AttentionUNet extends Module implements SegmentationNet {
  readonly options: ResolvedAttentionUNetOptions;
  readonly geometry: Geometry;
  readonly spec: NetSpec;
  private readonly head: ConvBlock;
  /** downs[i]: level i → i+1 (the last one is the bottleneck). */
  private readonly downs: ConvBlock[] = [];
  /** levels[i]: the decoder of level i. */
  private readonly levels: AttentionLayer[] = [];
  private readonly outc: ConvADN;

  constructor(options: AttentionUNetOptions = {}) {
    super();
    const o = (this.options = resolveOptions(options));
    this.geometry = attentionUNetGeometry(o);
    this.spec = { arch: 'attention-unet', options: o };
    const rng = new Rng(o.seed);
    const dropRng = new Rng((o.seed ^ DROPOUT_STREAM) >>> 0);
    const model = this.child('model', new Sequence());
    this.head = model.add(0, new ConvBlock(o, o.inChannels, o.channels[0], 1, rng, dropRng));
    model.add(1, this.level(0, rng, dropRng));
    this.outc = model.add(2, new ConvADN(new Conv(o.spatialDims, o.channels[0], o.classes, 1, 'same', true, rng)));
  }

  /** Level i with its submodule, nested as MONAI nests them: Sequential(down_i, level i+1), or down_i alone deepest. */
  private level(i: number, rng: Rng, dropRng: Rng): AttentionLayer {
    const o = this.options;
    const down = (this.downs[i] = new ConvBlock(o, o.channels[i], o.channels[i + 1], o.strides[i], rng, dropRng));
    let sub: Module = down;
    if (i + 1 < o.strides.length) {
      const seq = new Sequence();
      seq.add(0, down);
      seq.add(1, this.level(i + 1, rng, dropRng));
      sub = seq;
    }
    return (this.levels[i] = new AttentionLayer(o, i, sub, rng, dropRng));
  }

  /** Logits [B, ...S, classes] for x [B, ...S, inChannels]. */
  forward(x: Tensor): Tensor {
    this.checkInput(x);
    return tf.tidy(() => {
      const skips: Tensor[] = [];
      let h = this.head.apply(x); // [B, ...S, c_0]
      for (const down of this.downs) {
        skips.push(h);
        h = down.apply(h); // [B, ...S_{i+1}, c_{i+1}]; the last is the bottleneck
      }
      for (let i = this.levels.length - 1; i >= 0; i--) h = this.levels[i].apply(h, skips[i]); // [B, ...S_i, c_i]
      return this.outc.apply(h); // [B, ...S, classes]
    });
  }

  /** Throws, before any work, when x's rank, channels or spatial size do not fit. */
  checkInput(x: Tensor): void {
    const o = this.options;
    const rank = o.spatialDims + 2;
    if (x.rank !== rank) throw new Error(`input [${x.shape}] has rank ${x.rank}; a ${o.spatialDims}-D Attention U-Net takes rank ${rank} (${o.spatialDims === 2 ? '[B, H, W, C]' : '[B, D, H, W, C]'})`);
    const c = x.shape[rank - 1];
    if (c !== o.inChannels) throw new Error(`input [${x.shape}] has ${c} channels; this Attention U-Net takes ${o.inChannels} (channels-last)`);
    checkInputSize(o, x.shape.slice(1, -1));
  }
}
