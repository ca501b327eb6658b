/**
 * The ViT encoder (MONAI `ViT` with `PatchEmbeddingBlock`, `TransformerBlock`, `SABlock`, `MLPBlock`; MONAI's unused
 * cross-attention modules are not built):
 *   PatchEmbedding:   tokens = proj(x) + position embeddings          (proj: conv 16×16(×16) s16, or flatten → Linear)
 *   SelfAttention:    out_proj(MHA(split₃(qkv(x))))                     (qkv fused, (q|k|v, head, dim) order)
 *   Mlp:              linear2(GELU(linear1(x)))
 *   TransformerBlock: x + attn(LN₁(x)), then + mlp(LN₂(x))               (pre-norm)
 *   ViT:              embed → 12 blocks → LN; also every block's output (the skips)
 */
import { tf, type Tensor, type Variable } from '../../../core/tf.js';
import type { Rng } from '../../../core/rng.js';
import { Module, Sequence } from '../../../nn/module.js';
import { Conv } from '../../../nn/conv.js';
import { Linear } from '../../../nn/linear.js';
import { LayerNorm } from '../../../nn/layer-norm.js';
import { gelu } from '../../../nn/ops/gelu.js';
import { multiHeadAttention } from '../../../nn/attention.js';
import { LAYERS, LN_EPS, PATCH, type ResolvedUNETROptions } from '../options.js';

/** N(0, std²) truncated to [lo, hi] by redrawing (PyTorch's `trunc_normal_`), from `rng`. */
function truncNormal(rng: Rng, shape: number[], std: number, lo = -2, hi = 2): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let v: number;
    do v = rng.normal() * std; while (v < lo || v > hi);
    out[i] = v;
  }
  return tf.tensor(out, shape);
}

/** Image → tokens [B, N, hidden] (row-major over the patch grid) + learned position embeddings. */
export class PatchEmbedding extends Module {
  readonly positionEmbeddings: Variable;
  private readonly conv?: Conv;
  private readonly linear?: Linear;
  private readonly grid: number[];

  /** Keys `patch_embeddings.{weight,bias}` ('conv') or `patch_embeddings.1.{weight,bias}` ('perceptron'), `position_embeddings`. */
  constructor(private readonly o: ResolvedUNETROptions, rng: Rng) {
    super();
    const d = o.spatialDims, c = o.inChannels, h = o.hiddenSize;
    this.grid = o.imgSize.map((s) => s / PATCH);
    if (o.projType === 'conv') this.conv = this.child('patch_embeddings', new Conv(d, c, h, PATCH, 0, true, rng, PATCH));
    else this.linear = this.child('patch_embeddings', new Sequence()).add(1, new Linear(c * PATCH ** d, h, true, rng));
    const tokens = this.grid.reduce((a, b) => a * b, 1);
    this.positionEmbeddings = this.param('position_embeddings', truncNormal(rng, [1, tokens, h], 0.02));
  }

  apply(x: Tensor): Tensor {
    return tf.tidy(() => {
      const B = x.shape[0], h = this.o.hiddenSize, g = this.grid, c = this.o.inChannels;
      const n = g.reduce((a, b) => a * b, 1);
      let tokens: Tensor;
      if (this.conv) {
        tokens = tf.reshape(this.conv.apply(x), [B, n, h]); // [B, ...S/16, hidden] → [B, N, hidden]
      } else {
        // [B, g₁·16, g₂·16(, g₃·16), C] → [B, g₁, 16, g₂, 16, …, C] → [B, g₁, g₂, …, 16, 16, …, C]: each patch (p…, c)
        const split = tf.reshape(x, [B, ...g.flatMap((k) => [k, PATCH]), c]);
        const perm = [0, ...g.map((_, i) => 1 + 2 * i), ...g.map((_, i) => 2 + 2 * i), 1 + 2 * g.length];
        const patches = tf.reshape(tf.transpose(split, perm), [B, n, PATCH ** g.length * c]); // [B, N, 16^d·C]
        tokens = this.linear!.apply(patches); // [B, N, hidden]
      }
      return tf.add(tokens, this.positionEmbeddings); // [B, N, hidden]
    });
  }
}

