/**
 * Scaled dot-product multi-head attention as one op on token tensors [B, N, heads·dim]:
 *   per head h:  out_h = softmax(q_h·k_hᵀ / √dim)·v_h,   q_h = q[..., h·dim : (h+1)·dim] (likewise k, v),
 * the heads concatenated back in the same order. This is the channel order of PyTorch's `view(B, N, heads, dim)`
 * used by MONAI's SABlock and TransUNet's Attention; a fused qkv projection whose output is ordered
 * (q|k|v, head, dim) splits into q, k, v with `tf.split(qkv, 3, -1)`. Both products are batched matmuls over B·heads
 * (BatchMatMul, which the native backend carries); autograd differentiates it.
 */
import { tf, type Tensor } from '../core/tf.js';

/** q, k, v [B, N, heads·dim] (k, v may have another token count M) → [B, N, heads·dim]. */
export function multiHeadAttention(q: Tensor, k: Tensor, v: Tensor, heads: number): Tensor {
  if (q.rank !== 3 || k.rank !== 3 || v.rank !== 3) throw new Error(`multiHeadAttention: q, k, v must be [B, N, heads·dim], got [${q.shape}], [${k.shape}], [${v.shape}]`);
  const [B, N, C] = q.shape as [number, number, number];
  const M = k.shape[1] as number;
  if (!(Number.isInteger(heads) && heads > 0 && C % heads === 0)) throw new Error(`multiHeadAttention: ${C} channels do not split into ${heads} heads (channels must be a multiple of heads)`);
  if (k.shape[0] !== B || k.shape[2] !== C || !tf.util.arraysEqual(k.shape, v.shape)) throw new Error(`multiHeadAttention: q [${q.shape}], k [${k.shape}], v [${v.shape}] do not agree (k and v [B, M, ${C}])`);
  const d = C / heads;
  return tf.tidy(() => {
    const split = (t: Tensor, n: number) =>
      tf.reshape(tf.transpose(tf.reshape(t, [B, n, heads, d]), [0, 2, 1, 3]), [B * heads, n, d]); // [B·heads, n, dim]
    const qh = split(tf.mul(q, 1 / Math.sqrt(d)), N);                // [B·heads, N, dim], scaled
    const att = tf.softmax(tf.matMul(qh, split(k, M), false, true)); // [B·heads, N, M]
    const o = tf.matMul(att, split(v, M));                            // [B·heads, N, dim]
    return tf.reshape(tf.transpose(tf.reshape(o, [B, heads, N, d]), [0, 2, 1, 3]), [B, N, C]); // [B, N, heads·dim]
  });
}
