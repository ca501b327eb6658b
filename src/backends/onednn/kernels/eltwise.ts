/**
 * Memory-bound kernels on the addon (`native/src/eltwise.cc`): Add / Sub / Multiply / RealDiv when the broadcast is
 * "same shape", "scalar" or "trailing block"; Relu, Square, Neg, Step; Transpose; Concat and Slice / SplitV as block
 * copies; Sum / Mean over leading or trailing axes. Other cases run the CPU backend's kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import { asOneDnn } from '../backend.js';
import { cpuKernel } from '../fallback.js';

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** Whether `small` broadcasts against `big` as a trailing block (or scalar, or same shape). */
function trailing(big: readonly number[], small: readonly number[]): boolean {
  const s = [...small];
  while (s.length > 0 && s[0] === 1) s.shift();
  if (s.length > big.length) return false;
  return s.every((d, i) => d === big[big.length - s.length + i]);
}

function binary(name: string, op: number): tf.KernelConfig {
  return {
    kernelName: name, backendName: 'onednn',
    kernelFunc: (args) => {
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const be = asOneDnn(args.backend);
      if (a.dtype !== 'float32' || b.dtype !== 'float32') return cpuKernel(name)(args);
      const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
      const n = size(outShape);
      // one side is [..., 1] against [..., K]: a per-row scalar along the last axis (softmax's max and sum)
      const k = outShape[outShape.length - 1];
      const isCol = (t: tf.TensorInfo) => t.shape.length === outShape.length && t.shape[t.shape.length - 1] === 1 && k > 1 && size(t.shape) * k === n && t.shape.slice(0, -1).every((d, i) => d === outShape[i]);
      if (size(a.shape) === n && isCol(b) || size(b.shape) === n && isCol(a)) {
        const colFirst = isCol(a);
        const { out, data } = be.alloc(outShape);
        be.native.binaryColumn(op, be.f32(colFirst ? b : a), be.f32(colFirst ? a : b), data, k, colFirst);
        return out;
      }
      const okA = size(a.shape) === n || trailing(outShape, a.shape);
      const okB = size(b.shape) === n || trailing(outShape, b.shape);
      if (!(okA && okB) || (size(a.shape) !== n && size(b.shape) !== n)) return cpuKernel(name)(args);
      const { out, data } = be.alloc(outShape);
      be.native.binary(op, be.f32(a), be.f32(b), data);
      return out;
    },
  } as tf.KernelConfig;
}

/** An elementwise op of `native/src/eltwise.cc` (`supported` can send other attributes to tfjs's CPU kernel). */
function unary(name: string, op: number, supported: (attrs: tf.NamedAttrMap) => boolean = () => true): tf.KernelConfig {
  return {
    kernelName: name, backendName: 'onednn',
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      if (x.dtype !== 'float32' || !supported(args.attrs ?? {})) return cpuKernel(name)(args);
      const be = asOneDnn(args.backend);
      const { out, data } = be.alloc([...x.shape]);
      be.native.unary(op, be.f32(x), data);
      return out;
    },
  } as tf.KernelConfig;
}

/** Views a slice as [rows, width] with one partial axis: begin/size cover full extents everywhere else. */
function blockSlice(shape: readonly number[], begin: readonly number[], sz: readonly number[]): { rows: number; width: number; b: number; s: number } | undefined {
  let axis = -1;
  for (let i = 0; i < shape.length; i++) {
    if (begin[i] !== 0 || sz[i] !== shape[i]) {
      if (axis >= 0) {
        // a second partial axis is fine only if every axis before it has extent 1 in the slice
        return undefined;
      }
      axis = i;
    }
  }
  if (axis < 0) axis = 0;
  const inner = size(shape.slice(axis + 1));
  return { rows: size(shape.slice(0, axis)), width: shape[axis] * inner, b: begin[axis] * inner, s: sz[axis] * inner };
}

function sliceInto(be: ReturnType<typeof asOneDnn>, x: tf.TensorInfo, begin: number[], sz: number[]): tf.TensorInfo | undefined {
  const blk = blockSlice(x.shape, begin, sz);
  if (!blk) return undefined;
  const { out, data } = be.alloc(sz);
  be.native.sliceRows(be.f32(x), blk.rows, blk.width, blk.b, blk.s, data);
  return out;
}

const sliceConfig: tf.KernelConfig = {
  kernelName: tf.Slice, backendName: 'onednn',
  kernelFunc: (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const be = asOneDnn(args.backend);
    const { begin, size: sz } = args.attrs as unknown as tf.SliceAttrs;
    const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, sz);
    if (x.dtype === 'float32') {
      const r = sliceInto(be, x, b, s);
      if (r) return r;
    }
    // The CPU kernel returns a view (subarray) for contiguous slices; copy so recycled arrays are never shared.
    const res = cpuKernel(tf.Slice)(args) as tf.TensorInfo;
    const vals = be.data.get(res.dataId)!.values as Float32Array;
    if (vals.buffer === (be.data.get(x.dataId)!.values as Float32Array).buffer) be.data.get(res.dataId)!.values = vals.slice();
    return res;
  },
};

const splitVConfig: tf.KernelConfig = {
  kernelName: tf.SplitV, backendName: 'onednn',
  kernelFunc: (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const be = asOneDnn(args.backend);
    const { numOrSizeSplits, axis } = args.attrs as unknown as tf.SplitVAttrs;
    const ax = tf.util.parseAxisParam(axis, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, ax);
    if (x.dtype !== 'float32') return cpuKernel(tf.SplitV)(args);
    const begin = new Array(x.shape.length).fill(0);
    return sizes.map((s) => {
      const sz = [...x.shape];
      sz[ax] = s;
      const r = sliceInto(be, x, [...begin], sz)!;
      begin[ax] += s;
      return r;
    });
  },
};

