// `unet train --plan plans.json --config 3d_fullres --fold K`: a hand-written plan on the two hippocampus cases in the
// repository, a splits.json holding one back; 2 iterations; then `unet predict --model RUN` applies the recorded plan
// normalisation and spacing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../src/core/testing.js';
import { tinyPlans } from '../src/train/plan-testing.js';

const unet = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'cli', 'unet.ts'), ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const HIP = join(repoRoot, 'data', 'hippocampus');

function setup() {
  const tmp = mkdtempSync(join(tmpdir(), 'train-plan-'));
  const data = join(tmp, 'data');
  for (const d of ['images', 'labels']) {
    mkdirSync(join(data, d), { recursive: true });
    for (const n of ['hippocampus_004.nii.gz', 'hippocampus_017.nii.gz']) copyFileSync(join(HIP, d, n), join(data, d, n));
  }
  writeFileSync(join(data, 'splits.json'), JSON.stringify([
    { train: ['hippocampus_004'], val: ['hippocampus_017'] },
    { train: ['hippocampus_017'], val: ['hippocampus_004'] },
  ]));
  const plan = join(tmp, 'plans.json');
  writeFileSync(plan, JSON.stringify(tinyPlans({ spacing: [1.2, 1, 1] })));
  return { tmp, data, plan };
}

test('unet train --plan: 2 iterations of fold 1 from a hand-written plan; config records the recipe; predict applies it', () => {
  const { tmp, data, plan } = setup();
  const run = join(tmp, 'run');
  const r = unet('train', '--data', data, '--out', run, '--plan', plan, '--config', '3d_fullres', '--fold', '1', '--iterations', '2', '--json', '--backend', 'cpu');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.arch, 'nnunet');
  assert.equal(j.iterations, 2);
  assert.deepEqual(j.val, ['hippocampus_004']);
  assert.ok(Number.isFinite(j.final.score));
  const cfg = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8'));
  assert.deepEqual(cfg.train, ['hippocampus_017']);
  assert.equal(cfg.fold, 1);
  assert.deepEqual(cfg.spacing, [1.2, 1, 1]);
  assert.deepEqual(cfg.normalize, [{ scheme: 'zscore', useMask: false }]);
  assert.deepEqual(cfg.patch, [16, 16, 16]);
  assert.equal(cfg.batch, 2);
  assert.equal(cfg.lr, 0.01);
  assert.equal(cfg.recipe.clipNorm, 12);
  assert.deepEqual(cfg.recipe.headWeights, [1, 0]);
  const out = join(tmp, 'pred');
  const p = unet('predict', '--model', run, '--input', join(data, 'images', 'hippocampus_004.nii.gz'), '--out', out, '--backend', 'cpu');
  assert.equal(p.code, 0, p.err);
  assert.ok(existsSync(join(out, 'hippocampus_004.nii.gz')));
});

test('unet train --plan: options checked before the run folder exists', () => {
  const { tmp, data, plan } = setup();
  const run = join(tmp, 'run');
  const cases: [string[], RegExp][] = [
    [['--plan', plan], /give --config/],
    [['--plan', plan, '--config', '2d'], /--config 2d: .* has no such configuration; it has 3d_fullres/],
    [['--plan', plan, '--config', '3d_fullres', '--preset', 'small3d'], /drop --preset/],
    [['--plan', plan, '--config', '3d_fullres', '--fold', '5'], /--fold 5: .*splits\.json has 2 folds/],
    [['--plan', plan, '--config', '3d_fullres', '--patch', '10x16x16'], /--patch 10x16x16: .*not a multiple of 4/],
    [['--config', '3d_fullres'], /--config needs --plan/],
  ];
  for (const [args, want] of cases) {
    const r = unet('train', '--data', data, '--out', run, '--iterations', '1', '--backend', 'cpu', ...args);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.match(r.err, want, args.join(' '));
    if (!/fold 5/.test(want.source)) assert.ok(!existsSync(run), `${args.join(' ')}: no run folder`);
  }
});

test('unet train --plan: per-axis kernels and strides, the plan\'s labels, a splits.json in the run folder; two cases and no splits.json refused', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'train-plan-aniso-'));
  const plans = tinyPlans({ patch: [16, 24, 16] }) as unknown as { labels?: number[]; configurations: { '3d_fullres': { network: { options: Record<string, unknown> } } } };
  plans.labels = [0, 1, 2];
  Object.assign(plans.configurations['3d_fullres'].network.options, { kernels: [[1, 3, 3], [3, 3, 3], [3, 3, 3]], strides: [[1, 1, 1], [1, 2, 2], [2, 2, 2]] });
  const plan = join(tmp, 'plans.json');
  writeFileSync(plan, JSON.stringify(plans));
  const run = join(tmp, 'run');
  const none = unet('train', '--data', HIP, '--out', run, '--plan', plan, '--config', '3d_fullres', '--iterations', '1', '--backend', 'cpu');
  assert.equal(none.code, 1);
  assert.match(none.err, /2 case\(s\) cannot make 5 folds; .*splits\.json/);
  assert.ok(!existsSync(join(run, 'config.json')));
  mkdirSync(run, { recursive: true });
  writeFileSync(join(run, 'splits.json'), JSON.stringify([{ train: ['hippocampus_004'], val: ['hippocampus_017'] }]));
  const r = unet('train', '--data', HIP, '--out', run, '--plan', plan, '--config', '3d_fullres', '--iterations', '2', '--json', '--backend', 'cpu');
  assert.equal(r.code, 0, r.err);
  const cfg = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8'));
  assert.deepEqual(cfg.options.kernels, [[1, 3, 3], [3, 3, 3], [3, 3, 3]]);
  assert.deepEqual(cfg.options.strides, [[1, 1, 1], [1, 2, 2], [2, 2, 2]]);
  assert.equal(cfg.folds, join(run, 'splits.json'));
  assert.deepEqual(cfg.val, ['hippocampus_017']);
  assert.equal(cfg.labelMap, null, 'labels 0, 1, 2 are the identity');
  const bad = join(tmp, 'bad.json');
  writeFileSync(bad, JSON.stringify({ ...plans, labels: [0, 255] }));
  const b = unet('train', '--data', HIP, '--out', join(tmp, 'run2'), '--plan', bad, '--config', '3d_fullres', '--iterations', '1', '--backend', 'cpu');
  assert.match(b.err, /lists 2 label values \(0, 255\) but the network has 3 classes/);
  assert.ok(!existsSync(join(tmp, 'run2')));
});

