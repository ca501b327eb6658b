/**
 * The memory-bound steps of every ConvNormAct, written so that the native backend (`onednn`) runs them on its own
 * kernels. Its fused BatchNorm kernels (`UnetBatchNormTrain`) mark it; other backends (cpu, browsers) take tfjs's
 * generic ops, which suit them.
 *
 *   cancelledBias: the conv bias in front of an InstanceNorm, which the norm cancels exactly (it subtracts each
 *     channel's mean): the bias stays a parameter (MONAI's state dict) with its exact gradient, zero, and is never
 *     added (PyTorch adds it and gets float32 round-off of zero as its gradient).
 *   instanceNormAffine: y = γ·(x − μ_bc)/√(σ²_bc + ε) + β, statistics per sample b and channel c over the spatial
 *     axes. On `onednn` x [B, ...S, C] is viewed as [S, B·C] (one transpose; a reshape when B = 1), so that each
 *     (sample, channel) is one column and the instance statistics are a BatchNorm's: one native kernel each way, with
 *     γ and β repeated for each sample, then one transpose back. Normalising [B, S, C] over its middle axis
 *     (src/nn/norm.ts's InstanceNorm) reduces and broadcasts over an axis no native kernel carries: Mean, Sub,
 *     Multiply and their gradients fall back to tfjs-cpu's generic broadcasting loops.
 *   leakyRelu: y = x·s with s = a + (1 − a)·[x > 0], and dx = dy·s from the saved s: four native element-wise
 *     passes forward and one backward. tfjs's LeakyRelu kernel is a JavaScript loop (~10 ns per element, 35 ms at
 *     [4, 256², 16]) and its gradient where(greater(x, 0), dy, a·dy) a scalar-broadcast Greater and a Select in
 *     tfjs-cpu (~200 ms at that size); the four passes take ~1–2 ms each.
 */
import { tf, type Tensor } from '../../../core/tf.js';
import { batchNormTrain } from '../../../nn/ops/batchnorm.js';
import { normalize } from '../../../nn/ops/normalize.js';
import { perChannel } from '../../../nn/ops/channel.js';

/** Whether the active backend has the native fused kernels (the `onednn` backend). */
export const nativeNorm = (): boolean => tf.getKernel('UnetBatchNormTrain', tf.getBackend()) !== undefined;

/** h, joined to `bias` by an identity whose gradient to the bias is exactly zero (the InstanceNorm after h cancels it). */
export function cancelledBias(h: Tensor, bias: Tensor): Tensor {
  const op = tf.customGrad(((hIn: Tensor, b: Tensor) => ({
    value: tf.clone(hIn),
    gradFunc: (dy: Tensor) => [dy, tf.zerosLike(b)],
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(h, bias) as Tensor;
}

/** InstanceNorm with affine parameters γ, β [C] of x [B, ...S, C], by the backend's fastest route. */
export function instanceNormAffine(x: Tensor, gamma: Tensor, beta: Tensor, eps: number): Tensor {
  const b = x.shape[0], c = x.shape[x.rank - 1], p = x.size / (b * c);
  if (!nativeNorm()) {
    // src/nn/norm.ts's InstanceNorm: one recorded normalisation over the spatial axes, then the affine
    const n = normalize(x, x.shape.slice(1, -1).map((_, i) => i + 1), eps);
    tf.dispose([n.mean, n.variance]);
    return tf.tidy(() => {
      const y = perChannel(n.y, gamma, beta); // [B, ...S, C]
      n.y.dispose();
      return y;
    });
  }
  return tf.tidy(() => {
    const cols = b === 1 ? tf.reshape(x, [p, c]) : tf.reshape(tf.transpose(tf.reshape(x, [b, p, c]), [1, 0, 2]), [p, b * c]); // [∏S, B·C]
    const ones = b === 1 ? undefined : tf.ones([b, c]);
    const perColumn = (v: Tensor) => (ones ? tf.reshape(tf.mul(ones, v), [b * c]) : v); // [B·C]: column b·C + c has v_c (its gradient a column sum)
    const { y, mean, variance } = batchNormTrain(cols, perColumn(gamma), perColumn(beta), eps, false); // [∏S, B·C]
    tf.dispose([mean, variance]);
    return b === 1 ? tf.reshape(y, x.shape) : tf.reshape(tf.transpose(tf.reshape(y, [p, b, c]), [1, 0, 2]), x.shape); // [B, ...S, C]
  });
}

/** LeakyReLU with slope a ∈ [0, 1). */
export function leakyRelu(x: Tensor, slope: number): Tensor {
  if (!nativeNorm()) return tf.leakyRelu(x, slope);
  const op = tf.customGrad(((xIn: Tensor, save: tf.GradSaveFunc) => {
    const s = tf.add(tf.mul(tf.step(xIn), 1 - slope), slope); // 1 where x > 0, a elsewhere
    save([s]);
    return { value: tf.mul(xIn, s), gradFunc: (dy: Tensor, [saved]: Tensor[]) => tf.mul(dy, saved) };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x) as Tensor;
}
