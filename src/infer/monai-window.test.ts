/**
 * Sliding windows with `semantics: 'monai'` and function predictors, against MONAI's own unit tests
 * (Project-MONAI/MONAI tests/inferers/test_sliding_window_inference.py: test_sigma, test_cval) and hand-computed
 * window placements (monai.data.utils.dense_patch_slices with inferers.utils._get_scan_interval).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, type Tensor } from '../core/tf.js';
import { assertClose } from '../core/testing.js';
import { monaiStarts, slidingWindow, slidingWindowPlan } from './sliding-window.js';

test('MONAI window placement: stride int(roi·(1 − overlap)), last window clamped to the end; unet-ts spaces evenly', () => {
  // size 11, roi 4, overlap 0.25: interval int(3) = 3 → 0, 3, 6, 9 → the last clamped to 11 − 4 = 7.
  assert.deepEqual(monaiStarts(11, 4, 0.25), [0, 3, 6, 7]);
  assert.deepEqual(slidingWindowPlan(null, [11], { window: 4, overlap: 0.25, semantics: 'monai' }).axes[0].starts, [0, 3, 6, 7]);
  assert.deepEqual(slidingWindowPlan(null, [11], { window: 4, overlap: 0.25 }).axes[0].starts, [0, 2, 5, 7]); // unet-ts: even
  // MONAI's default overlap 0.25 with roi 96 on 200: interval 72 → 0, 72, 144 → 104.
  const p = slidingWindowPlan(null, [200, 96], { window: 96, semantics: 'monai' });
  assert.deepEqual(p.axes.map((a) => a.starts), [[0, 72, 104], [0]]);
  assert.equal(p.overlap, 0.25);
  assert.equal(p.blend, 'constant');
  // roi 5, overlap 0.5: int(2.5) = 2; size 9 → 0, 2, 4. roi = size → one window; image smaller → centred (⌊diff/2⌋).
  assert.deepEqual(monaiStarts(9, 5, 0.5), [0, 2, 4]);
  assert.deepEqual(monaiStarts(5, 5, 0.9), [0]);
  assert.deepEqual(monaiStarts(3, 6, 0.5), [-1]);
  // overlap 0.99 → interval int(0.04) = 0 → 1 (MONAI: "if interval is 0, use 1").
  assert.deepEqual(monaiStarts(6, 4, 0.99), [0, 1, 2]);
  // Any window size for a function predictor, non-positive entries fall back to the image size (MONAI's roi_size).
  assert.deepEqual(slidingWindowPlan(null, [13, 7], { window: [5, 0] }).axes.map((a) => a.window), [5, 7]);
});

/** test_sigma's stateful predictor: each call adds one more than the last (2, 3, 4, …). */
function counting(): (x: Tensor) => Tensor {
  let add = 1;
  return (x) => { add += 1; return tf.add(x, add); };
}

test('MONAI test_sigma: 7×7 ones, roi 3, sw_batch 10, overlap 0.5, constant and gaussian (sigma_scale 1)', async () => {
  const img = tf.ones([1, 7, 7, 1]);
  const rows = (r: number[]) => r.flatMap((v) => Array<number>(7).fill(v));
  const c = await slidingWindow(counting(), img, { window: [3, 3], swBatch: 10, overlap: 0.5, blend: 'constant', cval: -1, sigmaScale: 1, semantics: 'monai' });
  assertClose(c.data, rows([3, 3, 3.3333, 3.6667, 4.3333, 4.5, 5]), 1e-4, 0, 'constant');
  const g = await slidingWindow(counting(), img, { window: [3, 3], swBatch: 10, overlap: 0.5, blend: 'gaussian', cval: -1, sigmaScale: 1, semantics: 'monai' });
  assertClose(g.data, rows([3, 3, 3.3271623, 3.6728377, 4.3271623, 4.513757, 5]), 1e-4, 0, 'gaussian');
  img.dispose();
});

test('MONAI test_cval: 3×3 ones in a 5×5 window padded with cval −1 → data + data.sum() = −6; other padding modes', async () => {
  const img = tf.ones([1, 3, 3, 1]);
  const plusSum = (x: Tensor) => tf.tidy(() => tf.add(x, tf.sum(x)));
  const r = await slidingWindow(plusSum, img, { window: [5, 5], swBatch: 10, overlap: 0.5, blend: 'constant', cval: -1, semantics: 'monai' });
  assertClose(r.data, Array<number>(9).fill(-6), 0, 1e-6, 'cval −1');
  img.dispose();
  // 1-D [1, 2, 4] in a window of 5: constant 0 → sum 7; replicate [1, 1, 2, 4, 4] → 12; reflect [2, 1, 2, 4, 2] → 11.
  const line = tf.tensor([1, 2, 4], [1, 3, 1]);
  const sumOnly = (x: Tensor) => tf.tidy(() => tf.add(tf.mul(x, 0), tf.sum(x)));
  for (const [paddingMode, want] of [['constant', 7], ['replicate', 12], ['reflect', 11]] as const) {
    const o = await slidingWindow(sumOnly, line, { window: 5, paddingMode });
    assertClose(o.data, [want, want, want], 0, 1e-6, paddingMode);
  }
  line.dispose();
});

test('function predictors on 1-D and 4-D images, several output channels, TTA; no tensor left behind', async () => {
  const before = tf.memory().numTensors;
  const data = Float32Array.from({ length: 5 * 4 * 3 * 6 }, (_, i) => Math.sin(i));
  const img = tf.tensor(data, [1, 5, 4, 3, 6, 1]);
  // Two channels: x and 2x. Blending the identity gives the image back, whatever the placement and weights.
  const two = (x: Tensor) => tf.tidy(() => tf.concat([x, tf.mul(x, 2)], -1));
  for (const semantics of ['unet-ts', 'monai'] as const) {
    const r = await slidingWindow(two, img, { window: [3, 3, 2, 4], overlap: 0.5, blend: 'gaussian', semantics, tta: semantics === 'monai' });
    assert.equal(r.classes, 2);
    assertClose(r.data.filter((_, i) => i % 2 === 0), data, 0, 1e-5, `4-D ${semantics} channel 0`);
    assertClose(r.data.filter((_, i) => i % 2 === 1), data.map((v) => 2 * v), 0, 1e-5, `4-D ${semantics} channel 1`);
  }
  img.dispose();
  const line = tf.tensor([3, 1, 4, 1, 5, 9, 2], [1, 7, 1]);
  const r1 = await slidingWindow((x) => tf.clone(x), line, { window: 10, semantics: 'monai' });
  assertClose(r1.data, [3, 1, 4, 1, 5, 9, 2], 0, 1e-6, '1-D window larger than the image');
  line.dispose();
  await assert.rejects(slidingWindow((x) => tf.slice(x, [0, 0, 0], [1, 2, 1]), tf.ones([1, 7, 1]), { window: 4 }), /the predictor returned \[1,2,1\] for 1 window\(s\) of \[4\]; expected \[1,4,1\]/);
  assert.equal(tf.memory().numTensors, before + 1); // the ones() of the rejected call
});
