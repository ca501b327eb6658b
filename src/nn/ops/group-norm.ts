/**
 * GroupNorm's normalisation on channel columns. x [B, ...S, C] is viewed as X = [S, B·C] (one transpose that moves
 * whole C-blocks, which the native backend copies as blocks), so column k = b·C + c and each group is Cg = C/G
 * neighbouring columns: x̂ = (X − μ_g)/√(σ²_g + ε) with μ_g, σ²_g over the rows and the group's columns, and
 *   ∂L/∂X = (1/√(σ²_g+ε)) · (g − mean_g(g) − x̂ · mean_g(g·x̂)),  g = ∂L/∂x̂,
 * as one recorded op. Every reduction is over the leading axis (or the trailing one of a [B·G, Cg] vector) and every
 * broadcast a trailing one: the kernels the native backend carries. Normalising [B, ...S, G, Cg] in place instead
 * reduces over non-neighbouring axes, and the equivalent transpose to [S·Cg, B·G] is a strided gather: both run as
 * the CPU backend's generic loops (7 s, then 0.6 s, instead of ≈ 0.1 s for a training step's layer at [4, 63², 128]).
 */
import { tf, type Tensor } from '../../core/tf.js';

/** [B, ...S, C] → [S, B·C] (row s holds every sample's channels). */
export function toChannelColumns(x: Tensor): Tensor {
  const b = x.shape[0]!, c = x.shape[x.rank - 1]!;
  const p = x.size / (b * c);
  return tf.tidy(() => tf.reshape(tf.transpose(tf.reshape(x, [b, p, c]), [1, 0, 2]), [p, b * c]));
}

/** The inverse of `toChannelColumns` for a tensor of shape `shape`. */
export function fromChannelColumns(cols: Tensor, shape: readonly number[]): Tensor {
  const b = shape[0]!, c = shape[shape.length - 1]!;
  const p = cols.shape[0]!;
  return tf.tidy(() => tf.reshape(tf.transpose(tf.reshape(cols, [p, b, c]), [1, 0, 2]), [...shape]));
}

/** Normalises the columns X [P, K] in groups of `cg` neighbouring columns (statistics over the rows and the group). */
export function normalizeColumnGroups(cols: Tensor, cg: number, eps: number): Tensor {
  const k = cols.shape[1]!;
  if (k % cg !== 0) throw new Error(`normalizeColumnGroups: ${k} columns do not split into groups of ${cg}`);
  // a per-column vector [K] → its group means, repeated over each group's columns: [K]
  const groupMean = (v: Tensor) => (cg === 1 ? v : tf.reshape(tf.tile(tf.mean(tf.reshape(v, [k / cg, cg]), 1, true), [1, cg]), [k]));
  const op = tf.customGrad(((x: Tensor, save: tf.GradSaveFunc) => {
    const d = tf.sub(x, groupMean(tf.mean(x, 0))); // X − μ_g
    const inv = tf.rsqrt(tf.add(groupMean(tf.mean(tf.square(d), 0)), eps)); // [K]
    const y = tf.mul(d, inv);
    save([y, inv]);
    return {
      value: y,
      gradFunc: (dy: Tensor, [yHat, invStd]: Tensor[]) => {
        const a = groupMean(tf.mean(dy, 0));
        const b = groupMean(tf.mean(tf.mul(dy, yHat), 0));
        return tf.mul(tf.sub(tf.sub(dy, a), tf.mul(yHat, b)), invStd);
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(cols) as Tensor;
}
