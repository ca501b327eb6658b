/** MaxPool / MaxPool3D and their gradients (`native/src/pool.cc`); other dtypes and layouts use the CPU kernels. */
import * as tf from '@tensorflow/tfjs-core';
import { asOneDnn } from '../backend.js';
import { cpuKernel } from '../fallback.js';

const { backend_util } = tf;
type PoolInfo = tf.backend_util.Conv2DInfo | tf.backend_util.Conv3DInfo;

/** Window, strides and front padding of a pool info, spatial axes in order. */
function geometry(p: PoolInfo): { window: number[]; strides: number[]; padFront: number[] } {
  if ('strideDepth' in p) {
    return {
      window: [p.filterDepth, p.filterHeight, p.filterWidth],
      strides: [p.strideDepth, p.strideHeight, p.strideWidth],
      padFront: [p.padInfo.front, p.padInfo.top, p.padInfo.left],
    };
  }
  return { window: [p.filterHeight, p.filterWidth], strides: [p.strideHeight, p.strideWidth], padFront: [p.padInfo.top, p.padInfo.left] };
}

/** Whether the native kernel handles these tensors: float32, channels-last, undilated. */
function supported(p: PoolInfo, ...ts: tf.TensorInfo[]): boolean {
  const undilated = 'strideDepth' in p ? p.dilationDepth === 1 && p.dilationHeight === 1 && p.dilationWidth === 1 : p.dilationHeight === 1 && p.dilationWidth === 1;
  return undilated && p.dataFormat === 'channelsLast' && ts.every((t) => t.dtype === 'float32');
}

/** Runs the native forward pooling of x with geometry p. */
function forward(backend: unknown, x: tf.TensorInfo, p: PoolInfo): tf.TensorInfo {
  const b = asOneDnn(backend);
  const g = geometry(p);
  const { out, data } = b.alloc(p.outShape);
  b.native.maxPool(b.f32(x), x.shape, data, p.outShape, g.window, g.strides, g.padFront);
  return out;
}

/** Runs the native pooling gradient: dx (x's shape) from dy and the pooled input x. */
function backward(backend: unknown, dy: tf.TensorInfo, x: tf.TensorInfo, p: PoolInfo): tf.TensorInfo {
  const b = asOneDnn(backend);
  const g = geometry(p);
  const { out, data } = b.alloc([...x.shape]);
  b.native.maxPoolBackward(b.f32(x), x.shape, b.f32(dy), dy.shape, data, g.window, g.strides, g.padFront);
  return out;
}

export const maxPoolConfig: tf.KernelConfig = {
  kernelName: tf.MaxPool, backendName: 'onednn',
  kernelFunc: (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as tf.MaxPoolAttrs;
    const p = backend_util.computePool2DInfo(x.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
    return supported(p, x) ? forward(args.backend, x, p) : cpuKernel(tf.MaxPool)(args);
  },
};

export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad, backendName: 'onednn',
  kernelFunc: (args) => {
    const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as tf.MaxPoolGradAttrs;
    const p = backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
    return supported(p, dy, input) ? backward(args.backend, dy, input, p) : cpuKernel(tf.MaxPoolGrad)(args);
  },
};

export const maxPool3DConfig: tf.KernelConfig = {
  kernelName: tf.MaxPool3D, backendName: 'onednn',
  kernelFunc: (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { filterSize, strides, pad, dimRoundingMode, dataFormat } = args.attrs as unknown as tf.MaxPool3DAttrs;
    const p = backend_util.computePool3DInfo(x.shape as [number, number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode, dataFormat);
    return supported(p, x) ? forward(args.backend, x, p) : cpuKernel(tf.MaxPool3D)(args);
  },
};

export const maxPool3DGradConfig: tf.KernelConfig = {
  kernelName: tf.MaxPool3DGrad, backendName: 'onednn',
  kernelFunc: (args) => {
    const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as tf.MaxPool3DGradAttrs;
    const p = backend_util.computePool3DInfo(input.shape as [number, number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
    return supported(p, dy, input) ? backward(args.backend, dy, input, p) : cpuKernel(tf.MaxPool3DGrad)(args);
  },
};

export const poolKernels: tf.KernelConfig[] = [maxPoolConfig, maxPoolGradConfig, maxPool3DConfig, maxPool3DGradConfig];
