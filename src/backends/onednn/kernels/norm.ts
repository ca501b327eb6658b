/**
 * Fused normalisation kernels (`native/src/norm.cc`), registered under names of this library's own:
 *   UnetBatchNormTrain     {x, gamma?, beta?} {eps, relu} → [y, mean, variance]   (statistics over all axes but the last)
 *   UnetBatchNormTrainGrad {dy, x, y?, mean, variance, gamma?} {eps, relu} → [dx, dgamma, dbeta]
 *   UnetScaleShift         {x, scale, shift} {relu} → y = relu?(x·scale + shift)
 *   UnetInstanceNormAct    {x, gamma?, beta?} {eps, slope} → [y, mean, variance]   (statistics per sample and channel of
 *                          x [B, ...S, C]; y = act(x̂·γ + β), act(v) = v > 0 ? v : slope·v; slope 1: none)
 *   UnetInstanceNormActGrad {dy, x, y?, mean, variance, gamma?} {eps, slope} → [dx, dgamma, dbeta]
 * src/nn/ops/batchnorm.ts uses them when the active backend has them, and composite tfjs ops otherwise.
 */
import * as tf from '@tensorflow/tfjs-core';
import { asOneDnn } from '../backend.js';

const rowsCols = (shape: readonly number[]) => {
  const c = shape[shape.length - 1];
  return [shape.reduce((a, b) => a * b, 1) / c, c];
};

export const batchNormTrainConfig: tf.KernelConfig = {
  kernelName: 'UnetBatchNormTrain', backendName: 'onednn',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const be = asOneDnn(backend);
    const { x, gamma, beta } = inputs as { x: tf.TensorInfo; gamma?: tf.TensorInfo; beta?: tf.TensorInfo };
    const { eps, relu } = attrs as unknown as { eps: number; relu: boolean };
    const [m, c] = rowsCols(x.shape);
    const y = be.alloc([...x.shape]), mean = be.alloc([c]), variance = be.alloc([c]);
    be.native.batchNormTrain(be.f32(x), m, c, gamma ? be.f32(gamma) : null, beta ? be.f32(beta) : null, eps, relu, y.data, mean.data, variance.data);
    return [y.out, mean.out, variance.out];
  },
};

export const batchNormTrainGradConfig: tf.KernelConfig = {
  kernelName: 'UnetBatchNormTrainGrad', backendName: 'onednn',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const be = asOneDnn(backend);
    const { dy, x, y, mean, variance, gamma } = inputs as Record<string, tf.TensorInfo | undefined>;
    const { eps, relu } = attrs as unknown as { eps: number; relu: boolean };
    const [m, c] = rowsCols(x!.shape);
    const dx = be.alloc([...x!.shape]), dgamma = be.alloc([c]), dbeta = be.alloc([c]);
    be.native.batchNormTrainGrad(be.f32(dy!), be.f32(x!), relu ? be.f32(y!) : null, m, c, be.f32(mean!), be.f32(variance!), gamma ? be.f32(gamma) : null, eps, dx.data, dgamma.data, dbeta.data);
    return [dx.out, dgamma.out, dbeta.out];
  },
};

export const scaleShiftConfig: tf.KernelConfig = {
  kernelName: 'UnetScaleShift', backendName: 'onednn',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const be = asOneDnn(backend);
    const { x, scale, shift } = inputs as { x: tf.TensorInfo; scale: tf.TensorInfo; shift: tf.TensorInfo };
    const { relu } = attrs as unknown as { relu: boolean };
    const [m, c] = rowsCols(x.shape);
    const y = be.alloc([...x.shape]);
    be.native.scaleShift(be.f32(x), m, c, be.f32(scale), be.f32(shift), relu, y.data);
    return y.out;
  },
};

export const instanceNormActConfig: tf.KernelConfig = {
  kernelName: 'UnetInstanceNormAct', backendName: 'onednn',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const be = asOneDnn(backend);
    const { x, gamma, beta } = inputs as { x: tf.TensorInfo; gamma?: tf.TensorInfo; beta?: tf.TensorInfo };
    const { eps, slope } = attrs as unknown as { eps: number; slope: number };
    const b = x.shape[0], [rows, c] = rowsCols(x.shape), m = rows / b;
    const y = be.alloc([...x.shape]), mean = be.alloc([b, c]), variance = be.alloc([b, c]);
    be.native.instanceNormAct(be.f32(x), b, m, c, gamma ? be.f32(gamma) : null, beta ? be.f32(beta) : null, eps, slope, y.data, mean.data, variance.data);
    return [y.out, mean.out, variance.out];
  },
};

export const instanceNormActGradConfig: tf.KernelConfig = {
  kernelName: 'UnetInstanceNormActGrad', backendName: 'onednn',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const be = asOneDnn(backend);
    const { dy, x, y, mean, variance, gamma } = inputs as Record<string, tf.TensorInfo | undefined>;
    const { eps, slope } = attrs as unknown as { eps: number; slope: number };
    const b = x!.shape[0], [rows, c] = rowsCols(x!.shape), m = rows / b;
    const dx = be.alloc([...x!.shape]), dgamma = be.alloc([c]), dbeta = be.alloc([c]);
    be.native.instanceNormActGrad(be.f32(dy!), be.f32(x!), y ? be.f32(y) : null, b, m, c, be.f32(mean!), be.f32(variance!), gamma ? be.f32(gamma) : null, eps, slope, dx.data, dgamma.data, dbeta.data);
    return [dx.out, dgamma.out, dbeta.out];
  },
};

export const normKernels = [batchNormTrainConfig, batchNormTrainGradConfig, scaleShiftConfig, instanceNormActConfig, instanceNormActGradConfig];