const concatConfig: tf.KernelConfig = {
  kernelName: tf.Concat, backendName: 'onednn',
  kernelFunc: (args) => {
    const inputs = (args.inputs as unknown as tf.TensorInfo[]).filter((t) => size(t.shape) > 0);
    const be = asOneDnn(args.backend);
    const { axis } = args.attrs as unknown as tf.ConcatAttrs;
    if (inputs.length === 0 || inputs.some((t) => t.dtype !== 'float32')) return cpuKernel(tf.Concat)(args);
    const ax = tf.util.parseAxisParam(axis, inputs[0].shape)[0];
    const outShape = tf.backend_util.computeOutShape(inputs.map((t) => t.shape), ax);
    const rows = size(outShape.slice(0, ax));
    const { out, data } = be.alloc(outShape);
    be.native.concatRows(inputs.map((t) => be.f32(t)), inputs.map((t) => size(t.shape.slice(ax))), rows, data);
    return out;
  },
};

function reduce(name: string, mean: boolean): tf.KernelConfig {
  return {
    kernelName: name, backendName: 'onednn',
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      const be = asOneDnn(args.backend);
      const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
      if (x.dtype !== 'float32') return cpuKernel(name)(args);
      const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
      const r = x.shape.length;
      const prefix = axes.every((a, i) => a === i);
      const suffix = axes.every((a, i) => a === r - axes.length + i);
      if (!prefix && !suffix) return cpuKernel(name)(args);
      const reduced = axes.reduce((n, a) => n * x.shape[a], 1);
      const kept = x.shape.filter((_, i) => !axes.includes(i));
      const outShape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : kept;
      const { out, data } = be.alloc(outShape);
      if (prefix && size(kept) > 1) be.native.sumRows(be.f32(x), reduced, size(kept), data);
      else if (prefix) be.native.sumCols(be.f32(x), 1, reduced, data); // a full reduction: one row, the vectorised sum
      else be.native.sumCols(be.f32(x), size(kept), reduced, data);
      if (mean) for (let i = 0; i < data.length; i++) data[i] /= reduced;
      return out;
    },
  } as tf.KernelConfig;
}

const softmaxConfig: tf.KernelConfig = {
  kernelName: tf.Softmax, backendName: 'onednn',
  kernelFunc: (args) => {
    const { logits } = args.inputs as { logits: tf.TensorInfo };
    const { dim } = args.attrs as unknown as tf.SoftmaxAttrs;
    const last = logits.shape.length - 1;
    if (logits.dtype !== 'float32' || (dim !== -1 && dim !== last)) return cpuKernel(tf.Softmax)(args);
    const be = asOneDnn(args.backend);
    const { out, data } = be.alloc([...logits.shape]);
    be.native.softmaxRows(be.f32(logits), logits.shape[last], data);
    return out;
  },
};

/** Transpose of float32 tensors: a strided copy, the trailing in-place axes as contiguous blocks. */
const transposeConfig: tf.KernelConfig = {
  kernelName: tf.Transpose, backendName: 'onednn',
  kernelFunc: (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { perm } = args.attrs as unknown as tf.TransposeAttrs;
    if (x.dtype !== 'float32') return cpuKernel(tf.Transpose)(args);
    const be = asOneDnn(args.backend);
    const { out, data } = be.alloc(perm.map((p) => x.shape[p]));
    be.native.transpose(be.f32(x), [...x.shape], [...perm], data);
    return out;
  },
};

/**
 * StridedSlice with steps (the CPU kernel reads each element through a coordinate array: 25 ms for nnU-Net's
 * deep-supervision targets at [2, 40, 56, 40]); identity and contiguous slices, negative steps and other dtypes go to
 * the CPU kernel.
 */
const stridedSliceConfig: tf.KernelConfig = {
  kernelName: tf.StridedSlice, backendName: 'onednn',
  kernelFunc: (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const a = args.attrs as unknown as tf.StridedSliceAttrs;
    if (x.dtype !== 'float32') return cpuKernel(tf.StridedSlice)(args);
    const info = tf.slice_util.sliceInfo(x.shape, a.begin, a.end, a.strides, a.beginMask, a.endMask, a.ellipsisMask, a.newAxisMask, a.shrinkAxisMask);
    const sparse = info.finalShapeSparse;
    if (info.isIdentity || info.sliceDim0 || info.isSimpleSlice || sparse.length !== x.shape.length || info.strides.some((v) => v < 1) || size(sparse) === 0) return cpuKernel(tf.StridedSlice)(args);
    const be = asOneDnn(args.backend);
    const { out, data } = be.alloc(info.finalShape);
    be.native.stridedGather(be.f32(x), [...x.shape], info.begin, info.strides, sparse, data);
    return out;
  },
};

export const eltwiseKernels: tf.KernelConfig[] = [
  stridedSliceConfig,
  transposeConfig,
  softmaxConfig, unary(tf.Exp, 4),
  binary(tf.Add, 0), binary(tf.Sub, 1), binary(tf.Multiply, 2), binary(tf.RealDiv, 3),
  unary(tf.Relu, 0), unary(tf.Square, 1), unary(tf.Neg, 2), unary(tf.Step, 3, (a) => (a.alpha ?? 0) === 0),
  sliceConfig, splitVConfig, concatConfig, reduce(tf.Sum, false), reduce(tf.Mean, true),
];
