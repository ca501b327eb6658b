/** Patches and augmentations: exact permutations, aligned elastic warps, seeding, padding, foreground forcing. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../core/rng.js';
import { randomPatch, type Patch } from './patches.js';
import { augment, elastic, flip, rot90 } from './augment.js';

/** Asymmetric pattern: label = distinct value per voxel (mod 7), image channels = (index, −index). */
function pattern(shape: number[]): Patch {
  const n = shape.reduce((a, b) => a * b);
  const label = Int32Array.from({ length: n }, (_, i) => (i * 5 + 3) % 7);
  const image = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) { image[2 * i] = i; image[2 * i + 1] = -i; }
  return { image, label, shape, channels: 2 };
}

test('flip and rot90 are exact permutations (2-D and 3-D)', () => {
  const p = pattern([3, 4]);
  const f = flip(p, 1);
  assert.equal(f.image[0], 3); // (0,0) ← (0,3)
  assert.deepEqual(flip(f, 1), p);
  const q = pattern([4, 4]);
  const r = rot90(q, 0, 1, 1);
  assert.deepEqual([...r.image.filter((_, i) => i % 2 === 0)].sort((a, b) => a - b), [...Array(16).keys()]);
  assert.equal(r.image[0], 3); // out(0,0) = in(0, 3)
  assert.notDeepEqual(r, q);
  assert.deepEqual(rot90(rot90(r, 0, 1, 1), 0, 1, 2), q); // 4 quarter turns
  assert.deepEqual(rot90(r, 0, 1, -1), q);
  for (let i = 0; i < 16; i++) assert.equal(r.label[i], (r.image[2 * i] * 5 + 3) % 7); // label moved with image
  const v = pattern([3, 4, 4]);
  assert.deepEqual(rot90(rot90(v, 1, 2, 3), 1, 2, 1), v);
  assert.deepEqual(flip(flip(v, 0), 0), v);
  assert.throws(() => rot90(v, 0, 1, 1), /sizes 3 ≠ 4; rule: rotate only in a square plane/);
});

/** A label of blobs (2-D disks) and image = 100·label. */
function blobs(n: number): Patch {
  const label = new Int32Array(n * n);
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) {
    const a = (x - n * 0.3) ** 2 + (y - n * 0.4) ** 2 < (n * 0.2) ** 2;
    const b = (x - n * 0.7) ** 2 + (y - n * 0.7) ** 2 < (n * 0.15) ** 2;
    label[y * n + x] = a ? 1 : b ? 2 : 0;
  }
  return { image: Float32Array.from(label, (v) => 100 * v), label, shape: [n, n], channels: 1 };
}

test('elastic warp keeps image and label aligned, and moves things', () => {
  const p = blobs(96);
  const w = elastic(p, { grid: 32, sigma: 10 }, new Rng(1));
  let agree = 0, moved = 0;
  for (let i = 0; i < w.label.length; i++) {
    if (Math.round(w.image[i] / 100) === w.label[i]) agree++;
    if (w.label[i] !== p.label[i]) moved++;
  }
  assert.ok(agree / w.label.length >= 0.99, `agreement ${agree / w.label.length}`);
  assert.ok(moved > 50, `only ${moved} voxels changed class`);
  const v: Patch = { image: new Float32Array(8 * 20 * 20), label: new Int32Array(8 * 20 * 20), shape: [8, 20, 20], channels: 1 };
  for (let i = 0; i < v.label.length; i++) { v.label[i] = (i % 20) > 9 ? 1 : 0; v.image[i] = 100 * v.label[i]; }
  const w3 = elastic(v, { grid: 8, sigma: 3 }, new Rng(2));
  let agree3 = 0;
  for (let i = 0; i < w3.label.length; i++) if (Math.round(w3.image[i] / 100) === w3.label[i]) agree3++;
  assert.ok(agree3 / w3.label.length >= 0.99);
  assert.notDeepEqual(w3.label, v.label);
});

test('same seed → same output, different seed → different', () => {
  const p = blobs(40);
  const opts = { elasticProb: 1, elastic: { grid: 16, sigma: 4 }, noise: 5 };
  const a = augment(p, opts, new Rng(7)), b = augment(p, opts, new Rng(7)), c = augment(p, opts, new Rng(8));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.image, c.image);
  const pa = randomPatch(p, { size: [16, 16] }, new Rng(3)), pb = randomPatch(p, { size: [16, 16] }, new Rng(3));
  assert.deepEqual(pa, pb);
});

test('centred zero padding, or an error naming file, sizes and rule', () => {
  const p = pattern([2, 3]);
  const q = randomPatch(p, { size: [4, 3] }, new Rng(0));
  assert.deepEqual(q.shape, [4, 3]);
  assert.deepEqual(Array.from(q.label), [0, 0, 0, ...p.label, 0, 0, 0]);
  assert.deepEqual(Array.from(q.image.subarray(6, 18)), Array.from(p.image));
  assert.throws(() => randomPatch(p, { size: [4, 3], pad: false, source: 'a.png' }, new Rng(0)),
    /a\.png: size 2×3 is smaller than patch 4×3 on axis 0 \(2 < 4\); rule: data ≥ patch on every axis when padding is off/);
});

test('foreground forcing reaches the fraction on a sparse label (2-D and 3-D)', () => {
  const n = 64;
  const p: Patch = { image: new Float32Array(n * n), label: new Int32Array(n * n), shape: [n, n], channels: 1 };
  p.label[5 * n + 50] = 1; p.label[60 * n + 3] = 2;
  const rng = new Rng(11);
  let hit = 0;
  const draws = 600;
  for (let k = 0; k < draws; k++) if (randomPatch(p, { size: [16, 16], foregroundFraction: 0.33 }, rng).label.some((v) => v > 0)) hit++;
  assert.ok(hit / draws >= 0.33, `foreground in ${hit}/${draws}`);
  const v: Patch = { image: new Float32Array(16 * 32 * 32), label: new Int32Array(16 * 32 * 32), shape: [16, 32, 32], channels: 1 };
  v.label[3 * 1024 + 30 * 32 + 1] = 1;
  let hit3 = 0;
  for (let k = 0; k < 200; k++) if (randomPatch(v, { size: [8, 8, 8], foregroundFraction: 0.5 }, rng).label.some((x) => x > 0)) hit3++;
  assert.ok(hit3 / 200 >= 0.5, `3-D foreground in ${hit3}/200`);
});
