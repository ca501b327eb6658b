/** loadDataset on real data (isbi2012, msd-hippocampus) and every validation rule on small in-memory datasets. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { repoRoot, noSharedData } from '../core/testing.js';
import { encodePng } from '../io/png.js';
import { loadDataset, type FileSource } from './dataset.js';
import { minMax, percentile, percentileZScore, zScore } from './normalize.js';

const DATA = join(repoRoot, '..', 'shared', 'data');

test('isbi2012: 22 pairs, labels {0:0, 255:1}', { skip: noSharedData }, async () => {
  const s = await loadDataset(join(DATA, 'isbi2012-em-membranes'), { classes: 2, labelMap: { 0: 0, 255: 1 }, channels: 1 });
  assert.equal(s.length, 22);
  assert.deepEqual(s[0].image.shape, [512, 512]);
  assert.deepEqual([...new Set(s[0].label)].sort(), [0, 1]);
});

test('hippocampus (the two cases in data/): 3-D pairs with classes 0..2, image and label on one grid', async () => {
  const s = await loadDataset(join(repoRoot, 'data', 'hippocampus'), { classes: 3, channels: 1 });
  assert.deepEqual(s.map((x) => [x.name, x.image.shape]), [['hippocampus_004', [38, 52, 36]], ['hippocampus_017', [32, 48, 35]]]);
  for (const x of s) assert.deepEqual([...new Set(x.label)].sort(), [0, 1, 2]);
});

test('msd-hippocampus: 3-D pairs with classes 0..2', { skip: noSharedData }, async () => {
  const s = await loadDataset(join(DATA, 'msd-hippocampus'), { classes: 3, channels: 1 });
  assert.equal(s.length, 21);
  for (const x of s) assert.equal(x.label.length, x.image.shape.reduce((a, b) => a * b));
});

/** A FileSource over in-memory files: `{ 'd/images/a.png': bytes, ... }`. */
function memory(files: Record<string, Uint8Array>): FileSource {
  return {
    list: async (dir) => Object.keys(files).filter((p) => p.startsWith(dir + '/')).map((p) => p.slice(dir.length + 1)),
    read: async (p) => files[p],
  };
}
const png = (v: number[], w = 2, h = 2, c: 1 | 3 = 1) => encodePng(v, w, h, c);

test('validation errors name the file, the value and the rule', async () => {
  const img = png([1, 2, 3, 4]);
  const ok = { 'd/images/a.png': img, 'd/labels/a.png': png([0, 255, 255, 0]) };
  const opts = { classes: 2, labelMap: { 0: 0, 255: 1 }, channels: 1 };
  const s = await loadDataset('d', opts, memory(ok));
  assert.deepEqual(Array.from(s[0].label), [0, 1, 1, 0]);
  const ign = await loadDataset('d', { ...opts, ignoreValue: 255 }, memory(ok));
  assert.deepEqual(Array.from(ign[0].label), [0, -1, -1, 0]);
  const bad = (files: Record<string, Uint8Array>, re: RegExp, o: Parameters<typeof loadDataset>[1] = opts) =>
    assert.rejects(loadDataset('d', o, memory(files)), re);
  await bad({ ...ok, 'd/labels/a.png': png([0, 0, 0, 0, 0, 0], 3, 2) }, /d\/labels\/a\.png: label size 2×3 differs from image d\/images\/a\.png size 2×2/);
  await bad({ ...ok, 'd/labels/a.png': png([0, 7, 0, 0]) }, /d\/labels\/a\.png: label value 7 at voxel 1 is not in labelMap/);
  await bad(ok, /label value 255 at voxel 1 maps to class 255; rule: classes are integers in \[0, 2\)/, { classes: 2 });
  await bad({ ...ok, 'd/images/a.png': png([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 2, 2, 3) }, /d\/images\/a\.png: image has 3 channels; rule: channels must be 1/);
  await bad({ ...ok, 'd/images/a.png': img.subarray(0, 30) }, /d\/images\/a\.png: not a readable PNG/);
  await bad({ ...ok, 'd/images/b.png': img }, /d\/images\/b\.png: image 'b' has no label/);
  await bad({ ...ok, 'd/labels/c.png': img }, /d\/labels\/c\.png: label 'c' has no image/);
  await bad({}, /d: no images in d\/images; rule: a dataset is not empty/);
  await bad({ ...ok, 'd/images/a.tif': img }, /d\/images\/a\.tif: name 'a' also used by/);
});

test('NaN / infinite image values are rejected', async () => {
  const { makeSample } = await import('./dataset.js');
  const vol = (data: number[], source: string) => ({ data: Float32Array.from(data), shape: [2, 2], channels: 1, spacing: [1, 1], source });
  assert.throws(() => makeSample(vol([0, NaN, 0, 0], 'i.nii'), vol([0, 0, 0, 0], 'l.nii'), 'x', { classes: 2 }), /i\.nii: image value NaN at index 1; rule: image values must be finite/);
  assert.throws(() => makeSample(vol([0, Infinity, 0, 0], 'i.nii'), vol([0, 0, 0, 0], 'l.nii'), 'x', { classes: 2 }), /image value Infinity/);
});

test('normalisation per channel', () => {
  const d = Float32Array.from([1, 10, 2, 20, 3, 30, 4, 40]);
  const z = zScore(d, 2);
  for (const c of [0, 1]) {
    const v = [0, 1, 2, 3].map((i) => z[2 * i + c]);
    const m = v.reduce((a, b) => a + b) / 4;
    assert.ok(Math.abs(m) < 1e-6 && Math.abs(v.reduce((a, b) => a + (b - m) ** 2, 0) / 4 - 1) < 1e-5);
  }
  assert.deepEqual(Array.from(minMax(d, 2)).map((x) => +x.toFixed(5)), [0, 0, 1 / 3, 1 / 3, 2 / 3, 2 / 3, 1, 1].map((x) => +x.toFixed(5)));
  const v = Float32Array.from({ length: 101 }, (_, i) => i);
  assert.equal(percentile(v, 50), 50);
  v[100] = 1e6; // outlier is clipped before the z-score
  const p = percentileZScore(v, 1, 1, 99);
  assert.ok(Math.max(...p) < 2);
});
