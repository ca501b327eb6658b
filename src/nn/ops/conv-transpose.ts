/**
 * General transposed convolution, 2-D and 3-D, with PyTorch's geometry: kernel k, stride s, padding p and
 * output_padding op on every spatial axis, out = (n − 1)·s − 2p + k + op (PyTorch's `ConvTranspose{2,3}d`).
 *
 * It is the adjoint of the forward convolution that maps the output grid (size out, p zeros on both sides, stride s)
 * onto the input grid (size n): y = Conv{2D,3D}BackpropInput(x; W). Its gradients are the two other kernels of that
 * convolution, so every backend that has the convolution's three kernels (cpu, onednn) differentiates it:
 *   dx = conv(dy, W)                              (the forward convolution)
 *   dW = ConvBackpropFilter(input = dy, dy = x)   (the convolution's weight gradient)
 * tfjs-core registers a gradient for conv2dTranspose but none for conv3dTranspose; this op has one `customGrad` for
 * both. output_padding needs nothing of its own: the adjoint leaves the rows that no window of the convolution
 * reads at zero, which is PyTorch's value there (before the bias).
 *
 * `filter` uses tfjs's transposed layout [k…, Cout, Cin] (PyTorch's ConvTranspose weight [Cin, Cout, k…]).
 */
import { tf, type Tensor } from '../../core/tf.js';

export interface ConvTransposeGeometry {
  /** Stride s along every spatial axis. Default: the kernel size (non-overlapping tiles). */
  stride?: number;
  /** PyTorch's `padding` p: rows removed from both ends of the full output. Default 0. */
  padding?: number;
  /** PyTorch's `output_padding` op (< stride): rows added at the high end of every axis. Default 0. */
  outputPadding?: number;
}

/** Output size along one axis: (n − 1)·s − 2p + k + op; throws naming the rule a geometry breaks. */
export function convTransposeSize(n: number, kernel: number, stride: number, padding: number, outputPadding: number): number {
  checkGeometry(kernel, stride, padding, outputPadding);
  const out = (n - 1) * stride - 2 * padding + kernel + outputPadding;
  if (out < 1) throw new Error(`transposed convolution: input size ${n} gives output size ${out} (kernel ${kernel}, stride ${stride}, padding ${padding}, output_padding ${outputPadding})`);
  return out;
}

function checkGeometry(k: number, s: number, p: number, op: number): void {
  const isInt = (v: number, min: number) => Number.isInteger(v) && v >= min;
  if (!isInt(k, 1)) throw new Error(`transposed convolution: kernel must be an integer ≥ 1, got ${k}`);
  if (!isInt(s, 1)) throw new Error(`transposed convolution: stride must be an integer ≥ 1, got ${s}`);
  if (!isInt(p, 0)) throw new Error(`transposed convolution: padding must be an integer ≥ 0, got ${p}`);
  if (!isInt(op, 0) || op >= s) throw new Error(`transposed convolution: output_padding must be an integer in [0, stride − 1] = [0, ${s - 1}], got ${op}`);
  if (p > k - 1) {
    // PyTorch accepts it (the full output cropped by more than a kernel), but the convolution this is the adjoint of
    // would then read windows lying wholly in its zero padding, which the kernels here do not promise to handle.
    throw new Error(`transposed convolution: padding must be at most kernel − 1 = ${k - 1}, got ${p}`);
  }
}

type Strides = [number, number] | [number, number, number];

/**
 * y = conv_transpose(x, filter) for x [B, ...S, Cin] and filter [k…, Cout, Cin], channels-last, 2-D or 3-D by
 * x's rank; y [B, ...S_out, Cout] with S_out = (S − 1)·s − 2p + k + op. No bias (add it with `perChannel`).
 */
export function convTranspose(x: Tensor, filter: Tensor, geometry: ConvTransposeGeometry = {}): Tensor {
  const dims = x.rank - 2;
  if (dims !== 2 && dims !== 3) throw new Error(`transposed convolution: x must be [B, H, W, C] or [B, D, H, W, C], got [${x.shape}]`);
  if (filter.rank !== dims + 2) throw new Error(`transposed convolution: a ${dims}-D filter is [k…, Cout, Cin] (rank ${dims + 2}), got [${filter.shape}]`);
  const k = filter.shape[0];
  if (filter.shape.slice(0, dims).some((v) => v !== k)) throw new Error(`transposed convolution: the kernel must be the same along every axis, got [${filter.shape}]`);
  const [cout, cin] = filter.shape.slice(-2);
  if (x.shape[x.rank - 1] !== cin) throw new Error(`transposed convolution: input has ${x.shape[x.rank - 1]} channels, the filter expects ${cin}`);
  const s = geometry.stride ?? k, p = geometry.padding ?? 0, op = geometry.outputPadding ?? 0;
  const outShape = [x.shape[0], ...x.shape.slice(1, -1).map((n) => convTransposeSize(n, k, s, p, op)), cout];
  const strides = Array<number>(dims).fill(s) as Strides;
  // tfjs's conv_util takes an integer pad p as p zeros on both sides of every spatial axis, in 2-D and in 3-D (the
  // 3-D ops' typings say 'valid' | 'same', their kernels compute the conv info with any pad).
  const pad = p as unknown as 'valid';
  const engine = tf.engine();
  const backpropInput = dims === 2 ? tf.Conv2DBackpropInput : tf.Conv3DBackpropInputV2;
  const backpropFilter = dims === 2 ? tf.Conv2DBackpropFilter : tf.Conv3DBackpropFilterV2;
  const attrs = (extra: Record<string, unknown>) => ({ strides, pad, ...(dims === 2 ? { dataFormat: 'NHWC', dilations: [1, 1] } : { dilations: [1, 1, 1] }), ...extra }) as unknown as tf.NamedAttrMap;
  const transposed = tf.customGrad(((xIn: Tensor, w: Tensor, save: tf.GradSaveFunc) => {
    save([xIn, w]);
    const y = engine.runKernel(backpropInput, { dy: xIn, filter: w }, attrs({ inputShape: outShape })) as Tensor;
    return {
      value: y,
      gradFunc: (dy: Tensor, [sx, sw]: Tensor[]) => [
        engine.runKernel(dims === 2 ? tf.Conv2D : tf.Conv3D, { x: dy, filter: sw }, attrs({})) as Tensor, // [B, ...S, Cin]
        engine.runKernel(backpropFilter, { x: dy, dy: sx }, attrs({ filterShape: sw.shape })) as Tensor, // [k…, Cout, Cin]
      ],
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return transposed(x, filter) as Tensor;
}
