import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../src/core/testing.js';
import { readVolume } from '../src/io/readers.js';
import { encodePng } from '../src/io/png.js';

const unet = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'cli', 'unet.ts'), ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const read = (p: string) => readVolume(new Uint8Array(readFileSync(p)), p);
const HIP = join(repoRoot, 'data', 'hippocampus'); // two MSD cases copied into the repository (data/hippocampus/README.md)

// One tiny 2-D run (ISBI slices, 255 = cell) shared by the tests below.
const work = mkdtempSync(join(tmpdir(), 'unet-predict-'));
const run2d = join(work, 'run2d');
const trained = unet('train', '--data', join(repoRoot, 'data/isbi2012/train'), '--out', run2d, '--base', '2', '--patch', '64x64', '--batch', '1',
  '--iterations', '2', '--label-map', '0:0,255:1', '--val-fraction', '0', '--quiet');

test('unet predict (2-D): a PNG mask per input, named as the input, in the training labels\' values (0 / 255)', () => {
  assert.equal(trained.code, 0, trained.err);
  const out = join(work, 'pred2d');
  const r = unet('predict', '--model', run2d, '--input', join(repoRoot, 'data/isbi2012/test/images'), '--out', out, '--quiet', '--window', '256x256');
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(readdirSync(out), ['7.png']);
  const m = read(join(out, '7.png'));
  assert.deepEqual(m.shape, [512, 512]);
  assert.ok([...new Set(m.data)].every((v) => v === 0 || v === 255));
  const e = unet('evaluate', '--pred', out, '--truth', join(repoRoot, 'data/isbi2012/test/labels'), '--json');
  assert.equal(e.code, 0, e.err);
  assert.ok(Number.isFinite(JSON.parse(e.out).mean.classes['255'].dice));
});

test('unet predict (3-D): NIfTI masks keep the input\'s grid and affine; probabilities; resampling to the training spacing', () => {
  const data = join(work, 'hip');
  for (const d of ['images', 'labels']) mkdirSync(join(data, d), { recursive: true });
  for (const n of ['hippocampus_004.nii.gz', 'hippocampus_017.nii.gz']) for (const d of ['images', 'labels']) copyFileSync(join(HIP, d, n), join(data, d, n));
  const run = join(work, 'run3d');
  let r = unet('train', '--data', data, '--out', run, '--preset', 'seed3d', '--base', '2', '--patch', '16x32x16', '--batch', '1', '--iterations', '1', '--val-fraction', '0', '--quiet');
  assert.equal(r.code, 0, r.err);
  const cfg = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8'));
  assert.deepEqual(cfg.spacing, [1, 1, 1]); // the median training spacing is recorded for predict
  const input = join(HIP, 'images', 'hippocampus_004.nii.gz');
  const out = join(work, 'pred3d');
  r = unet('predict', '--model', run, '--input', input, '--out', out, '--probabilities', '--quiet');
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(readdirSync(out).sort(), ['hippocampus_004.nii.gz', 'hippocampus_004.prob.nii.gz']);
  const src = read(input), m = read(join(out, 'hippocampus_004.nii.gz')), p = read(join(out, 'hippocampus_004.prob.nii.gz'));
  assert.deepEqual([m.shape, m.spacing, m.affine], [src.shape, src.spacing, src.affine]);
  assert.ok([...new Set(m.data)].every((v) => v === 0 || v === 1 || v === 2));
  assert.equal(p.channels, 3);
  assert.ok(Math.abs(p.data[0] + p.data[1] + p.data[2] - 1) < 1e-5);
  // A run trained at 2 mm: the volume is resampled to 2 mm, segmented, and the mask comes back on the input's grid.
  writeFileSync(join(run, 'config.json'), JSON.stringify({ ...cfg, spacing: [2, 2, 2] }));
  r = unet('predict', '--model', run, '--input', input, '--out', join(work, 'pred3d-2mm'), '--quiet');
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(read(join(work, 'pred3d-2mm', 'hippocampus_004.nii.gz')).shape, src.shape);
});

