/** `unet plan`'s options before its work, and --explain with --json. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noSharedData, repoRoot } from '../core/testing.js';
import { mixedKinds } from '../app/plan.js';

const unet = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'cli', 'unet.ts'), ...args], { encoding: 'utf8' });
const hippo = join(repoRoot, 'data', 'hippocampus');

test('unet plan: a bad --out or --memory is refused before any case is read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'unet-plan-'));
  writeFileSync(join(dir, 'x.json'), '[]');
  // --labels 0,1 would fail on hippocampus_004's label 2: the --out refusal comes first, so no case was read.
  const r = unet(['plan', '--data', hippo, '--labels', '0,1', '--out', join(dir, 'x.json')]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /x\.json: exists and is not a unet-ts plans file/);
  assert.doesNotMatch(r.stderr, /hippocampus_004/);
  assert.equal(readFileSync(join(dir, 'x.json'), 'utf8'), '[]');
  const m = unet(['plan', '--data', hippo, '--memory', '0GB', '--out', join(dir, 'y.json')]);
  assert.match(m.stderr, /--memory '0GB'.*rule: a positive amount/);
});

test('unet plan --json --explain: the plans on stdout, every decision on stderr', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'unet-plan-')), 'plans.json');
  const r = unet(['plan', '--data', hippo, '--out', out, '--json', '--explain']);
  assert.equal(r.status, 0, r.stderr);
  const p = JSON.parse(r.stdout);
  assert.deepEqual(p.configurations['3d_fullres'].patch, [40, 56, 40]);
  assert.match(r.stderr, /^3d_fullres: patch 40×56×40/m);
  assert.match(r.stderr, /target spacing: per-axis median/);
  assert.equal(unet(['plan', '--data', hippo, '--out', out, '--json']).stderr, '');
});

test('a dataset mixing NIfTI volumes and PNG images is refused before any case is read', () => {
  assert.throws(() => mixedKinds(['d/images/a.nii.gz', 'd/images/b.png']), /^Error: d\/images\/b\.png: a 2-D image, but d\/images\/a\.nii\.gz is a NIfTI volume — rule: one dimensionality per dataset$/);
  mixedKinds(['a.png', 'b.tif', 'c.PNG']);
  mixedKinds(['a.nii', 'b.nii.gz', 'c.tiff']);
});

test('unet plan on ../shared MSD hippocampus (21 cases): nnU-Net\'s 40×56×40 network, batches capped by the 5% rule', { skip: noSharedData }, () => {
  const out = join(mkdtempSync(join(tmpdir(), 'unet-plan-')), 'plans.json');
  const r = unet(['plan', '--data', join(repoRoot, '..', 'shared', 'data', 'msd-hippocampus'), '--out', out, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const p = JSON.parse(readFileSync(out, 'utf8'));
  const full = p.configurations['3d_fullres'], d2 = p.configurations['2d'];
  assert.deepEqual([Object.keys(p.configurations).sort(), p.labels, p.fingerprint.cases.length], [['2d', '3d_fullres'], [0, 1, 2], 21]);
  assert.deepEqual([full.spacing, full.medianShape, full.patch, full.batch, full.network.options.features], [[1, 1, 1], [35, 51, 35], [40, 56, 40], 2, [32, 64, 128, 256]]);
  assert.deepEqual([d2.patch, d2.batch], [[56, 40], 29]); // memory allows 1565; 5% of 21 × 35·51·35 voxels / 56·40 = 29
  assert.deepEqual(full.normalization, [{ scheme: 'zscore', useMask: false }]);
});
