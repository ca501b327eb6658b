import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { resizeLinear } from '../../../nn/ops/resize.js';
import { compareBackends, nativeTest } from '../testing.js';

const rnd = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

/** Values of f at x and ∂x against a random cotangent. */
function withGrad(f: (a: tf.Tensor) => tf.Tensor, x: tf.Tensor, seed: number): tf.Tensor[] {
  const r = rnd(f(x).shape, seed);
  return [f(x), tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a), r)))(x)];
}

// [alignCorners, halfPixelCenters]
const MODES: [boolean, boolean][] = [[true, false], [false, true], [false, false]];
// [x shape, output size]: up, down, mixed, unchanged, to 1×1, many channels
const CASES2D: [number[], [number, number]][] = [
  [[2, 7, 9, 3], [14, 18]],
  [[1, 11, 10, 4], [5, 4]],
  [[3, 6, 5, 2], [9, 3]],
  [[2, 7, 9, 3], [7, 9]],
  [[1, 4, 5, 3], [1, 1]],
  [[1, 16, 13, 37], [32, 26]],
];

for (const [alignCorners, halfPixel] of MODES) {
  for (const [xs, size] of CASES2D) {
    nativeTest(`ResizeBilinear ${xs} → ${size}, alignCorners=${alignCorners} halfPixelCenters=${halfPixel}: forward, ∂x`, () =>
      compareBackends('resizeBilinear', () => [rnd(xs, 1)], (x) =>
        withGrad((a) => tf.image.resizeBilinear(a as tf.Tensor4D, size, alignCorners, halfPixel), x, 2)));
  }
}

// resizeLinear: the native UnetResizeLinear kernel on onednn against the composite path on cpu
const CASES_LINEAR: [number[], number[]][] = [
  [[2, 3, 5, 4, 2], [6, 10, 8]],
  [[1, 7, 6, 9, 3], [3, 4, 5]],
  [[2, 4, 5, 3, 5], [7, 5, 2]],
  [[1, 5, 4, 3, 2], [1, 1, 1]],
  [[1, 6, 8, 8, 19], [12, 16, 16]],
  [[2, 9, 7, 3], [18, 14]],
  [[1, 8, 11, 4], [3, 6]],
];

for (const alignCorners of [true, false]) {
  for (const [xs, size] of CASES_LINEAR) {
    nativeTest(`resizeLinear (UnetResizeLinear) ${xs} → ${size}, alignCorners=${alignCorners}: forward, ∂x vs the composite on cpu`, () =>
      compareBackends('resizeLinear', () => [rnd(xs, 3)], (x) => withGrad((a) => resizeLinear(a, size, alignCorners), x, 4)));
  }
}

nativeTest('resizeLinear on onednn runs as the single UnetResizeLinear kernel, and its gradient as UnetResizeLinearGrad', async () => {
  await tf.setBackend('onednn');
  const x = rnd([1, 3, 4, 5, 2], 5);
  const fwd = await tf.profile(() => resizeLinear(x, [6, 8, 10], true));
  assert.deepEqual(fwd.kernelNames, ['UnetResizeLinear']);
  const bwd = await tf.profile(() => tf.grad((a: tf.Tensor) => tf.sum(resizeLinear(a, [6, 8, 10], false)))(x));
  assert.ok(bwd.kernelNames.includes('UnetResizeLinearGrad'), `kernels: ${bwd.kernelNames}`);
  assert.ok(!bwd.kernelNames.includes('ResizeBilinear'), `kernels: ${bwd.kernelNames}`);
  x.dispose();
});

nativeTest('ResizeBilinear falls back to the cpu kernel for int32 images', async () => {
  await tf.setBackend('onednn');
  const x = tf.tensor4d([0, 4, 8, 12], [1, 2, 2, 1], 'int32');
  const y = tf.image.resizeBilinear(x, [3, 3], true);
  assert.deepEqual(Array.from(y.dataSync()), [0, 2, 4, 4, 6, 8, 8, 10, 12]);
  tf.dispose([x, y]);
});