test('unet train --plan --config 2d on volumes: trains on their slices, records slices and the in-plane spacing; predict segments volumes slice by slice, alone and in an ensemble with 3d_fullres', () => {
  const { tmp, data } = setup();
  const plans = tinyPlans({ spacing: [1.2, 1, 1] }) as unknown as { configurations: Record<string, unknown> };
  plans.configurations['2d'] = {
    spatialDims: 2, spacing: [1, 1.25], medianShape: [50, 35], patch: [24, 16], batch: 4,
    normalization: [{ scheme: 'zscore', useMask: false }],
    network: { arch: 'nnunet', options: { spatialDims: 2, inChannels: 1, classes: 3, features: [4, 8, 16], kernels: [[3, 3], [3, 3], [3, 3]], strides: [[1, 1], [2, 2], [2, 2]], convsPerStage: 2, deepSupervision: true } },
    explanation: ['hand-written for tests'],
  };
  const plan = join(tmp, 'plans.json');
  writeFileSync(plan, JSON.stringify(plans));
  const run2d = join(tmp, 'run2d'), run3d = join(tmp, 'run3d');
  const r = unet('train', '--data', data, '--out', run2d, '--plan', plan, '--config', '2d', '--fold', '0', '--iterations', '2', '--json', '--backend', 'cpu');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.deepEqual(j.val, ['hippocampus_017'], 'validation on whole volumes');
  assert.ok(Number.isFinite(j.final.score), 'the volume is scored slice by slice');
  const cfg = JSON.parse(readFileSync(join(run2d, 'config.json'), 'utf8'));
  assert.equal(cfg.slices, true);
  assert.deepEqual(cfg.spacing, [1, 1.25], 'in-plane spacing; each volume keeps its own along the slices');
  assert.deepEqual(cfg.train, ['hippocampus_004']);
  assert.equal(unet('train', '--data', data, '--out', run3d, '--plan', plan, '--config', '3d_fullres', '--fold', '0', '--iterations', '1', '--backend', 'cpu').code, 0);
  const src = join(data, 'images', 'hippocampus_017.nii.gz');
  for (const [name, models] of [['pred2d', [run2d]], ['ens', [run2d, run3d]]] as const) {
    const out = join(tmp, name);
    const p = unet('predict', ...models.flatMap((m) => ['--model', m]), '--input', src, '--out', out, '--probabilities', '--backend', 'cpu', '--quiet');
    assert.equal(p.code, 0, `${name}: ${p.err}`);
    assert.ok(existsSync(join(out, 'hippocampus_017.nii.gz')) && existsSync(join(out, 'hippocampus_017.prob.nii.gz')), name);
  }
  // each run segmented its held-back case with probabilities (nnU-Net's fold validation); find-best compares them
  for (const run of [run2d, run3d]) assert.ok(existsSync(join(run, 'validation', 'hippocampus_017.prob.nii.gz')) && existsSync(join(run, 'validation', 'hippocampus_017.nii.gz')), run);
  const fb = unet('find-best', '--truth', join(data, 'labels'), '--candidate', `2d=${join(run2d, 'validation')}`, '--candidate', `3d_fullres=${join(run3d, 'validation')}`, '--json');
  assert.equal(fb.code, 0, fb.err);
  assert.deepEqual(JSON.parse(fb.out).ranking.map((x: { name: string }) => x.name).sort(), ['2d', '3d_fullres', 'ensemble(2d, 3d_fullres)']);
  // a 2-D network trained on 2-D images still refuses volumes (tested in cli/predict.test.ts); a slice-wise one takes no PNG
  const png = join(tmp, 'png');
  mkdirSync(png);
  copyFileSync(join(repoRoot, 'data', 'isbi2012', 'test', 'images', '7.png'), join(png, '7.png'));
  const bad = unet('predict', '--model', run2d, '--model', run3d, '--input', join(png, '7.png'), '--out', join(tmp, 'bad'), '--backend', 'cpu');
  assert.equal(bad.code, 1);
  assert.match(bad.err, /7\.png: a 2-D image .* but the model is 3-D/);
});
