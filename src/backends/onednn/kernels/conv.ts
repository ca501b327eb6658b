/** Conv2D / Conv3D forward, backward-data and backward-weights on oneDNN (`native/src/conv.cc`). */
import * as tf from '@tensorflow/tfjs-core';
import { asOneDnn } from '../backend.js';

const { backend_util } = tf;
type ConvInfo = tf.backend_util.Conv2DInfo | tf.backend_util.Conv3DInfo;

/** Strides, dilations and front/back padding of a conv info, spatial axes in order. */
function geometry(c: ConvInfo): { strides: number[]; dilations: number[]; padL: number[]; padR: number[] } {
  if ('strideDepth' in c) {
    const p = c.padInfo;
    return {
      strides: [c.strideDepth, c.strideHeight, c.strideWidth],
      dilations: [c.dilationDepth, c.dilationHeight, c.dilationWidth],
      padL: [p.front, p.top, p.left], padR: [p.back, p.bottom, p.right],
    };
  }
  const p = c.padInfo;
  return { strides: [c.strideHeight, c.strideWidth], dilations: [c.dilationHeight, c.dilationWidth], padL: [p.top, p.left], padR: [p.bottom, p.right] };
}

function checkNHWC(name: string, dataFormat: unknown): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC' && dataFormat !== 'NDHWC' && dataFormat !== 'channelsLast') {
    throw new Error(`onednn ${name}: data format ${String(dataFormat)} is not supported (channels-last only)`);
  }
}

export const conv2DConfig: tf.KernelConfig = {
  kernelName: tf.Conv2D, backendName: 'onednn',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const b = asOneDnn(backend);
    const { x, filter } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
    const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs as unknown as tf.Conv2DAttrs;
    checkNHWC('Conv2D', dataFormat);
    const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filter.shape as [number, number, number, number], strides, dilations, pad, dimRoundingMode, false, 'channelsLast');
    const g = geometry(info);
    const { out, data } = b.alloc(info.outShape);
    b.native.conv(b.f32(x), x.shape, b.f32(filter), filter.shape, null, data, info.outShape, g.strides, g.dilations, g.padL, g.padR);
    return out;
  },
};

export const conv3DConfig: tf.KernelConfig = {
  kernelName: tf.Conv3D, backendName: 'onednn',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const b = asOneDnn(backend);
    const { x, filter } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
    const { strides, pad, dilations } = attrs as unknown as tf.Conv3DAttrs;
    const info = backend_util.computeConv3DInfo(x.shape as [number, number, number, number, number], filter.shape as [number, number, number, number, number], strides, dilations, pad);
    const g = geometry(info);
    const { out, data } = b.alloc(info.outShape);
    b.native.conv(b.f32(x), x.shape, b.f32(filter), filter.shape, null, data, info.outShape, g.strides, g.dilations, g.padL, g.padR);
    return out;
  },
};

export const conv2DBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput, backendName: 'onednn',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const b = asOneDnn(backend);
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const { inputShape, strides, pad, dataFormat, dimRoundingMode } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
    checkNHWC('Conv2DBackpropInput', dataFormat);
    const info = backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode, false, 'channelsLast');
    const g = geometry(info);
    const { out, data } = b.alloc([...inputShape]);
    b.native.convBackwardData(b.f32(dy), dy.shape, b.f32(filter), filter.shape, data, [...inputShape], g.strides, g.dilations, g.padL, g.padR);
    return out;
  },
};

export const conv3DBackpropInputV2Config: tf.KernelConfig = {
  kernelName: tf.Conv3DBackpropInputV2, backendName: 'onednn',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const b = asOneDnn(backend);
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const { inputShape, strides, pad } = attrs as unknown as tf.Conv3DBackpropInputV2Attrs;
    const info = backend_util.computeConv3DInfo(inputShape as [number, number, number, number, number], filter.shape as [number, number, number, number, number], strides, 1, pad);
    const g = geometry(info);
    const { out, data } = b.alloc([...inputShape]);
    b.native.convBackwardData(b.f32(dy), dy.shape, b.f32(filter), filter.shape, data, [...inputShape], g.strides, g.dilations, g.padL, g.padR);
    return out;
  },
};

export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter, backendName: 'onednn',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const b = asOneDnn(backend);
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    checkNHWC('Conv2DBackpropFilter', dataFormat);
    const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
    const g = geometry(info);
    const { out, data } = b.alloc([...filterShape]);
    b.native.convBackwardWeights(b.f32(x), x.shape, b.f32(dy), dy.shape, data, [...filterShape], g.strides, g.dilations, g.padL, g.padR, null);
    return out;
  },
};

export const conv3DBackpropFilterV2Config: tf.KernelConfig = {
  kernelName: tf.Conv3DBackpropFilterV2, backendName: 'onednn',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const b = asOneDnn(backend);
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const { strides, pad, filterShape } = attrs as unknown as tf.Conv3DBackpropFilterV2Attrs;
    const info = backend_util.computeConv3DInfo(x.shape as [number, number, number, number, number], filterShape as [number, number, number, number, number], strides, 1, pad);
    const g = geometry(info);
    const { out, data } = b.alloc([...filterShape]);
    b.native.convBackwardWeights(b.f32(x), x.shape, b.f32(dy), dy.shape, data, [...filterShape], g.strides, g.dilations, g.padL, g.padR, null);
    return out;
  },
};

export const convKernels = [conv2DConfig, conv3DConfig, conv2DBackpropInputConfig, conv3DBackpropInputV2Config, conv2DBackpropFilterConfig, conv3DBackpropFilterV2Config];
