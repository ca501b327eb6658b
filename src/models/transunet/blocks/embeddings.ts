/**
 * Embeddings (upstream's hybrid `Embeddings`): ResNet trunk → 1×1 patch conv (bias) on its 1/16 map → g² tokens
 * + position embeddings (zeros at init) → dropout; returns the tokens and the trunk's skips.
 */
import { tf, type Tensor, type Variable } from '../../../core/tf.js';
import type { Rng } from '../../../core/rng.js';
import { Module } from '../../../nn/module.js';
import { Conv } from '../../../nn/conv.js';
import { dropout } from './dropout.js';
import { ResNetV2 } from './resnet.js';

export class Embeddings extends Module {
  readonly positionEmbeddings: Variable;
  private readonly hybridModel: ResNetV2;
  private readonly patchEmbeddings: Conv;

  /** `tokens` = g² patches of the 1/16 map; patch 1 (as train.py builds it: grid = imgSize / 16). */
  constructor(tokens: number, hidden: number, blockUnits: readonly number[], width: number, readonly rate: number, rng: Rng,
              private readonly dropRng: Rng) {
    super();
    this.positionEmbeddings = this.param('position_embeddings', tf.zeros([1, tokens, hidden]));
    this.hybridModel = this.child('hybrid_model', new ResNetV2(blockUnits, width, rng));
    this.patchEmbeddings = this.child('patch_embeddings', new Conv(2, 16 * width, hidden, 1, 'valid', true, rng));
  }

  /** x [B, H, H, 3] → tokens [B, (H/16)², hidden] and skips [1/8, 1/4, 1/2] (deepest first). */
  apply(x: Tensor): { tokens: Tensor; skips: Tensor[] } {
    const trunk = this.hybridModel.apply(x); // [B, H/16, H/16, 16w]
    const tokens = tf.tidy(() => {
      const p = this.patchEmbeddings.apply(trunk.x); // [B, g, g, hidden]
      const [b, g1, g2, hidden] = p.shape as [number, number, number, number];
      const t = tf.reshape(p, [b, g1 * g2, hidden]); // [B, g², hidden], row-major as flatten(2)
      return dropout(tf.add(t, this.positionEmbeddings), this.rate, this.training, this.dropRng);
    });
    trunk.x.dispose();
    return { tokens, skips: trunk.skips };
  }
}
