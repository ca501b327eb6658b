import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { assertClose } from '../../../core/testing.js';
import { compareBackends, nativeTest } from '../testing.js';

const rnd = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);
/** Small integers: many ties inside windows, so the first-maximum rule is exercised. */
const ties = (shape: number[], seed: number) => tf.round(tf.mul(tf.randomNormal(shape, 0, 1, 'float32', seed), 1.5));

/** Values and ∂x of `pool` at x, against a random cotangent. */
function withGrad(pool: (a: tf.Tensor) => tf.Tensor, x: tf.Tensor, seed: number): tf.Tensor[] {
  const r = rnd(pool(x).shape, seed);
  return [pool(x), tf.grad((a: tf.Tensor) => tf.sum(tf.mul(pool(a), r)))(x)];
}

// [x shape, window, strides, pad]
const CASES2D: [number[], [number, number], [number, number], 'same' | 'valid'][] = [
  [[2, 9, 11, 5], [2, 2], [2, 2], 'valid'],
  [[1, 10, 7, 3], [2, 2], [2, 2], 'same'],
  [[2, 13, 9, 4], [3, 3], [2, 2], 'same'], // overlapping windows
  [[3, 7, 6, 2], [3, 3], [2, 2], 'valid'],
  [[1, 8, 9, 37], [3, 3], [1, 1], 'same'], // overlapping, several channel blocks
  [[2, 12, 10, 6], [2, 3], [2, 3], 'same'],
  [[1, 11, 8, 3], [1, 2], [1, 2], 'valid'],
  [[1, 40, 12, 3], [3, 3], [1, 1], 'same'], // overlapping, bands of several rows
  [[2, 9, 8, 5], [4, 2], [2, 2], 'same'], // overlapping along H only
];

for (const [xs, win, strides, pad] of CASES2D) {
  for (const [kind, make] of [['random', rnd], ['tied', ties]] as const) {
    nativeTest(`MaxPool ${xs} window ${win} stride ${strides} ${pad} (${kind}): forward, ∂x`, () =>
      compareBackends('maxPool', () => [make(xs, 1)], (x) => withGrad((a) => tf.maxPool(a as tf.Tensor4D, win, strides, pad), x, 2)));
  }
}

/**
 * Brute-force 3-D max pooling with the first-maximum rule (`>`, row-major window order): values and ∂x for cotangent
 * r. The reference for ties and non-cubic windows, where tfjs-backend-cpu 4.22's MaxPool3DGrad differs: it takes the
 * last maximum (`>=`) and encodes window positions with the height where the width belongs.
 */
function maxPool3dRef(x: Float32Array, shape: number[], r: Float32Array, info: tf.backend_util.Conv3DInfo): { y: Float32Array; dx: Float32Array } {
  const [B, D, H, W, C] = shape;
  const [, OD, OH, OW] = info.outShape;
  const k = [info.filterDepth, info.filterHeight, info.filterWidth], s = [info.strideDepth, info.strideHeight, info.strideWidth];
  const p = [info.padInfo.front, info.padInfo.top, info.padInfo.left];
  const y = new Float32Array(B * OD * OH * OW * C), dx = new Float32Array(x.length);
  let o = 0;
  for (let b = 0; b < B; b++) for (let od = 0; od < OD; od++) for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) for (let c = 0; c < C; c++, o++) {
    let best = -Infinity, at = -1;
    for (let d = od * s[0] - p[0]; d < od * s[0] - p[0] + k[0]; d++) for (let h = oh * s[1] - p[1]; h < oh * s[1] - p[1] + k[1]; h++) for (let w = ow * s[2] - p[2]; w < ow * s[2] - p[2] + k[2]; w++) {
      if (d < 0 || h < 0 || w < 0 || d >= D || h >= H || w >= W) continue;
      const i = (((b * D + d) * H + h) * W + w) * C + c;
      if (x[i] > best) [best, at] = [x[i], i];
    }
    y[o] = best;
    if (at >= 0) dx[at] += r[o];
  }
  return { y, dx };
}

