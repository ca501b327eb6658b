// Native memory-bound kernels (native/src/eltwise.cc) against tfjs's CPU kernels: strided slices (nnU-Net's
// deep-supervision targets) and full reductions (gradient clipping's global norm).
import * as tf from '@tensorflow/tfjs-core';
import { compareBackends, nativeTest } from '../testing.js';

const rnd = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

// [x shape, begin, end, strides]: every axis strided, one axis, offsets, odd sizes, a 2-D case
const STRIDED: [number[], number[], number[], number[]][] = [
  [[2, 8, 12, 10], [0, 1, 1, 1], [2, 8, 12, 10], [1, 2, 2, 2]],
  [[2, 9, 13, 11], [0, 0, 1, 2], [2, 9, 13, 11], [1, 2, 2, 3]],
  [[3, 7, 5], [0, 0, 1], [3, 7, 5], [1, 1, 2]],
  [[1, 40, 56, 40], [0, 1, 1, 1], [1, 40, 56, 40], [1, 2, 2, 2]],
  [[4, 6], [1, 0], [4, 6], [2, 3]],
];
for (const [xs, begin, end, strides] of STRIDED) {
  nativeTest(`StridedSlice ${xs} begin ${begin} strides ${strides}`, () =>
    compareBackends('stridedSlice', () => [rnd(xs, 1)], (x) => [tf.stridedSlice(x, begin, end, strides)]));
}

for (const shape of [[3, 3, 3, 64, 64], [7], [2, 1000, 3]]) {
  nativeTest(`Sum of all of ${shape} (and Mean)`, () =>
    compareBackends('sum', () => [rnd(shape, 2)], (x) => [tf.sum(x), tf.mean(x), tf.sum(tf.square(x))]));
}
