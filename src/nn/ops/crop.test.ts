/**
 * The chapter's worked examples of the up-block, through the library's own centre crop, skip concat and conv layer.
 *
 * 2-D: decoder features [2, 4, 4] = (checkerboard, constant 0.5), skip [1, 6, 6] = hollow square (a ring of ones one
 * pixel in from the border), centre-cropped to 4×4; one valid 3×3 conv whose weights are 1.0 on the checkerboard
 * channel, 0.5 on the constant channel and 2.0 on the skip channel → [[17.25, 16.25], [16.25, 17.25]].
 * 3-D: decoder [2, 4, 4, 4] = (depth index d, constant 0.5), skip [1, 6, 6, 6] of ones, same weights →
 * 87.75 everywhere on output depth 0 and 114.75 on depth 1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../core/tf.js';
import { Rng } from '../../core/rng.js';
import { assertClose, assertNoLeak, testBackends } from '../../core/testing.js';
import { Conv } from '../conv.js';
import { centerCrop, concatSkip, cropOffsets } from './crop.js';

/** Channels-last tensor from channel-first planes. */
function fromPlanes(planes: number[][], spatial: number[]): tf.Tensor {
  const n = spatial.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n * planes.length);
  planes.forEach((p, c) => p.forEach((v, i) => (data[i * planes.length + c] = v)));
  return tf.tensor(data, [1, ...spatial, planes.length]);
}

const checker = Array.from({ length: 16 }, (_, i) => ((Math.floor(i / 4) + (i % 4)) % 2 === 0 ? 1 : 0));
const hollow6 = Array.from({ length: 36 }, (_, i) => {
  const [r, c] = [Math.floor(i / 6), i % 6];
  const inRing = r >= 1 && r <= 4 && c >= 1 && c <= 4;
  const inHole = r >= 2 && r <= 3 && c >= 2 && c <= 3;
  return inRing && !inHole ? 1 : 0;
});

/** A 3×3(×3) valid conv, one output channel, weight per input channel in concat order [skip, up0, up1]. */
function exampleConv(dims: 2 | 3, perChannel: number[]): Conv {
  const conv = new Conv(dims, 3, 1, 3, 'valid', false, new Rng(0));
  const k = 3 ** dims;
  const w = new Float32Array(k * 3);
  for (let i = 0; i < k; i++) perChannel.forEach((v, c) => (w[i * 3 + c] = v));
  conv.weight.assign(tf.tensor(w, conv.weight.shape));
  return conv;
}

test('cropOffsets centres the window, flooring odd margins', () => {
  assert.deepEqual(cropOffsets([64, 6], [56, 4]), [4, 1]);
  assert.deepEqual(cropOffsets([7], [4]), [1]);
  assert.throws(() => cropOffsets([4], [6]), /larger than the source/);
});

for (const backend of await testBackends()) {
  test(`[${backend}] chapter worked example, 2-D up-block → [[17.25, 16.25], [16.25, 17.25]]`, async () => {
    await tf.setBackend(backend);
    const up = fromPlanes([checker.map((v) => v), new Array(16).fill(0.5)], [4, 4]);
    const skip = fromPlanes([hollow6], [6, 6]);
    const conv = exampleConv(2, [2.0, 1.0, 0.5]);
    const y = assertNoLeak(() => tf.tidy(() => conv.apply(concatSkip(skip, up))));
    assert.deepEqual(y.shape, [1, 2, 2, 1]);
    assertClose(y.dataSync(), [17.25, 16.25, 16.25, 17.25], 0, 1e-5, '2-D worked example');

    // The example tells the wrong wiring apart: a corner crop, or [up, skip] order, gives other numbers.
    const corner = tf.tidy(() => conv.apply(tf.concat([tf.slice(skip, [0, 0, 0, 0], [1, 4, 4, 1]), up], 3)).dataSync());
    assert.notDeepEqual(Array.from(corner), [17.25, 16.25, 16.25, 17.25]);
    const swapped = tf.tidy(() => conv.apply(tf.concat([up, centerCrop(skip, [4, 4])], 3)).dataSync());
    assert.notDeepEqual(Array.from(swapped), [17.25, 16.25, 16.25, 17.25]);
    conv.dispose();
  });

  test(`[${backend}] chapter worked example, 3-D up-block → 87.75 on depth 0, 114.75 on depth 1`, async () => {
    await tf.setBackend(backend);
    const depth = Array.from({ length: 64 }, (_, i) => Math.floor(i / 16));
    const up = fromPlanes([depth, new Array(64).fill(0.5)], [4, 4, 4]);
    const skip = fromPlanes([new Array(216).fill(1)], [6, 6, 6]);
    const conv = exampleConv(3, [2.0, 1.0, 0.5]);
    const y = assertNoLeak(() => tf.tidy(() => conv.apply(concatSkip(skip, up))));
    assert.deepEqual(y.shape, [1, 2, 2, 2, 1]);
    assertClose(y.dataSync(), [87.75, 87.75, 87.75, 87.75, 114.75, 114.75, 114.75, 114.75], 0, 1e-4, '3-D worked example');
    conv.dispose();
  });

  test(`[${backend}] a disabled skip joins zeros of the cropped skip's shape`, async () => {
    await tf.setBackend(backend);
    const up = tf.ones([2, 4, 4, 3]);
    const skip = tf.randomNormal([2, 8, 8, 5]);
    const y = concatSkip(skip, up, false);
    assert.deepEqual(y.shape, [2, 4, 4, 8]);
    assert.equal(tf.sum(tf.abs(tf.slice(y, [0, 0, 0, 0], [2, 4, 4, 5]))).dataSync()[0], 0);
    const on = concatSkip(skip, up, true);
    assertClose(tf.slice(on, [0, 0, 0, 0], [2, 4, 4, 5]).dataSync(), tf.slice(skip, [0, 2, 2, 0], [2, 4, 4, 5]).dataSync());
  });
}
