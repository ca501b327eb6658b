/** Resampling: hand 1-D cases, exactness on linear ramps, the affine and spacing, class volumes of a real label map. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertClose, repoRoot, noSharedData } from '../core/testing.js';
import { readVolume } from '../io/readers.js';
import type { Volume } from '../io/volume.js';
import { medianSpacing, resampledShape, resampleGrid, resampleLabels, resampleVolume } from './resample.js';

test('1-D hand cases: half-pixel linear down and up, nearest, channels kept apart', () => {
  assert.deepEqual([...resampleGrid([0, 1, 2, 3], [4], 1, [2])], [0.5, 2.5]); // centres at 0.5 and 2.5
  assert.deepEqual([...resampleGrid([0, 2], [2], 1, [4])], [0, 0.5, 1.5, 2]); // −0.25 → 0 (edge), 0.25, 0.75, 1.25 → 1
  assert.deepEqual([...resampleGrid([0, 1, 2, 3], [4], 1, [2], 'nearest')], [1, 3]);
  assert.deepEqual([...resampleGrid([0, 10, 2, 20], [2], 2, [4])], [0, 10, 0.5, 12.5, 1.5, 17.5, 2, 20]);
  const same = Float32Array.from([1, 2, 3]);
  const copy = resampleGrid(same, [3], 1, [3]);
  assert.notEqual(copy, same);
  assert.deepEqual([...copy], [1, 2, 3]);
  assert.throws(() => resampleGrid([1, 2], [3], 1, [2]), /data length 2 must equal \[3\] × 1 channels = 3/);
  assert.throws(() => resampleGrid([1, 2, 3], [3], 1, [0]), /output shape \[0\] must have 1 positive integer sizes/);
  assert.throws(() => resampleGrid([1, 2, 3], [3], 1, [2], 'cubic' as never), /interpolation/);
});

test('trilinear resampling reproduces a linear ramp exactly inside the grid (odd shapes, every axis)', () => {
  const shape = [5, 6, 7], out = [9, 4, 13];
  const f = (d: number, h: number, w: number) => d + 2 * h - 3 * w;
  const data = new Float32Array(5 * 6 * 7);
  for (let d = 0; d < 5; d++) for (let h = 0; h < 6; h++) for (let w = 0; w < 7; w++) data[(d * 6 + h) * 7 + w] = f(d, h, w);
  const r = resampleGrid(data, shape, 1, out);
  const src = (j: number, a: number) => ((j + 0.5) * shape[a]) / out[a] - 0.5;
  const inside = (s: number, a: number) => s >= 0 && s <= shape[a] - 1;
  let checked = 0;
  for (let d = 0; d < 9; d++) for (let h = 0; h < 4; h++) for (let w = 0; w < 13; w++) {
    const [sd, sh, sw] = [src(d, 0), src(h, 1), src(w, 2)];
    if (!inside(sd, 0) || !inside(sh, 1) || !inside(sw, 2)) continue;
    assertClose([r[(d * 4 + h) * 13 + w]], [f(sd, sh, sw)], 0, 1e-4, `at ${d},${h},${w}`);
    checked++;
  }
  assert.ok(checked > 200);
});

test('resampleVolume: new spacing keeps the extent, the affine maps each new voxel to its place; back restores the grid', () => {
  const affine = [[0, 0, -1.5, 10], [0, 1, 0, -20], [2, 0, 0, 5], [0, 0, 0, 1]]; // columns x (W), y (H), z (D)
  const v: Volume = { data: new Float32Array(10 * 12 * 8).map((_, i) => i % 7), shape: [10, 12, 8], channels: 1, spacing: [2, 1, 1.5], affine, niftiHeader: new Uint8Array(348), source: 'v' };
  const r = resampleVolume(v, { spacing: [1, 1, 1] });
  assert.deepEqual([r.shape, r.spacing, r.niftiHeader], [[20, 12, 12], [1, 1, 1], undefined]);
  const world = (a: number[][], x: number, y: number, z: number) => a.slice(0, 3).map((row) => row[0] * x + row[1] * y + row[2] * z + row[3]);
  for (const [d, h, w] of [[0, 0, 0], [19, 11, 11], [7, 3, 5]]) {
    // new voxel (d, h, w) sits at input index ((d + ½)·10/20 − ½, h, (w + ½)·8/12 − ½)
    assertClose(world(r.affine!, w, h, d), world(affine, (w + 0.5) * (8 / 12) - 0.5, h, (d + 0.5) / 2 - 0.5), 0, 1e-12, `voxel ${d},${h},${w}`);
  }
  const back = resampleVolume(r, { shape: v.shape });
  assert.deepEqual(back.shape, v.shape);
  assertClose(back.spacing, v.spacing, 0, 1e-12, 'spacing');
  assertClose(back.affine!.flat(), affine.flat(), 0, 1e-12, 'affine');
  assert.deepEqual(resampledShape([10, 3], [0.5, 2], [1, 1]), [5, 6]);
  assert.deepEqual(resampledShape([3], [0.1], [1]), [1]);
});

test('a real label map resampled to a finer spacing and back keeps each class volume within 1%', () => {
  const path = join(repoRoot, 'data', 'hippocampus', 'labels', 'hippocampus_004.nii.gz');
  const lab = readVolume(new Uint8Array(readFileSync(path)), path); // [38, 52, 36], 1 mm, classes 1: 1832, 2: 1866 voxels
  const labels = Int32Array.from(lab.data);
  const counts = (l: ArrayLike<number>) => [0, 1, 2].map((c) => Array.prototype.filter.call(l, (v: number) => v === c).length);
  const before = counts(labels);
  assert.ok(before[1] > 100 && before[2] > 100);
  // [target spacing, tolerance of the round trip, tolerance of the volume on the new grid]. On the finer grids the
  // 0.5-level set of the trilinear indicators rounds the voxel corners (class volumes within 3.1% there); the round
  // trip comes back within 0.5%. A coarser grid loses thin parts for good (6.5% of class 1 here).
  const cases: [number[], number, number][] = [[[0.7, 0.8, 0.6], 0.01, 0.05], [[0.5, 0.5, 0.5], 0.01, 0.05], [[1.25, 1.4, 1.2], 0.08, 0.05]];
  for (const [target, roundTrip, onGrid] of cases) {
    const shape = resampledShape(lab.shape, lab.spacing, target);
    const there = resampleLabels(labels, lab.shape, shape);
    const voxel = shape.reduce((p, s, a) => p * (lab.shape[a] * lab.spacing[a]) / s, 1); // mm³ per new voxel
    const back = resampleLabels(there, shape, lab.shape);
    const [mid, after] = [counts(there), counts(back)];
    for (const c of [1, 2]) {
      const rel = (x: number) => Math.abs(x - before[c]) / before[c];
      assert.ok(rel(after[c]) < roundTrip, `class ${c}, target [${target}]: ${before[c]} → ${after[c]} voxels after the round trip`);
      assert.ok(rel(mid[c] * voxel) < onGrid, `class ${c}, target [${target}]: ${before[c]} mm³ → ${mid[c] * voxel} mm³ on the new grid`);
    }
  }
  // nearest: an integer up-sampling and back is exact
  const up = resampleLabels(labels, lab.shape, lab.shape.map((s) => 2 * s), { method: 'nearest' });
  assert.deepEqual([...resampleLabels(up, lab.shape.map((s) => 2 * s), lab.shape, { method: 'nearest' })], [...labels]);
});

test('medianSpacing per axis (odd and even counts) and its errors', () => {
  assert.deepEqual(medianSpacing([{ spacing: [1, 2, 3] }, { spacing: [3, 1, 1] }, { spacing: [2, 2, 2] }]), [2, 2, 2]);
  assert.deepEqual(medianSpacing([{ spacing: [1, 4] }, { spacing: [2, 1] }]), [1.5, 2.5]);
  assert.throws(() => medianSpacing([]), /no volumes/);
  assert.throws(() => medianSpacing([{ spacing: [1, 1] }, { spacing: [1] }]), /spacings have 2 and 1 axes/);
});
