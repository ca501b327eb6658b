/**
 * U-Net++ (Zhou et al. 2018, "UNet++: A Nested U-Net Architecture"), as MONAI's `BasicUNetPlusPlus`: one definition
 * for 2-D and 3-D. Channels-last: x is [B, ...S, C]; S_i = ⌊S / 2^i⌋ is the size of row i, f the six `features`.
 *
 *   x_0_0 ── x_0_1 ── x_0_2 ── x_0_3 ── x_0_4 → head 4      x_i_0 = Down(x_i−1_0)            (encoder, row i)
 *     │    ↗   │    ↗   │    ↗   │    ↗                      x_i_j = UpCat(x_i+1_j−1,          (nested decoder)
 *   x_1_0 ── x_1_1 ── x_1_2 ── x_1_3                                   [x_i_0 … x_i_j−1])
 *     │    ↗   │    ↗   │    ↗                               head j = conv 1×1 on x_0_j
 *   x_2_0 ── x_2_1 ── x_2_2            (every x_i_j also receives all of x_i_0 … x_i_j−1: the dense skips)
 *     │    ↗   │    ↗
 *   x_3_0 ── x_3_1
 *     │    ↗
 *   x_4_0
 *
 * Module names are MONAI's (conv_0_0, conv_i_0, upcat_i_j, final_conv_0_j), so a MONAI state dict loads one-to-one.
 */
import { tf, type Tensor } from '../../core/tf.js';
import { Rng } from '../../core/rng.js';
import { Module } from '../../nn/module.js';
import { Conv } from '../../nn/conv.js';
import { DropoutSource, TwoConv } from './blocks/conv-block.js';
import { Down } from './blocks/down.js';
import { UpCat } from './blocks/up-cat.js';
import { resolveUNetPPOptions, type ResolvedUNetPPOptions, type UNetPPOptions } from './options.js';
import { checkUNetPPInput, DEPTH, nodeChannels, upChannels, unetppGeometry } from './plan.js';
import type { Geometry, NetSpec, SegmentationNet } from '../types.js';

export class UNetPlusPlus extends Module implements SegmentationNet {
  readonly options: ResolvedUNetPPOptions;
  readonly geometry: Geometry;
  readonly spec: NetSpec;
  /**
   * With deep supervision: the four heads' logits [head 1 … head 4], each [B, ...S, classes], from the full network
   * (training averages their losses). Absent without deep supervision (`forward` is then the only output).
   */
  readonly heads?: (x: Tensor) => Tensor[];
  private readonly conv00: TwoConv;
  /** downs[i − 1] is conv_i_0. */
  private readonly downs: Down[] = [];
  /** upcats[i][j] is upcat_i_j (j ≥ 1, i + j ≤ 4). */
  private readonly upcats: UpCat[][] = [];
  /** finals[j − 1] is final_conv_0_j. */
  private readonly finals: Conv[] = [];

  constructor(options: UNetPPOptions = {}) {
    super();
    const o = (this.options = resolveUNetPPOptions(options));
    this.geometry = unetppGeometry(o);
    this.spec = { arch: 'unetpp', options: o };
    const d = o.spatialDims, f = o.features;
    const rng = new Rng(o.seed);
    // Registration order is MONAI's: encoder, then the nested nodes column by column, then the heads. The dropout
    // masks draw from the same generator after the weights.
    const dropout = new DropoutSource(o.dropout, rng);
    this.conv00 = this.child('conv_0_0', new TwoConv(d, o.inChannels, f[0], dropout, rng));
    for (let i = 1; i <= DEPTH; i++) this.downs.push(this.child(`conv_${i}_0`, new Down(d, f[i - 1], f[i], dropout, rng)));
    for (let i = 0; i < DEPTH; i++) this.upcats.push([]);
    for (let j = 1; j <= DEPTH; j++) {
      for (let i = 0; i + j <= DEPTH; i++) {
        this.upcats[i][j] = this.child(`upcat_${i}_${j}`, new UpCat(d, f[i + 1], j * f[i], upChannels(f, i), nodeChannels(f, i, j), dropout, rng));
      }
    }
    for (let j = 1; j <= DEPTH; j++) this.finals.push(this.child(`final_conv_0_${j}`, new Conv(d, nodeChannels(f, 0, j), o.classes, 1, 'same', true, rng)));
    if (o.deepSupervision) this.heads = (x) => this.allHeads(x);
  }

  /**
   * The inference output [B, ...S, classes]: without deep supervision head 4 (MONAI); with it, per `inference`,
   * the mean of the four heads' logits ('accurate') or head `pruneLevel` of the pruned network ('fast').
   */
  forward(x: Tensor): Tensor {
    this.checkInput(x);
    const o = this.options;
    return tf.tidy(() => {
      if (o.deepSupervision && o.inference === 'accurate') {
        const [h1, h2, h3, h4] = this.allHeads(x); // 4 × [B, ...S, classes]
        return tf.mul(tf.add(tf.add(h1, h2), tf.add(h3, h4)), 0.25); // [B, ...S, classes]
      }
      const level = o.deepSupervision ? o.pruneLevel : DEPTH;
      const nodes = this.nodes(x, level);
      return this.finals[level - 1].apply(nodes[0][level]); // head L: [B, ...S, classes]
    });
  }

  private allHeads(x: Tensor): Tensor[] {
    this.checkInput(x);
    return tf.tidy(() => {
      const nodes = this.nodes(x, DEPTH);
      return this.finals.map((head, k) => head.apply(nodes[0][k + 1])); // head j on x_0_j: [B, ...S, classes]
    });
  }

  /** The nodes x_i_j with i + j ≤ level, as nodes[i][j] (the network pruned at `level`; level 4 is all of it). */
  private nodes(x: Tensor, level: number): Tensor[][] {
    const n: Tensor[][] = Array.from({ length: DEPTH + 1 }, () => []);
    n[0][0] = this.conv00.apply(x); // x_0_0: [B, ...S, f0]
    for (let k = 1; k <= level; k++) {
      n[k][0] = this.downs[k - 1].apply(n[k - 1][0]); // x_k_0: [B, ...S_k, f_k]
      for (let j = 1; j <= k; j++) {
        const i = k - j;
        n[i][j] = this.upcats[i][j].apply(n[i + 1][j - 1], n[i].slice(0, j)); // x_i_j: [B, ...S_i, f_i] (f5 for x_0_4)
      }
    }
    return n;
  }

  /** Throws, before any work, when x's rank, channels or spatial size do not fit. */
  checkInput(x: Tensor): void {
    const o = this.options;
    const rank = o.spatialDims + 2;
    if (x.rank !== rank) throw new Error(`input [${x.shape}] has rank ${x.rank}; a ${o.spatialDims}-D U-Net++ takes rank ${rank} (${o.spatialDims === 2 ? '[B, H, W, C]' : '[B, D, H, W, C]'})`);
    const c = x.shape[rank - 1];
    if (c !== o.inChannels) throw new Error(`input [${x.shape}] has ${c} channels; this U-Net++ takes ${o.inChannels} (channels-last)`);
    checkUNetPPInput(o, x.shape.slice(1, -1));
  }
}
