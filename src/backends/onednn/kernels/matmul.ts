/** BatchMatMul on oneDNN's sgemm (`native/src/matmul.cc`); batch broadcasting beyond "one side has batch 1" falls back. */
import * as tf from '@tensorflow/tfjs-core';
import { asOneDnn } from '../backend.js';
import { cpuKernel } from '../fallback.js';

export const batchMatMulConfig: tf.KernelConfig = {
  kernelName: tf.BatchMatMul, backendName: 'onednn',
  kernelFunc: (args) => {
    const b = asOneDnn(args.backend);
    const { a, b: bm } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    const batchA = a.shape.slice(0, -2), batchB = bm.shape.slice(0, -2);
    const nA = batchA.reduce((x, y) => x * y, 1), nB = batchB.reduce((x, y) => x * y, 1);
    const sameBatch = batchA.length === batchB.length && batchA.every((d, i) => d === batchB[i]);
    if (a.dtype !== 'float32' || bm.dtype !== 'float32' || !(sameBatch || nA === 1 || nB === 1)) return cpuKernel(tf.BatchMatMul)(args);
    const [ar, ac] = a.shape.slice(-2), [br, bc] = bm.shape.slice(-2);
    const m = transposeA ? ac : ar, n = transposeB ? br : bc;
    const batchShape = nA >= nB ? batchA : batchB;
    const { out, data } = b.alloc([...batchShape, m, n]);
    b.native.batchMatMul(b.f32(a), [nA, ar, ac], b.f32(bm), [nB, br, bc], data, transposeA, transposeB);
    return out;
  },
};
