/**
 * Normalisation over arbitrary axes of a channels-last tensor, with its analytic gradient:
 *   x̂ = (x − μ) / √(σ² + ε),   ∂L/∂x = (1/√(σ²+ε)) · (g − mean(g) − x̂ · mean(g·x̂)),  g = ∂L/∂x̂,
 * the means taken over the normalised axes. BatchNorm normalises over every axis but the last (any rank, so 5-D
 * volumes too), InstanceNorm over the spatial axes, GroupNorm over the spatial axes and the channels of a group.
 * One recorded op instead of the dozen autograd would record, and one saved tensor (x̂) for the backward pass.
 */
import { tf, type Tensor } from '../../core/tf.js';

export interface Normalized {
  /** (x − μ)/√(σ² + ε), same shape as x. */
  y: Tensor;
  /** μ, with the normalised axes kept as size 1. */
  mean: Tensor;
  /** Biased σ² (divided by n), with the normalised axes kept as size 1. */
  variance: Tensor;
  /** Number of elements each statistic was computed over. */
  count: number;
}

/**
 * Normalises `x` over `axes`. `mean` and `variance` are returned outside any tidy scope (the caller disposes them);
 * they carry no gradient, as in PyTorch's batch statistics path where the gradient flows through y alone.
 */
export function normalize(x: Tensor, axes: number[], eps: number): Normalized {
  const c = collapseAxes(x.shape, axes);
  if (c.shape.length === x.shape.length) return normalizeCollapsed(x, axes, eps);
  // Neighbouring axes of the same kind merged (BatchNorm of [B, D, H, W, C] runs on [B·D·H·W, C]): fewer dimensions
  // for every backend, and no rank-5 broadcasts, which tfjs's WebGPU backend fails to compile.
  const kept = x.shape.map((n, a) => (axes.includes(a) ? 1 : n));
  return tf.tidy(() => {
    const r = normalizeCollapsed(tf.reshape(x, c.shape), c.axes, eps);
    const out = { y: tf.reshape(r.y, x.shape), mean: tf.keep(tf.reshape(r.mean, kept)), variance: tf.keep(tf.reshape(r.variance, kept)), count: r.count };
    tf.dispose([r.mean, r.variance]); // kept by normalizeCollapsed; their reshaped views live on
    return out as unknown as tf.TensorContainer;
  }) as unknown as Normalized;
}

/** Merges runs of neighbouring axes that are all normalised or all kept: the equivalent lower-rank shape and axes. */
export function collapseAxes(shape: readonly number[], axes: readonly number[]): { shape: number[]; axes: number[] } {
  const out: number[] = [], outAxes: number[] = [];
  shape.forEach((n, a) => {
    const norm = axes.includes(a);
    if (a > 0 && norm === axes.includes(a - 1)) out[out.length - 1] *= n;
    else {
      if (norm) outAxes.push(out.length);
      out.push(n);
    }
  });
  return { shape: out, axes: outAxes };
}

function normalizeCollapsed(x: Tensor, axes: number[], eps: number): Normalized {
  let stats: { mean: Tensor; variance: Tensor } | undefined;
  const count = axes.reduce((n, a) => n * x.shape[a], 1);
  const op = tf.customGrad(((xIn: Tensor, save: tf.GradSaveFunc) => {
    const { mean, variance } = tf.moments(xIn, axes, true);
    const invStd = tf.rsqrt(tf.add(variance, eps));
    const y = tf.mul(tf.sub(xIn, mean), invStd);
    stats = { mean: tf.keep(mean), variance: tf.keep(variance) };
    save([y, invStd]);
    return {
      value: y,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [yHat, inv] = saved;
        const mdy = tf.mean(dy, axes, true);
        const mdyx = tf.mean(tf.mul(dy, yHat), axes, true);
        return tf.mul(inv, tf.sub(tf.sub(dy, mdy), tf.mul(yHat, mdyx)));
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const y = op(x);
  return { y, mean: stats!.mean, variance: stats!.variance, count };
}

/** The same normalisation written with plain ops, differentiated by autograd: the reference the tests compare to. */
export function normalizeReference(x: Tensor, axes: number[], eps: number): Tensor {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, axes, true);
    return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps)));
  });
}
