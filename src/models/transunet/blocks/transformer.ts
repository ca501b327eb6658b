/**
 * The ViT encoder of TransUNet (upstream's `Encoder`): numLayers × pre-norm Block
 * (x + attn(LN(x)); x + MLP(LN(x))), then encoder_norm (LN); every LayerNorm with ε 1e-6.
 */
import { tf, type Tensor } from '../../../core/tf.js';
import type { Rng } from '../../../core/rng.js';
import { Module, Sequence } from '../../../nn/module.js';
import { Linear } from '../../../nn/linear.js';
import { LayerNorm } from '../../../nn/layer-norm.js';
import { multiHeadAttention } from '../../../nn/attention.js';
import { gelu } from '../../../nn/ops/gelu.js';
import { dropout } from './dropout.js';

/** ε of the transformer's LayerNorms (upstream's). */
export const LN_EPS = 1e-6;

/** Beckschen's `Attention`: separate query/key/value Linears (bias) → softmax(q kᵀ/√d) v per head → out Linear. */
export class Attention extends Module {
  private readonly query: Linear;
  private readonly key: Linear;
  private readonly value: Linear;
  private readonly out: Linear;

  constructor(hidden: number, readonly heads: number, rng: Rng) {
    super();
    this.query = this.child('query', new Linear(hidden, hidden, true, rng));
    this.key = this.child('key', new Linear(hidden, hidden, true, rng));
    this.value = this.child('value', new Linear(hidden, hidden, true, rng));
    this.out = this.child('out', new Linear(hidden, hidden, true, rng));
  }

  apply(x: Tensor): Tensor {
    return tf.tidy(() => {
      const a = multiHeadAttention(this.query.apply(x), this.key.apply(x), this.value.apply(x), this.heads); // [B, N, hidden]
      return this.out.apply(a);
    });
  }
}

/** Upstream's `Mlp`: fc1 → GELU (exact) → dropout → fc2 → dropout; xavier-uniform weights, biases ~ N(0, 1e-6). */
export class Mlp extends Module {
  private readonly fc1: Linear;
  private readonly fc2: Linear;

  constructor(hidden: number, mlpDim: number, readonly rate: number, rng: Rng, private readonly dropRng: Rng) {
    super();
    this.fc1 = this.child('fc1', new Linear(hidden, mlpDim, true, rng));
    this.fc2 = this.child('fc2', new Linear(mlpDim, hidden, true, rng));
    for (const fc of [this.fc1, this.fc2]) {
      const [out, inp] = fc.weight.shape;
      const bound = Math.sqrt(6 / (inp + out));
      tf.tidy(() => {
        fc.weight.assign(tf.tensor(rng.fillUniform(new Float32Array(out * inp), -bound, bound), [out, inp]));
        fc.bias!.assign(tf.tensor(Float32Array.from({ length: out }, () => 1e-6 * rng.normal()), [out]));
      });
    }
  }

  apply(x: Tensor): Tensor {
    return tf.tidy(() => {
      const h = dropout(gelu(this.fc1.apply(x)), this.rate, this.training, this.dropRng); // [B, N, mlpDim]
      return dropout(this.fc2.apply(h), this.rate, this.training, this.dropRng); // [B, N, hidden]
    });
  }
}

/** Upstream's `Block`: x + attn(attention_norm(x)), then x + ffn(ffn_norm(x)). */
export class TransformerBlock extends Module {
  private readonly attentionNorm: LayerNorm;
  private readonly ffnNorm: LayerNorm;
  private readonly ffn: Mlp;
  private readonly attn: Attention;

  /** Upstream's registration order (attention_norm, ffn_norm, ffn, attn). */
  constructor(hidden: number, mlpDim: number, heads: number, rate: number, rng: Rng, dropRng: Rng) {
    super();
    this.attentionNorm = this.child('attention_norm', new LayerNorm(hidden, LN_EPS));
    this.ffnNorm = this.child('ffn_norm', new LayerNorm(hidden, LN_EPS));
    this.ffn = this.child('ffn', new Mlp(hidden, mlpDim, rate, rng, dropRng));
    this.attn = this.child('attn', new Attention(hidden, heads, rng));
  }

  apply(x: Tensor): Tensor {
    return tf.tidy(() => {
      const h = tf.add(x, this.attn.apply(this.attentionNorm.apply(x))); // [B, N, hidden]
      return tf.add(h, this.ffn.apply(this.ffnNorm.apply(h)));
    });
  }
}

/** Upstream's `Encoder`: the blocks (`layer.{i}`), then `encoder_norm`. */
export class Encoder extends Module {
  private readonly layers: TransformerBlock[] = [];
  private readonly encoderNorm: LayerNorm;

  constructor(hidden: number, mlpDim: number, heads: number, numLayers: number, rate: number, rng: Rng, dropRng: Rng) {
    super();
    const seq = this.child('layer', new Sequence());
    for (let l = 0; l < numLayers; l++) this.layers.push(seq.add(l, new TransformerBlock(hidden, mlpDim, heads, rate, rng, dropRng)));
    this.encoderNorm = this.child('encoder_norm', new LayerNorm(hidden, LN_EPS));
  }

  apply(x: Tensor): Tensor {
    return tf.tidy(() => this.encoderNorm.apply(this.layers.reduce((h, layer) => layer.apply(h), x))); // [B, N, hidden]
  }
}
