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

interface ConvAttrs {
  strides: number | number[];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dilations?: number | number[];
  dataFormat?: string;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** tfjs's conv info for an x [B, ...S, C] and a filter [...k, Cin, Cout], 2-D or 3-D by the rank of x. */
function convInfo(name: string, x: readonly number[], filter: readonly number[], a: ConvAttrs, dilations: number | number[]): ConvInfo {
  checkNHWC(name, a.dataFormat);
  type S4 = [number, number, number, number];
  type S5 = [number, number, number, number, number];
  return x.length === 4
    ? backend_util.computeConv2DInfo([...x] as S4, [...filter] as S4, a.strides as [number, number], dilations as [number, number], a.pad, a.dimRoundingMode, false, 'channelsLast')
    : backend_util.computeConv3DInfo([...x] as S5, [...filter] as S5, a.strides as [number, number, number], dilations as [number, number, number], a.pad as 'valid' | 'same');
}

/** y = conv(x, filter). */
const forward = (kernelName: string): tf.KernelConfig => ({
  kernelName, backendName: 'onednn',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const b = asOneDnn(backend);
    const { x, filter } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
    const a = attrs as unknown as ConvAttrs;
    const info = convInfo(kernelName, x.shape, filter.shape, a, a.dilations ?? 1);
    const g = geometry(info);
    const { out, data } = b.alloc(info.outShape);
    b.native.conv(b.f32(x), x.shape, b.f32(filter), filter.shape, null, data, info.outShape, g.strides, g.dilations, g.padL, g.padR, b.serial(x));
    return out;
  },
});

/** dx of a conv whose input had shape `inputShape`. */
const backwardData = (kernelName: string): tf.KernelConfig => ({
  kernelName, backendName: 'onednn',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const b = asOneDnn(backend);
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const a = attrs as unknown as ConvAttrs & { inputShape: number[] };
    const g = geometry(convInfo(kernelName, a.inputShape, filter.shape, a, 1));
    const { out, data } = b.alloc([...a.inputShape]);
    b.native.convBackwardData(b.f32(dy), dy.shape, b.f32(filter), filter.shape, data, [...a.inputShape], g.strides, g.dilations, g.padL, g.padR, b.serial(dy));
    return out;
  },
});

/** dfilter of a conv whose filter had shape `filterShape`. */
const backwardFilter = (kernelName: string): tf.KernelConfig => ({
  kernelName, backendName: 'onednn',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const b = asOneDnn(backend);
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const a = attrs as unknown as ConvAttrs & { filterShape: number[] };
    const g = geometry(convInfo(kernelName, x.shape, a.filterShape, a, 1));
    const { out, data } = b.alloc([...a.filterShape]);
    b.native.convBackwardWeights(b.f32(x), x.shape, b.f32(dy), dy.shape, data, [...a.filterShape], g.strides, g.dilations, g.padL, g.padR, null, b.serial(x), b.serial(dy));
    return out;
  },
});

export const convKernels = [
  forward(tf.Conv2D), forward(tf.Conv3D),
  backwardData(tf.Conv2DBackpropInput), backwardData(tf.Conv3DBackpropInputV2),
  backwardFilter(tf.Conv2DBackpropFilter), backwardFilter(tf.Conv3DBackpropFilterV2),
];
