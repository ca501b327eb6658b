// Outputs that never destroy inputs, one run per folder, options checked before anything is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../src/core/testing.js';

const unet = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'cli', 'unet.ts'), ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const noStack = (err: string) => assert.doesNotMatch(err, /\n\s+at /);
const DATA = join(repoRoot, 'data/isbi2012/train');
const work = mkdtempSync(join(tmpdir(), 'unet-safety-'));
const tiny = ['--data', DATA, '--base', '2', '--patch', '64x64', '--batch', '1', '--label-map', '0:0,255:1', '--quiet'];
const run = join(work, 'run');
const trained = unet('train', ...tiny, '--out', run, '--iterations', '4', '--iters-per-epoch', '2');
const snapshot = (d: string) => Object.fromEntries(readdirSync(d, { recursive: true }).map(String).sort().map((f) => [f, existsSync(join(d, f)) && !f.endsWith('checkpoints') ? readFileSync(join(d, f)).toString('base64') : 'dir']));

test('train: every bad option is a named error before the run folder exists', () => {
  assert.equal(trained.code, 0, trained.err);
  const cases: [string[], RegExp][] = [
    [['--schedule', 'polyy'], /unknown schedule 'polyy'; did you mean 'poly'/],
    [['--backend', 'wasm'], /--backend wasm: training runs on onednn or cpu/],
    [['--seed', 'abc'], /--seed must be an integer, got 'abc'/],
    [['--val-fraction', 'abc'], /--val-fraction must be a number, got 'abc'/],
    [['--ignore', 'abc'], /--ignore must be an integer, got 'abc'/],
    [['--elastic=-1'], /--elastic must be a probability in \[0, 1\], got -1/],
    [['--label-map', '0:0,255:1,255:0'], /value 255 is mapped twice \(to 1 and to 0\)/],
    [['--label-map', '0:0,255:7'], /class 7 is outside the network's classes 0…1/],
    [['--batch', '100000'], /needs an estimated \d+ GB of memory; this machine has .* GB .*lower --batch or --patch, or pass --no-memory-check/],
    [['--resume'], /--resume: .* does not exist; nothing to resume/],
  ];
  for (const [extra, want] of cases) {
    const out = join(work, `bad-${extra.join('')}`);
    const r = unet('train', ...tiny, '--out', out, '--iterations', '2', ...extra);
    assert.equal(r.code, 1, extra.join(' '));
    assert.match(r.err, want, extra.join(' '));
    noStack(r.err);
    assert.ok(!existsSync(out), `${extra.join(' ')} left ${out}`);
  }
});

test('train: a folder holding a run is refused without --resume; a failed --resume leaves the run as it was', () => {
  assert.equal(trained.code, 0, trained.err);
  const before = snapshot(run);
  let r = unet('train', ...tiny, '--out', run, '--iterations', '2');
  assert.match(r.err, /already holds a run \(config.json, metrics.jsonl.*continue it with --resume, start over with --overwrite/);
  r = unet('train', ...tiny, '--out', run, '--iterations', '6', '--resume', '--base', '8');
  assert.match(r.err, /--resume: these options change the run's network \(base 2 → 8\)/);
  r = unet('train', ...tiny, '--out', run, '--iterations', '6', '--resume', '--label-map', '0:0,255:1,128:1');
  assert.match(r.err, /change the run's labelMap/);
  r = unet('train', ...tiny, '--out', run, '--iterations', '6', '--resume', '--overwrite');
  assert.match(r.err, /--resume and --overwrite exclude each other/);
  writeFileSync(join(run, '.lock'), JSON.stringify({ pid: 1, host: hostname(), startedAt: '2025-01-01T00:00:00.000Z', command: 'train' }));
  r = unet('train', ...tiny, '--out', run, '--iterations', '6', '--resume');
  assert.match(r.err, /in use by process 1 on host .*, started 2025-01-01T00:00:00.000Z .*delete .*\.lock/);
  rmSync(join(run, '.lock'));
  assert.deepEqual(snapshot(run), before, 'the run folder is unchanged');
});

test('train --resume after a kill: orphan tmp files removed, metrics cut to the checkpoint, no iteration twice', () => {
  assert.equal(trained.code, 0, trained.err);
  const r2 = join(work, 'killed');
  cpSync(run, r2, { recursive: true });
  // As a kill would leave it: a half-written checkpoint, records logged past the last checkpoint, a stale lock, a lost best.
  writeFileSync(join(r2, 'checkpoints', `last.safetensors.${2 ** 22 + 1}.1.tmp`), 'half');
  writeFileSync(join(r2, 'metrics.jsonl'), readFileSync(join(r2, 'metrics.jsonl'), 'utf8') + '{"kind":"iter","iter":5,"epoch":3,"loss":0.5,"lr":0.001,"elapsedS":9}\n{"kind":"ep');
  writeFileSync(join(r2, '.lock'), JSON.stringify({ pid: 2 ** 22 + 1, host: hostname(), startedAt: 'then', command: 'train' }));
  const r = unet('train', ...tiny, '--out', r2, '--iterations', '6', '--iters-per-epoch', '2', '--resume');
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /no longer running; taking the lock over/);
  assert.match(r.err, /removed 1 temporary file/);
  assert.deepEqual(readdirSync(join(r2, 'checkpoints')).sort(), ['best.safetensors', 'last.safetensors']);
  assert.ok(!existsSync(join(r2, '.lock')), 'the lock is released');
  const iters = readFileSync(join(r2, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => { const j = JSON.parse(l); return `${j.kind}${j.iter}`; });
  assert.deepEqual(iters, ['iter1', 'epoch2', 'epoch4', 'epoch6'], 'the records past the checkpoint (iteration 4) dropped, none twice');
});

test('predict: --out equal to, inside or around --input is refused and the inputs are unchanged', () => {
  assert.equal(trained.code, 0, trained.err);
  const imgs = join(work, 'imgs');
  mkdirSync(imgs, { recursive: true });
  copyFileSync(join(repoRoot, 'data/isbi2012/test/images/7.png'), join(imgs, '7.png'));
  const before = snapshot(imgs);
  for (const [out, want] of [[imgs, /is the input folder/], [join(imgs, 'masks'), /lies inside the input folder/], [work, /contains the input folder/]] as const) {
    const r = unet('predict', '--model', run, '--input', imgs, '--out', out, '--quiet');
    assert.equal(r.code, 1);
    assert.match(r.err, want);
    noStack(r.err);
  }
  const r = unet('predict', '--model', run, '--input', join(imgs, '7.png'), '--out', imgs, '--quiet');
  assert.match(r.err, /7\.png: this output would overwrite the input/);
  assert.deepEqual(snapshot(imgs), before);
});

test('predict: a run folder without config.json is refused unless --normalize and --label-map state it; bad values named', () => {
  assert.equal(trained.code, 0, trained.err);
  const bare = join(work, 'bare');
  cpSync(run, bare, { recursive: true });
  rmSync(join(bare, 'config.json'));
  const input = join(repoRoot, 'data/isbi2012/test/images');
  const out = join(work, 'masks');
  let r = unet('predict', '--model', bare, '--input', input, '--out', out, '--quiet');
  assert.match(r.err, /no config.json; it records the training's normalisation and label map/);
  assert.ok(!existsSync(out));
  r = unet('predict', '--model', run, '--input', input, '--out', out, '--quiet', '--normalize', 'zscore', '--label-map', '0:0,255:1');
  assert.match(r.err, /has a config.json.*drop them/);
  r = unet('predict', '--model', run, '--input', input, '--out', out, '--overlap', '0.99', '--quiet');
  assert.match(r.err, /--overlap must be in \[0, 0.95\], got '0.99'/);
  r = unet('predict', '--model', run, '--input', input, '--out', out, '--overlap', '0.95', '--window', '64x64', '--quiet');
  assert.match(r.err, /7\.png: 22,801 windows of 64x64 at overlap 0.95; rule: at most 20,000 per input/);
  r = unet('predict', '--model', run, '--input', input, '--out', out, '--window', '4096x4096', '--sw-batch', '64', '--quiet');
  assert.match(r.err, /needs an estimated \d+ GB of memory; this machine has/);
  writeFileSync(join(bare, 'config.json'), '{"normalize": "zscore",}');
  r = unet('predict', '--model', bare, '--input', input, '--out', out, '--quiet');
  assert.match(r.err, /bare\/config\.json: not valid JSON/);
  assert.ok(!existsSync(out), 'nothing written');
  writeFileSync(join(out + '-x'), ''); rmSync(out + '-x');
  mkdirSync(out);
  writeFileSync(join(out, `7.png.${2 ** 22 + 3}.5.tmp`), 'half');
  rmSync(join(bare, 'config.json'));
  r = unet('predict', '--model', bare, '--input', input, '--out', out, '--quiet', '--normalize', 'zscore', '--label-map', '0:0,255:1', '--window', '256x256');
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(readdirSync(out), ['7.png'], 'the orphan tmp file of a killed predict is gone');
});

test('evaluate --classes \'\' is refused, not scored as class 0', () => {
  const r = unet('evaluate', '--pred', join(repoRoot, 'data/isbi2012/test/labels'), '--truth', join(repoRoot, 'data/isbi2012/test/labels'), '--classes', '');
  assert.equal(r.code, 1);
  assert.match(r.err, /--classes '': expected label values/);
});
