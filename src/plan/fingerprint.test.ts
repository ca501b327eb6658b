/** The fingerprint from hand-made cases, its refusals, and `unet plan` on the repository's two hippocampus cases. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noSharedData, repoRoot } from '../core/testing.js';
import type { Volume } from '../io/volume.js';
import { FingerprintBuilder, nonzeroBox } from './fingerprint.js';
import { mergeExisting, parseMemory } from '../app/plan.js';
import type { Plans } from './types.js';

const vol = (shape: number[], f: (i: number) => number, o: Partial<Volume> = {}): Volume => ({ data: Float32Array.from({ length: shape.reduce((a, b) => a * b) }, (_, i) => f(i)), shape, channels: 1, spacing: shape.map(() => 1), source: 'v.nii', ...o });

test('crop to the nonzero region: the bounding box over every channel', () => {
  // 4×5 image, nonzero at (1, 1) and (2, 3): box rows 1…2, columns 1…3.
  const v = vol([4, 5], (i) => (i === 6 || i === 13 ? 5 : 0));
  assert.deepEqual(nonzeroBox(v), { lo: [1, 1], hi: [3, 4] });
  assert.deepEqual(nonzeroBox(vol([2, 2], () => 0)), { lo: [0, 0], hi: [2, 2] });
});

test('fingerprint: spacings, cropped shapes, relative size, foreground statistics, label frequencies', () => {
  const b = new FingerprintBuilder({ samplesPerCase: 2000, seed: 7 });
  // Case a: 2×4×4, image = 10 on the label-1 voxels (the first 8: rows 0–1 of slice 0), 0 elsewhere → cropped to 1×2×4.
  b.add('a', vol([2, 4, 4], (i) => (i < 8 ? 10 : 0), { spacing: [2, 1, 1], source: 'a.nii' }), vol([2, 4, 4], (i) => (i < 8 ? 1 : 0), { source: 'al.nii' }));
  // Case b: every voxel 20, label 2 on the last 4 of 32 → no crop.
  b.add('b', vol([2, 4, 4], () => 20, { spacing: [3, 1, 1], source: 'b.nii' }), vol([2, 4, 4], (i) => (i >= 28 ? 2 : 0), { source: 'bl.nii' }));
  const f = b.finish();
  assert.deepEqual([f.spatialDims, f.cases, f.spacings, f.shapesAfterCrop], [3, ['a', 'b'], [[2, 1, 1], [3, 1, 1]], [[1, 2, 4], [2, 4, 4]]]);
  assert.equal(f.medianRelativeSizeAfterCropping, 0.625); // median of 8/32 and 1
  assert.deepEqual(f.labels, [0, 1, 2]);
  assert.deepEqual(f.classFrequencies, { 0: 52 / 64, 1: 8 / 64, 2: 4 / 64 });
  const s = f.channels[0].foreground; // 2000 samples of 10 and 2000 of 20
  assert.deepEqual([s.mean, s.median, s.std, s.min, s.max, s.percentile00_5, s.percentile99_5], [15, 15, 5, 10, 20, 10, 20]);
});

test('fingerprint refuses mixed dimensionality, bad spacing, undeclared labels and off-grid labels, naming the file', () => {
  const b = new FingerprintBuilder({ labels: [0, 1] });
  b.add('a', vol([2, 4, 4], () => 1, { source: 'a.nii' }), vol([2, 4, 4], () => 0, { source: 'al.nii' }));
  assert.throws(() => b.add('b', vol([4, 4], () => 1, { source: 'b.png' }), vol([4, 4], () => 0)), /^Error: b\.png: a 2-D image, but a\.nii is 3-D — rule: one dimensionality per dataset$/);
  assert.throws(() => b.add('c', vol([2, 4, 4], () => 1, { source: 'c.nii', spacing: [0, 1, 1] }), vol([2, 4, 4], () => 0)), /c\.nii: spacing \[0,1,1\] — rule: a positive, finite voxel size per axis/);
  assert.throws(() => b.add('d', vol([2, 4, 4], () => 1, { source: 'd.nii' }), vol([2, 4, 4], (i) => (i === 3 ? 2 : 0), { source: 'dl.nii' })), /dl\.nii: label value 2 at voxel 3 — rule: one of the declared labels 0, 1/);
  assert.throws(() => b.add('e', vol([2, 4, 4], () => 1, { source: 'e.nii' }), vol([2, 4, 3], () => 0, { source: 'el.nii' })), /el\.nii: label 2×4×3 × 1 channel\(s\) for image e\.nii 2×4×4/);
  assert.equal(parseMemory('8GB'), 8);
  assert.equal(parseMemory('12288MB'), 12);
  assert.throws(() => parseMemory('lots'), /--memory 'lots'/);
});

test('unet plan on the two hippocampus cases in data/: plans.json and an explained 3d_fullres and 2d', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'unet-plan-')), 'plans.json');
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'cli', 'unet.ts'), 'plan', '--data', join(repoRoot, 'data', 'hippocampus'), '--out', out], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^3d_fullres: patch 40×56×40, batch 2, spacing 1×1×1, 4 stages \(features 32\/64\/128\/256\)/m);
  assert.match(r.stdout, /3d_fullres: pool an axis while its map stays ≥ 8/);
  const p = JSON.parse(readFileSync(out, 'utf8'));
  assert.deepEqual([p.format, p.labels, Object.keys(p.configurations).sort()], ['unet-ts-plans', [0, 1, 2], ['2d', '3d_fullres']]);
  assert.deepEqual(p.configurations['3d_fullres'].network.options.strides, [[1, 1, 1], [2, 2, 2], [2, 2, 2], [2, 2, 2]]);
  const bad = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'cli', 'unet.ts'), 'plan', '--data', join(repoRoot, 'data', 'hippocampus'), '--labels', '0,1', '--out', out + '.x'], { encoding: 'utf8' });
  assert.match(bad.stderr, /^unet: error: .*hippocampus_004\.nii\.gz: label value 2 at voxel \d+ — rule: one of the declared labels 0, 1/m);
});

test('fingerprint: a label map and declared labels set the classes; foreground outside the crop box is not sampled', () => {
  const b = new FingerprintBuilder({ labelMap: { 0: 0, 255: 1, 7: 1 }, samplesPerCase: 500 });
  // 1×6 image: nonzero at 1…3 (value 5, 6, 0 → box 1…2), labels 255 at 0 (outside the box: image 0) and 1, 7 at 2.
  b.add('a', vol([1, 6], (i) => [0, 5, 6, 0, 0, 0][i], { source: 'a.png' }), vol([1, 6], (i) => [255, 255, 7, 0, 0, 0][i], { source: 'al.png' }));
  const f = b.finish();
  assert.deepEqual([f.labels, f.classFrequencies, f.shapesAfterCrop], [[0, 1], { 0: 0.5, 1: 0.5 }, [[1, 2]]]);
  const s = f.channels[0].foreground;
  assert.deepEqual([s.min, s.max], [5, 6]); // the 0 at voxel 0 lies outside the box (nnU-Net samples the cropped label)
  assert.throws(() => b.add('b', vol([1, 2], () => 1, { source: 'b.png' }), vol([1, 2], () => 3, { source: 'bl.png' })), /bl\.png: label value 3 at voxel 0 — rule: one of the label map's values 0, 7, 255/);
  const d = new FingerprintBuilder({ labels: [0, 1, 2] });
  d.add('a', vol([2, 2], () => 1), vol([2, 2], (i) => (i ? 1 : 0)));
  assert.deepEqual(d.finish().labels, [0, 1, 2]); // declared: 3 classes though label 2 never occurs
});

test('unet plan on ../shared DSB-2018 (semantic masks/) and ISBI-2012 (label map): 2-class 2-D plans', { skip: noSharedData }, () => {
  const out = join(mkdtempSync(join(tmpdir(), 'unet-plan-')), 'plans.json');
  const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'cli', 'unet.ts'), 'plan', ...args, '--out', out, '--json'], { encoding: 'utf8' });
  const dsb = cli(['--data', join(repoRoot, '..', 'shared', 'data', 'dsb2018-nuclei'), '--labels-dir', 'masks', '--label-map', '0:0,255:1']);
  assert.equal(dsb.status, 0, dsb.stderr);
  const p = JSON.parse(dsb.stdout);
  const c = p.configurations['2d'];
  assert.deepEqual([Object.keys(p.configurations), p.labels, c.patch, c.network.options.inChannels, c.network.options.classes], [['2d'], [0, 1], [256, 256], 3, 2]);
  const isbi = cli(['--data', join(repoRoot, '..', 'shared', 'data', 'isbi2012-em-membranes'), '--label-map', '0:0,255:1']);
  assert.equal(isbi.status, 0, isbi.stderr);
  const q = JSON.parse(isbi.stdout).configurations['2d'];
  assert.deepEqual([q.patch, q.batch, q.network.options.features.length, q.network.options.classes], [[512, 512], 2, 8, 2]);
});

test("re-planning over a plans file: custom configurations kept (nnU-Net's save_plans), find-best's keys kept only for the same fingerprint", () => {
  const plans = { format: 'unet-ts-plans', version: 1, configurations: { '2d': { patch: [8, 8] } }, fingerprint: { cases: ['a'] } } as unknown as Plans;
  const old = { format: 'unet-ts-plans', configurations: { '2d': { patch: [4, 4] }, mine: { patch: [2, 2] } }, fingerprint: { cases: ['a'] }, best: { name: '2d' } };
  const log: string[] = [];
  const m = mergeExisting(plans, old, log);
  assert.deepEqual([m.configurations, m.best], [{ '2d': { patch: [8, 8] }, mine: { patch: [2, 2] } }, { name: '2d' }]);
  assert.deepEqual(log, ['kept from the existing plans file: configuration(s) mine (not made by this planner)', 'kept from the existing plans file: best (the fingerprint is unchanged)']);
  const changed = mergeExisting(plans, { ...old, fingerprint: { cases: ['b'] } }, log);
  assert.equal(changed.best, undefined);
  assert.match(log[3], /^dropped from the existing plans file: best \(the fingerprint changed/);
  // The CLI refuses to overwrite a file that is not a plans file.
  const dir = mkdtempSync(join(tmpdir(), 'unet-plan-'));
  writeFileSync(join(dir, 'x.json'), '{"a": 1}');
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'cli', 'unet.ts'), 'plan', '--data', join(repoRoot, 'data', 'hippocampus'), '--out', join(dir, 'x.json')], { encoding: 'utf8' });
  assert.match(r.stderr, /x\.json: exists and is not a unet-ts plans file — rule: unet plan overwrites only its own plans/);
  assert.equal(readFileSync(join(dir, 'x.json'), 'utf8'), '{"a": 1}');
});
