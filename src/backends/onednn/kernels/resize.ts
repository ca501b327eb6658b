/**
 * Bilinear / trilinear resize and gradients (`native/src/resize.cc`): tfjs's ResizeBilinear and ResizeBilinearGrad,
 * and the library's own `UnetResizeLinear` / `UnetResizeLinearGrad` (2-D and 3-D, PyTorch's align_corners semantics;
 * see src/nn/ops/resize.ts), whose gradient is registered here.
 */
import * as tf from '@tensorflow/tfjs-core';
import { asOneDnn, type OneDnnBackend } from '../backend.js';
import { cpuKernel } from '../fallback.js';

/** Kernel names of the library's linear resize (inputs {x}, attrs {size, alignCorners}) and its gradient. */
export const UNET_RESIZE_LINEAR = 'UnetResizeLinear';
export const UNET_RESIZE_LINEAR_GRAD = 'UnetResizeLinearGrad';

/** Attributes of UnetResizeLinear(Grad): the spatial output size and the corner mode. */
export interface UnetResizeLinearAttrs {
  size: number[];
  alignCorners: boolean;
}

/** Native coordinate mode: 0 align-corners, 1 half-pixel, 2 asymmetric (tfjs's legacy default). */
const modeOf = (alignCorners: boolean, halfPixelCenters: boolean): number => (alignCorners ? 0 : halfPixelCenters ? 1 : 2);

/** Whether every shape has no zero-length axis. */
const nonEmpty = (...shapes: number[][]): boolean => shapes.every((s) => s.every((d) => d > 0));

/** A tensor's values as float32 (no copy when they already are). */
function valuesF32(b: OneDnnBackend, t: tf.TensorInfo): Float32Array {
  if (t.dtype === 'float32') return b.f32(t);
  return Float32Array.from(b.data.get(t.dataId).values as ArrayLike<number>);
}

/** The resized shape [B, ...size, C] of x, checking that size names every spatial axis. */
function resizedShape(x: tf.TensorInfo, size: readonly number[], name: string): number[] {
  if (x.shape.length !== 4 && x.shape.length !== 5) throw new Error(`${name}: expected [B, H, W, C] or [B, D, H, W, C], got [${x.shape}]`);
  if (size.length !== x.shape.length - 2) throw new Error(`${name}: size [${size}] does not match the ${x.shape.length - 2} spatial axes of [${x.shape}]`);
  return [x.shape[0], ...size, x.shape[x.shape.length - 1]];
}

/** Runs the native forward resize of x to outShape. */
function forward(backend: unknown, x: tf.TensorInfo, outShape: number[], mode: number): tf.TensorInfo {
  const b = asOneDnn(backend);
  const { out, data } = b.alloc(outShape);
  b.native.resizeLinear(valuesF32(b, x), x.shape, data, outShape, mode);
  return out;
}

/** Runs the native resize gradient: dx with the input's shape from dy. */
function backward(backend: unknown, dy: tf.TensorInfo, inShape: number[], mode: number): tf.TensorInfo {
  const b = asOneDnn(backend);
  const { out, data } = b.alloc(inShape);
  b.native.resizeLinearBackward(valuesF32(b, dy), dy.shape, data, inShape, mode);
  return out;
}

export const resizeBilinearConfig: tf.KernelConfig = {
  kernelName: tf.ResizeBilinear, backendName: 'onednn',
  kernelFunc: (args) => {
    const { images } = args.inputs as { images: tf.TensorInfo };
    const { alignCorners, halfPixelCenters, size } = args.attrs as unknown as tf.ResizeBilinearAttrs;
    const outShape = [images.shape[0], size[0], size[1], images.shape[3]];
    if (images.dtype !== 'float32' || images.shape.length !== 4 || !nonEmpty(images.shape, outShape)) return cpuKernel(tf.ResizeBilinear)(args);
    return forward(args.backend, images, outShape, modeOf(alignCorners, halfPixelCenters));
  },
};

export const resizeBilinearGradConfig: tf.KernelConfig = {
  kernelName: tf.ResizeBilinearGrad, backendName: 'onednn',
  kernelFunc: (args) => {
    const { images, dy } = args.inputs as { images: tf.TensorInfo; dy: tf.TensorInfo };
    const { alignCorners, halfPixelCenters } = args.attrs as unknown as tf.ResizeBilinearGradAttrs;
    if (dy.dtype !== 'float32' || images.shape.length !== 4 || !nonEmpty(images.shape, dy.shape)) return cpuKernel(tf.ResizeBilinearGrad)(args);
    return backward(args.backend, dy, [...images.shape], modeOf(alignCorners, halfPixelCenters));
  },
};

export const unetResizeLinearConfig: tf.KernelConfig = {
  kernelName: UNET_RESIZE_LINEAR, backendName: 'onednn',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x } = inputs as { x: tf.TensorInfo };
    const { size, alignCorners } = attrs as unknown as UnetResizeLinearAttrs;
    const outShape = resizedShape(x, size, UNET_RESIZE_LINEAR);
    if (!nonEmpty(x.shape, outShape)) return asOneDnn(backend).alloc(outShape).out;
    return forward(backend, x, outShape, modeOf(alignCorners, true));
  },
};

export const unetResizeLinearGradConfig: tf.KernelConfig = {
  kernelName: UNET_RESIZE_LINEAR_GRAD, backendName: 'onednn',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, x } = inputs as { dy: tf.TensorInfo; x: tf.TensorInfo };
    const { size, alignCorners } = attrs as unknown as UnetResizeLinearAttrs;
    const outShape = resizedShape(x, size, UNET_RESIZE_LINEAR_GRAD);
    if (!tf.util.arraysEqual(dy.shape, outShape)) throw new Error(`${UNET_RESIZE_LINEAR_GRAD}: dy [${dy.shape}] should be [${outShape}]`);
    if (!nonEmpty(x.shape, outShape)) return asOneDnn(backend).alloc([...x.shape]).out;
    return backward(backend, dy, [...x.shape], modeOf(alignCorners, true));
  },
};

/** The gradient of UnetResizeLinear: UnetResizeLinearGrad of dy, with the same attributes. */
const unetResizeLinearGradient: tf.GradConfig = {
  kernelName: UNET_RESIZE_LINEAR,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    return { x: () => tf.engine().runKernel(UNET_RESIZE_LINEAR_GRAD, { dy: dy as tf.Tensor, x }, attrs) as tf.Tensor };
  },
};

/** Registers the gradient of UnetResizeLinear once (gradients are global, not per backend). */
export function registerResizeGradient(): void {
  if (!tf.getGradient(UNET_RESIZE_LINEAR)) tf.registerGradient(unetResizeLinearGradient);
}

export const resizeKernels: tf.KernelConfig[] = [resizeBilinearConfig, resizeBilinearGradConfig, unetResizeLinearConfig, unetResizeLinearGradConfig];
