/**
 * The memory-bound steps of every conv → InstanceNorm → LeakyReLU unit (nnU-Net's ConvDropoutNormReLU, MONAI's
 * ADN as U-Net++ and UNETR use it), written so that the native backend (`onednn`) runs them on its own kernels. Its
 * fused BatchNorm kernels (`UnetBatchNormTrain`) mark it; other backends (cpu, browsers) take tfjs's generic ops,
 * which suit them.
 *
 *   instanceNormLeakyRelu: InstanceNorm (affine) and LeakyReLU as one native kernel each way on `onednn`
 *     (`UnetInstanceNormAct`: per sample b, x_b [∏S, C] normalised by its own column statistics in place of
 *     the layout, so no transposes; the gradient from the saved input, statistics and output); elsewhere
 *     leakyRelu(instanceNormAffine(…)).
 *   cancelledBias: the conv bias in front of an InstanceNorm, which the norm cancels exactly (it subtracts each
 *     channel's mean): the bias stays a parameter (MONAI's state dict) with its exact gradient, zero, and is never
 *     added (PyTorch adds it and gets float32 round-off of zero as its gradient).
 *   instanceNormAffine: y = γ·(x − μ_bc)/√(σ²_bc + ε) + β, statistics per sample b and channel c over the spatial
 *     axes. On `onednn` x [B, ...S, C] is viewed as [S, B·C] (one transpose; a reshape when B = 1), so that each
 *     (sample, channel) is one column and the instance statistics are a BatchNorm's: one native kernel each way, with
 *     γ and β repeated for each sample, then one transpose back. Normalising [B, S, C] over its middle axis
 *     (src/nn/norm.ts's InstanceNorm) reduces and broadcasts over an axis no native kernel carries: Mean, Sub,
 *     Multiply and their gradients fall back to tfjs-cpu's generic broadcasting loops.
 *   leakyRelu: y = x·s with s = a + (1 − a)·[x > 0], and dx = dy·s with s recomputed from the saved output (which
 *     the next layer keeps anyway): four native element-wise passes each way. tfjs's LeakyRelu kernel is a
 *     JavaScript loop (~16 ms at [4, 256², 16], one thread) and its gradient where(greater(x, 0), dy, a·dy) a
 *     scalar-broadcast Greater and a Select in tfjs-cpu (2.1 s of a unetpp-small2d step at 4×256², one thread);
 *     a native pass takes ~1–4 ms. Keeping s
 *     instead (one pass backward) measured slower: one more full-size array per layer alive until the backward pass.
 */
import { tf, type Tensor } from '../../core/tf.js';
import { normalize } from './normalize.js';
import { perChannel } from './channel.js';
import { view } from './view.js';

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
    // views (src/nn/ops/view.ts), not tf.reshape: a reshape would keep its full-size input alive until the backward pass
    const cols = b === 1 ? view(x, [p, c]) : view(tf.transpose(view(x, [b, p, c]), [1, 0, 2]), [p, b * c]); // [∏S, B·C]
    const ones = b === 1 ? undefined : tf.ones([b, c]);
    const perColumn = (v: Tensor) => (ones ? tf.reshape(tf.mul(ones, v), [b * c]) : v); // [B·C]: column b·C + c has v_c (its gradient a column sum)
    const y = columnNorm(cols, perColumn(gamma), perColumn(beta), eps); // [∏S, B·C]
    return b === 1 ? view(y, x.shape) : view(tf.transpose(view(y, [p, b, c]), [1, 0, 2]), x.shape); // [B, ...S, C]
  });
}

/**
 * Batch normalisation of the columns of x [M, K] with per-column γ, β by the native kernels, keeping for the backward
 * pass only what its gradient reads (x and the statistics): src/nn/ops/batchnorm.ts's `batchNormTrain` also keeps the
 * output, which its gradient reads only for a fused ReLU. One full-size tensor fewer alive per layer until the backward
 * pass: a training step's peak is U-Net++'s cost as much as its arithmetic (every fresh array beyond the backend's
 * recycling pool is page-faulted in again at each step).
 */
function columnNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps: number): Tensor {
  const engine = tf.engine();
  const attrs = { eps, relu: false } as unknown as tf.NamedAttrMap;
  const op = tf.customGrad(((xIn: Tensor, g: Tensor, b: Tensor, save: tf.GradSaveFunc) => {
    const [y, mean, variance] = engine.runKernel('UnetBatchNormTrain', { x: xIn, gamma: g, beta: b }, attrs) as Tensor[];
    save([xIn, mean, variance, g]);
    return {
      value: y,
      gradFunc: (dy: Tensor, [sx, sm, sv, sg]: Tensor[]) => engine.runKernel('UnetBatchNormTrainGrad', { dy, x: sx, mean: sm, variance: sv, gamma: sg }, attrs) as Tensor[], // [dx, dγ, dβ]
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, gamma, beta) as Tensor;
}

/** LeakyReLU with slope a ∈ [0, 1). */
export function leakyRelu(x: Tensor, slope: number): Tensor {
  if (!nativeNorm()) return tf.leakyRelu(x, slope);
  const factor = (t: Tensor) => tf.add(tf.mul(tf.step(t), 1 - slope), slope); // 1 where t > 0, a elsewhere
  const op = tf.customGrad(((xIn: Tensor, save: tf.GradSaveFunc) => {
    const y = tf.mul(xIn, factor(xIn));
    save([y]); // the next layer keeps y anyway: no extra tensor alive until the backward pass
    return { value: y, gradFunc: (dy: Tensor, [yOut]: Tensor[]) => tf.mul(dy, factor(yOut)) }; // [y > 0] = [x > 0]
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x) as Tensor;
}

/**
 * LeakyReLU(InstanceNorm(x)·γ + β) of x [B, ...S, C], γ, β [C]: on `onednn` one fused kernel each way
 * (`UnetInstanceNormAct`, keeping for the backward pass x, the statistics and y); elsewhere the two steps above.
 */
export function instanceNormLeakyRelu(x: Tensor, gamma: Tensor, beta: Tensor, eps: number, slope: number): Tensor {
  if (!nativeNorm()) return tf.tidy(() => leakyRelu(instanceNormAffine(x, gamma, beta, eps), slope));
  const engine = tf.engine();
  const attrs = { eps, slope } as unknown as tf.NamedAttrMap;
  const op = tf.customGrad(((xIn: Tensor, g: Tensor, b: Tensor, save: tf.GradSaveFunc) => {
    const [y, mean, variance] = engine.runKernel('UnetInstanceNormAct', { x: xIn, gamma: g, beta: b }, attrs) as Tensor[];
    save([xIn, y, mean, variance, g]);
    return {
      value: y,
      gradFunc: (dy: Tensor, [sx, sy, sm, sv, sg]: Tensor[]) => engine.runKernel('UnetInstanceNormActGrad', { dy, x: sx, y: sy, mean: sm, variance: sv, gamma: sg }, attrs) as Tensor[], // [dx, dγ, dβ]
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, gamma, beta) as Tensor;
}