test('unet predict refuses a mismatched input before any work and leaves no output file', () => {
  assert.equal(trained.code, 0, trained.err);
  const bad = join(work, 'bad');
  mkdirSync(bad, { recursive: true });
  const out = join(work, 'pred-bad');
  // A volume for a 2-D model.
  {
    copyFileSync(join(HIP, 'images', 'hippocampus_004.nii.gz'), join(bad, 'v.nii.gz'));
    const r = unet('predict', '--model', run2d, '--input', join(bad, 'v.nii.gz'), '--out', out, '--quiet');
    assert.notEqual(r.code, 0);
    assert.match(r.err, /v\.nii\.gz: a 3-D volume .* but the model is 2-D/);
  }
  // An RGB image for a 1-channel model; a truncated PNG; a folder where one file is bad stops before the good one.
  writeFileSync(join(bad, 'a.png'), readFileSync(join(repoRoot, 'data/isbi2012/test/images/7.png')));
  writeFileSync(join(bad, 'rgb.png'), encodePng(new Uint8Array(8 * 8 * 3), 8, 8, 3));
  writeFileSync(join(bad, 'b.png'), readFileSync(join(repoRoot, 'data/isbi2012/test/images/7.png')).subarray(0, 200));
  let r = unet('predict', '--model', run2d, '--input', join(bad, 'b.png'), '--out', out, '--quiet');
  assert.notEqual(r.code, 0);
  assert.match(r.err, /b\.png/);
  r = unet('predict', '--model', run2d, '--input', join(bad, 'rgb.png'), '--out', out, '--quiet');
  assert.match(r.err, /rgb\.png: 3 channel\(s\), but the model takes 1/);
  r = unet('predict', '--model', run2d, '--input', bad, '--out', out, '--quiet'); // a.png is fine, b.png is not
  assert.match(r.err, /b\.png/);
  r = unet('predict', '--model', run2d, '--input', join(bad, 'a.png'), '--out', out, '--window', '60x64', '--quiet');
  assert.match(r.err, /60/);
  assert.ok(!existsSync(out) || readdirSync(out).length === 0, 'no partial output');
  r = unet('predict', '--model', join(work, 'nope'), '--input', join(bad, 'a.png'), '--out', out, '--quiet');
  assert.match(r.err, /--model .*nope/);
});

test('a valid-padded U-Net (ronneberger2015) trains on its output centre and predicts by overlap-tile; a patch it cannot take is refused first', () => {
  const run = join(work, 'run-valid');
  let r = unet('train', '--data', join(repoRoot, 'data/isbi2012/train'), '--out', run, '--preset', 'ronneberger2015', '--base', '2',
    '--patch', '188x188', '--iterations', '2', '--label-map', '0:0,255:1', '--quiet');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /validation \(/);
  r = unet('predict', '--model', run, '--input', join(repoRoot, 'data/isbi2012/test/images/7.png'), '--out', join(work, 'pred-valid'), '--quiet');
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(read(join(work, 'pred-valid', '7.png')).shape, [512, 512]);
  const bad = join(work, 'run-valid-bad');
  r = unet('train', '--data', join(repoRoot, 'data/isbi2012/train'), '--out', bad, '--preset', 'ronneberger2015', '--base', '2',
    '--patch', '190x190', '--iterations', '2', '--label-map', '0:0,255:1', '--quiet');
  assert.match(r.err, /--patch 190x190: .*nearest valid sizes: 188 or 204/);
  assert.ok(!existsSync(bad), 'no run folder for a refused patch');
});

test('unet predict: several --model runs are one ensemble (averaged probabilities); --plan applies the learned post-processing', async () => {
  assert.equal(trained.code, 0, trained.err);
  const { applyPostprocessing } = await import('../src/infer/learn-postprocessing.js');
  const input = join(repoRoot, 'data/isbi2012/test/images');
  const one = join(work, 'ens-one'), two = join(work, 'ens-two'), pp = join(work, 'ens-pp');
  let r = unet('predict', '--model', run2d, '--input', input, '--out', one, '--quiet', '--window', '256x256');
  assert.equal(r.code, 0, r.err);
  r = unet('predict', '--model', run2d, '--model', run2d, '--input', input, '--out', two, '--quiet', '--window', '256x256');
  assert.equal(r.code, 0, r.err);
  assert.deepEqual([...read(join(two, '7.png')).data], [...read(join(one, '7.png')).data]); // the mean of two equal members
  const plans = join(work, 'plans.json');
  writeFileSync(plans, JSON.stringify({ format: 'unet-ts-plans', version: 1, configurations: {} }));
  r = unet('predict', '--model', run2d, '--input', input, '--out', pp, '--quiet', '--window', '256x256', '--plan', plans);
  assert.match(r.err, /--plan .*plans\.json: no post-processing decision in it — rule: run unet find-best/);
  writeFileSync(plans, JSON.stringify({ format: 'unet-ts-plans', version: 1, configurations: {}, postprocessing: { steps: [{ kind: 'largest-component', labels: [1] }] } }));
  r = unet('predict', '--model', run2d, '--input', input, '--out', pp, '--quiet', '--window', '256x256', '--plan', plans);
  assert.equal(r.code, 0, r.err);
  // The mask with the plan is the plain mask after the plan's steps (their effect: src/infer/learn-postprocessing.test.ts).
  const classes = read(join(one, '7.png')).data.map((v) => (v === 255 ? 1 : 0));
  const want = applyPostprocessing(classes, [512, 512], [{ kind: 'largest-component', labels: [1] }]);
  assert.deepEqual([...read(join(pp, '7.png')).data], [...want].map((c) => (c ? 255 : 0)));
});