const CASES3D: [number[], [number, number, number], [number, number, number], 'same' | 'valid'][] = [
  [[2, 5, 7, 6, 3], [2, 2, 2], [2, 2, 2], 'valid'],
  [[1, 7, 5, 9, 4], [2, 2, 2], [2, 2, 2], 'same'],
  [[1, 7, 6, 5, 3], [3, 3, 3], [2, 2, 2], 'same'], // overlapping windows
  [[2, 4, 6, 5, 18], [3, 3, 3], [1, 1, 1], 'same'],
  [[1, 6, 9, 7, 2], [2, 3, 3], [1, 2, 2], 'valid'],
  [[2, 4, 11, 7, 3], [1, 3, 3], [1, 2, 2], 'same'], // overlapping along H and W, not D
  [[1, 30, 5, 4, 2], [3, 2, 2], [1, 2, 2], 'same'], // overlapping along D, bands of several slices
];

for (const [xs, win, strides, pad] of CASES3D) {
  nativeTest(`MaxPool3D ${xs} window ${win} stride ${strides} ${pad}: forward, ∂x`, () =>
    compareBackends('maxPool3d', () => [rnd(xs, 3)], (x) => withGrad((a) => tf.maxPool3d(a as tf.Tensor5D, win, strides, pad), x, 4)));
}

const CASES3D_REF: [number[], [number, number, number], [number, number, number], 'same' | 'valid'][] = [
  ...CASES3D,
  [[1, 6, 9, 7, 2], [1, 3, 2], [1, 2, 2], 'valid'], // non-cubic: tfjs's cpu gradient is wrong here
  [[2, 5, 8, 7, 3], [2, 2, 3], [2, 2, 3], 'same'],
];

for (const [xs, win, strides, pad] of CASES3D_REF) {
  for (const [kind, make] of [['random', rnd], ['tied', ties]] as const) {
    nativeTest(`MaxPool3D ${xs} window ${win} stride ${strides} ${pad} (${kind}) matches the first-maximum reference`, async () => {
      await tf.setBackend('onednn');
      const x = make(xs, 5), info = tf.backend_util.computePool3DInfo(xs as [number, number, number, number, number], win, strides, 1, pad);
      const r = rnd(info.outShape, 6);
      const pool = (a: tf.Tensor) => tf.maxPool3d(a as tf.Tensor5D, win, strides, pad);
      const y = pool(x), dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(pool(a), r)))(x);
      const ref = maxPool3dRef(x.dataSync() as Float32Array, xs, r.dataSync() as Float32Array, info);
      assertClose(y.dataSync(), ref.y, 1e-6, 0, 'values');
      assertClose(dx.dataSync(), ref.dx, 1e-5, 1e-6, '∂x');
      tf.dispose([x, r, y, dx]);
    });
  }
}

nativeTest('MaxPool: the first maximum in row-major order takes the gradient; padding never wins', async () => {
  await tf.setBackend('onednn');
  const x = tf.tensor4d([3, 3, 1, 3], [1, 2, 2, 1]);
  const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'), 5)))(x);
  assertClose(g.dataSync(), [5, 0, 0, 0]);
  // 'same' 3×3 over all-negative values: the maxima are the values themselves, never a padded 0
  const neg = tf.tensor4d([-4, -2, -3, -1], [1, 2, 2, 1]);
  assertClose(tf.maxPool(neg, 3, 1, 'same').dataSync(), [-1, -1, -1, -1]);
  // an all −∞ window gives −∞ and no gradient, as on cpu
  const inf = tf.tensor4d([-Infinity, -Infinity, -Infinity, 2], [1, 2, 2, 1]);
  assert.deepEqual(Array.from(tf.maxPool(inf, [1, 2], [1, 2], 'valid').dataSync()), [-Infinity, 2]);
  const gi = tf.grad((a: tf.Tensor) => tf.sum(tf.maxPool(a as tf.Tensor4D, [1, 2], [1, 2], 'valid')))(inf);
  assert.deepEqual(Array.from(gi.dataSync()), [0, 0, 0, 1]);
  tf.dispose([x, g, neg, inf, gi]);
});

nativeTest('MaxPool falls back to the cpu kernel for int32', async () => {
  await tf.setBackend('onednn');
  const x = tf.tensor4d([1, 5, 2, 4], [1, 2, 2, 1], 'int32');
  const y = tf.maxPool(x, 2, 2, 'valid');
  assert.equal(y.dtype, 'int32');
  assert.deepEqual(Array.from(y.dataSync()), [5]);
  tf.dispose([x, y]);
});
