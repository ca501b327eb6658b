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
