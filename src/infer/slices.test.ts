// Slice-wise prediction of volumes by a 2-D network: each slice through the 2-D sliding window, stacked back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, type Tensor } from '../core/tf.js';
import { sliceOf, type Volume } from '../io/volume.js';
import { slicewise, slidingWindowSlices } from './slices.js';
import { sliceSamples } from '../data/types.js';

// a predictor whose class maps are [1 − x, x] of each voxel: the blend of any windows gives back exactly those
const predictor = (x: Tensor) => tf.tidy(() => tf.concat([tf.sub(1, x), x], -1)); // [B, h, w, 1] → [B, h, w, 2]

test('slidingWindowSlices: a [3, 5, 7] volume, windows of 4×4 per slice, equals each slice predicted alone; progress over all slices; no leak', async () => {
  await tf.setBackend('cpu');
  const data = Float32Array.from({ length: 3 * 5 * 7 }, (_, i) => Math.sin(i) * 3);
  const v: Volume = { data, shape: [3, 5, 7], channels: 1, spacing: [2.5, 1, 0.5], source: 'v.nii' };
  const seen: [number, number][] = [];
  const before = tf.memory().numTensors;
  const p = await slidingWindowSlices(predictor, v, { window: [4, 4], onProgress: (d, t) => seen.push([d, t]) });
  assert.equal(tf.memory().numTensors, before, 'no tensor left');
  assert.deepEqual([p.shape, p.classes, p.data.length], [[3, 5, 7], 2, 3 * 5 * 7 * 2]);
  for (let i = 0; i < data.length; i++) {
    assert.ok(Math.abs(p.data[2 * i + 1] - data[i]) < 1e-5, `voxel ${i}: ${p.data[2 * i + 1]} vs ${data[i]}`);
    assert.ok(Math.abs(p.data[2 * i] - (1 - data[i])) < 1e-5, `voxel ${i} class 0`);
  }
  const perSlice = 6; // 5×7 with 4×4 windows at overlap 0.5: rows start 0, 1; columns 0, 2, 3
  assert.deepEqual(seen.at(-1), [3 * perSlice, 3 * perSlice]);
  assert.equal(slicewise({ spatialDims: 2 }, [3, 5, 7]), true);
  assert.equal(slicewise({ spatialDims: 2 }, [5, 7]), false);
  assert.equal(slicewise({ spatialDims: 3 }, [3, 5, 7]), false);
  await assert.rejects(slidingWindowSlices(predictor, sliceOf(v, 0)), /a volume \[D, H, W\] is needed, got \[5,7\]/);
});

test('sliceOf / sliceSamples: views of slice z with the in-plane spacing and the label slice, named NAME#z', () => {
  const data = Float32Array.from({ length: 2 * 3 * 4 * 2 }, (_, i) => i);
  const v: Volume = { data, shape: [2, 3, 4], channels: 2, spacing: [3, 1, 0.5], source: 'a.nii.gz' };
  const s1 = sliceOf(v, 1);
  assert.deepEqual([s1.shape, s1.spacing, s1.data[0], s1.data.length], [[3, 4], [1, 0.5], 24, 24]);
  assert.equal(s1.data.buffer, data.buffer, 'a view, not a copy');
  const label = Int32Array.from({ length: 24 }, (_, i) => i % 3);
  const ss = sliceSamples({ image: v, label, name: 'a' });
  assert.deepEqual(ss.map((s) => s.name), ['a#0', 'a#1']);
  assert.deepEqual(Array.from(ss[1].label), Array.from(label.subarray(12)));
  assert.throws(() => sliceSamples({ image: s1, label: label.subarray(0, 12), name: 'b' }), /b: slices of a volume \[D, H, W\] only, got \[3,4\]/);
});