/** out_proj(multi-head attention of the fused qkv projection's three parts). Keys `qkv`, `out_proj`. */
export class SelfAttention extends Module {
  private readonly outProj: Linear;
  private readonly qkv: Linear;

  constructor(hidden: number, private readonly heads: number, qkvBias: boolean, rng: Rng) {
    super();
    this.outProj = this.child('out_proj', new Linear(hidden, hidden, true, rng));
    this.qkv = this.child('qkv', new Linear(hidden, 3 * hidden, qkvBias, rng));
  }

  apply(x: Tensor): Tensor {
    return tf.tidy(() => {
      const [q, k, v] = tf.split(this.qkv.apply(x), 3, -1);               // each [B, N, hidden]
      return this.outProj.apply(multiHeadAttention(q, k, v, this.heads)); // [B, N, hidden]
    });
  }
}

/** linear2(GELU(linear1(x))). Keys `linear1`, `linear2`. */
export class Mlp extends Module {
  private readonly linear1: Linear;
  private readonly linear2: Linear;

  constructor(hidden: number, mlpDim: number, rng: Rng) {
    super();
    this.linear1 = this.child('linear1', new Linear(hidden, mlpDim, true, rng));
    this.linear2 = this.child('linear2', new Linear(mlpDim, hidden, true, rng));
  }

  apply(x: Tensor): Tensor {
    return tf.tidy(() => this.linear2.apply(gelu(this.linear1.apply(x)))); // [B, N, mlp] → [B, N, hidden]
  }
}

/** Pre-norm block: x + attn(LN₁(x)), then + mlp(LN₂(x)). Keys `mlp`, `norm1`, `attn`, `norm2`. */
export class TransformerBlock extends Module {
  private readonly mlp: Mlp;
  private readonly norm1: LayerNorm;
  private readonly attn: SelfAttention;
  private readonly norm2: LayerNorm;

  constructor(o: ResolvedUNETROptions, rng: Rng) {
    super();
    this.mlp = this.child('mlp', new Mlp(o.hiddenSize, o.mlpDim, rng));
    this.norm1 = this.child('norm1', new LayerNorm(o.hiddenSize, LN_EPS));
    this.attn = this.child('attn', new SelfAttention(o.hiddenSize, o.numHeads, o.qkvBias, rng));
    this.norm2 = this.child('norm2', new LayerNorm(o.hiddenSize, LN_EPS));
  }

  apply(x: Tensor): Tensor {
    return tf.tidy(() => {
      const h = tf.add(x, this.attn.apply(this.norm1.apply(x))); // [B, N, hidden]
      return tf.add(h, this.mlp.apply(this.norm2.apply(h)));     // [B, N, hidden]
    });
  }
}

/** patch embedding → 12 transformer blocks → LayerNorm. Keys `patch_embedding`, `blocks.i`, `norm`. */
export class ViT extends Module {
  private readonly embed: PatchEmbedding;
  private readonly blocks: TransformerBlock[] = [];
  private readonly norm: LayerNorm;

  constructor(o: ResolvedUNETROptions, rng: Rng) {
    super();
    this.embed = this.child('patch_embedding', new PatchEmbedding(o, rng));
    const list = this.child('blocks', new Sequence());
    for (let i = 0; i < LAYERS; i++) this.blocks.push(list.add(i, new TransformerBlock(o, rng)));
    this.norm = this.child('norm', new LayerNorm(o.hiddenSize, LN_EPS));
  }

  /** The LayerNormed last output and every block's output (`states[i]` = block i + 1, not normed), each [B, N, hidden]. */
  apply(x: Tensor): { out: Tensor; states: Tensor[] } {
    return tf.tidy(() => {
      let h = this.embed.apply(x); // [B, N, hidden]
      const states: Tensor[] = [];
      for (const block of this.blocks) states.push((h = block.apply(h))); // [B, N, hidden]
      return { out: this.norm.apply(h), states } as unknown as tf.TensorContainer;
    }) as unknown as { out: Tensor; states: Tensor[] };
  }
}
