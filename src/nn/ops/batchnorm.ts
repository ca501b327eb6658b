/**
 * Batch normalisation with an optional fused ReLU: y = relu?(γ·(x − μ)/√(σ² + ε) + β), statistics over every axis but
 * the last. On a backend with the `UnetBatchNormTrain` / `UnetScaleShift` kernels (the native `onednn` backend) each
 * direction is one kernel; elsewhere (cpu, browsers) the same maths runs as tfjs ops (`normalize` + affine + relu).
 */
import { tf, type Tensor } from '../../core/tf.js';
import { perChannel } from './channel.js';
import { normalize } from './normalize.js';

const hasKernel = (name: string) => tf.getKernel(name, tf.getBackend()) !== undefined;

export interface BatchNormTrainResult {
  y: Tensor;
  /** Batch mean and biased variance, shape [C], outside any tidy scope (the caller disposes them). */
  mean: Tensor;
  variance: Tensor;
  count: number;
}

/** Training mode: batch statistics. */
export function batchNormTrain(x: Tensor, gamma: Tensor | undefined, beta: Tensor | undefined, eps: number, relu: boolean): BatchNormTrainResult {
  const c = x.shape[x.rank - 1];
  const count = x.size / c;
  if (!hasKernel('UnetBatchNormTrain')) {
    const axes = x.shape.slice(0, -1).map((_, i) => i);
    const n = normalize(x, axes, eps);
    const y = tf.tidy(() => {
      const h = perChannel(n.y, gamma, beta);
      return relu ? tf.relu(h) : h;
    });
    if (y !== n.y) n.y.dispose(); // without affine and ReLU, y is n.y itself
    const mean = tf.reshape(n.mean, [c]), variance = tf.reshape(n.variance, [c]);
    n.mean.dispose(); n.variance.dispose();
    return { y, mean, variance, count };
  }
  let stats: { mean: Tensor; variance: Tensor } | undefined;
  const affine = gamma !== undefined && beta !== undefined;
  const engine = tf.engine();
  const forward = (xIn: Tensor, g: Tensor | undefined, b: Tensor | undefined, save: tf.GradSaveFunc) => {
    const inputs = (affine ? { x: xIn, gamma: g, beta: b } : { x: xIn }) as unknown as tf.NamedTensorMap;
    const [y, mean, variance] = engine.runKernel('UnetBatchNormTrain', inputs, { eps, relu } as unknown as tf.NamedAttrMap) as Tensor[];
    stats = { mean: tf.keep(mean), variance: tf.keep(variance) };
    save(affine ? [xIn, y, mean, variance, g!] : [xIn, y, mean, variance]);
    return {
      value: y,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [sx, sy, sm, sv, sg] = saved;
        const gi = { dy, x: sx, y: sy, mean: sm, variance: sv, ...(affine ? { gamma: sg } : {}) } as unknown as tf.NamedTensorMap;
        const [dx, dgamma, dbeta] = engine.runKernel('UnetBatchNormTrainGrad', gi, { eps, relu } as unknown as tf.NamedAttrMap) as Tensor[];
        if (affine) return [dx, dgamma, dbeta];
        tf.dispose([dgamma, dbeta]);
        return [dx];
      },
    };
  };
  const op = affine
    ? tf.customGrad(((a: Tensor, g: Tensor, b: Tensor, save: tf.GradSaveFunc) => forward(a, g, b, save)) as unknown as Parameters<typeof tf.customGrad>[0])
    : tf.customGrad(((a: Tensor, save: tf.GradSaveFunc) => forward(a, undefined, undefined, save)) as unknown as Parameters<typeof tf.customGrad>[0]);
  const y = affine ? op(x, gamma!, beta!) : op(x);
  return { y, mean: stats!.mean, variance: stats!.variance, count };
}

/** Eval mode: y = relu?(x·scale + shift) with per-channel scale = γ/√(σ²_run + ε), shift = β − μ_run·scale. */
export function scaleShift(x: Tensor, scale: Tensor, shift: Tensor, relu: boolean): Tensor {
  if (hasKernel('UnetScaleShift') && tf.engine().state.gradientDepth === 0) {
    return tf.engine().runKernel('UnetScaleShift', { x, scale, shift }, { relu } as unknown as tf.NamedAttrMap) as Tensor;
  }
  return tf.tidy(() => {
    const h = perChannel(x, scale, shift);
    return relu ? tf.relu(h) : h;
  });
}
