import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../src/core/testing.js';
import { decodePng } from '../src/io/png.js';

const unet = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'cli', 'unet.ts'), ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

test('unet --help lists the commands', () => {
  const r = unet('--help');
  assert.equal(r.code, 0);
  for (const c of ['summary', 'demo', 'info', 'export']) assert.match(r.out, new RegExp(`\\n  ${c} `));
});

test('unet summary --json gives the papers\' and the chapter\'s figures', () => {
  const want: [string, number, number[]][] = [
    ['ronneberger2015', 31030658, [388, 388]],
    ['cicek2016', 19069955, [44, 44, 28]],
    ['seed2d', 13390209, [256, 256]],
    ['seed3d', 10041155, [64, 64, 64]],
  ];
  for (const [preset, params, output] of want) {
    const r = unet('summary', '--preset', preset, '--json');
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.params, params, preset);
    assert.deepEqual(j.output, output, preset);
    assert.ok(Array.isArray(j.stages) && j.stages.length > 0);
  }
  const r = JSON.parse(unet('summary', '--preset', 'seed2d', '--base', '4', '--input', '32x48', '--classes', '3', '--json').out);
  assert.deepEqual(r.output, [32, 48]);
  assert.equal(r.stages.at(-1).channels, 3);
});

test('unet summary prints the table with the crop of every skip', () => {
  const r = unet('summary', '--preset', 'ronneberger2015');
  assert.equal(r.code, 0);
  assert.match(r.out, /dec1\s+up1\s+1024 → 512\s+52×52\s+9,176,576\s+4×4/);
  assert.match(r.out, /parameters: 31,030,658/);
});

test('a bad size or option is an error naming the rule and the nearest valid sizes, not a stack trace', () => {
  let r = unet('summary', '--preset', 'ronneberger2015', '--input', '570x572');
  assert.equal(r.code, 1);
  assert.match(r.err, /axis 0: 570 is not accepted: level 1 gives an odd size 279 to 2× max-pooling.*Nearest valid sizes: 556 or 572/);
  assert.doesNotMatch(r.err, /\n\s+at /);
  r = unet('summary', '--preset', 'seed2d', '--input', '100x64x64');
  assert.match(r.err, /has 3 axes; preset seed2d is 2-D, so give HxW/);
  r = unet('summary', '--preset', 'sed2d');
  assert.match(r.err, /unknown preset 'sed2d'; did you mean 'seed2d'\?/);
  r = unet('summary', '--preset', 'seed2d', '--input', '256xabc');
  assert.match(r.err, /--input '256xabc': expected 2 or 3 positive integers/);
  r = unet('summary', '--preset', 'seed2d', '--base', '0');
  assert.match(r.err, /--base must be a positive integer, got '0'/);
});

test('unet demo trains on the bundled slices, predicts the unseen one and writes the overlay and its Dice', () => {
  const out = mkdtempSync(join(tmpdir(), 'unet-demo-'));
  const r = unet('demo', '--out', out, '--base', '4', '--iterations', '6');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /trained 6 iterations/);
  const dice = Number(r.out.match(/cell Dice (\d\.\d+)/)![1]);
  assert.ok(dice >= 0 && dice <= 1, `Dice ${dice}`); // six iterations train nothing yet; the number is what matters here
  const png = decodePng(new Uint8Array(readFileSync(join(out, 'isbi-7-overlay.png'))), 'isbi-7-overlay.png');
  assert.deepEqual([png.width, png.height, png.channels], [512, 512, 3]);
  for (const f of ['config.json', 'metrics.jsonl', 'curve.svg', 'model.safetensors', 'model.json']) assert.ok(readFileSync(join(out, 'run', f)).length > 0, f);
  const iters = readFileSync(join(out, 'run', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).iter);
  assert.deepEqual(iters, [...iters].sort((a, b) => a - b), 'metrics.jsonl in order');
});

test('unet info names the backend in use, and oneDNN\'s version, ISA and threads when the addon loads', () => {
  const j = JSON.parse(unet('info', '--json').out);
  assert.ok(['onednn', 'cpu'].includes(j.backend));
  if (j.backend === 'onednn') {
    assert.match(j.onednn, /^\d+\.\d+\.\d+$/);
    assert.ok(j.threads >= 1 && typeof j.isa === 'string');
    assert.match(j.layout, /^auto: (channels-last in every pass \(AVX-512\)|blocked for 2-D)/);
  } else {
    assert.match(j.native, /^unavailable: /);
  }
});

test('without the native addon, everything runs on cpu after one clear warning', () => {
  const env = { ...process.env, UNET_NATIVE_ADDON: join(repoRoot, 'build', 'missing', 'unet_native.node'), UNET_NATIVE_BUILD: '0' };
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'cli', 'unet.ts'), 'demo', '--base', '2', '--iterations', '1', '--out', mkdtempSync(join(tmpdir(), 'unet-fallback-'))], { cwd: repoRoot, encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  const warnings = r.stderr.split('\n').filter((l) => l.includes('native oneDNN backend is unavailable'));
  assert.equal(warnings.length, 1, r.stderr);
  assert.match(warnings[0], /is not built; install oneDNN \(apt-get install -y libdnnl-dev g\+\+ make\) and run `npm run build:native`/);
  assert.match(r.stdout, /on backend 'cpu'/);
  const explicit = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'cli', 'unet.ts'), 'info', '--json'], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, UNET_BACKEND: 'cpu' } });
  assert.equal(JSON.parse(explicit.stdout).backend, 'cpu');
});

test('unet bench prints one JSON line with the median, the minimum and GFLOP/s', () => {
  const r = unet('bench', '--workload', 'unet2d-b16-128x4-train', '--reps', '3', '--json');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out.trim());
  // on the native backend it also names the ISA, threads and convolution layout policy the numbers came from
  assert.deepEqual(Object.keys(j), ['workload', 'backend', 'ms_median', 'ms_min', 'gflops', ...(j.backend === 'onednn' ? ['isa', 'threads', 'layout'] : [])]);
  if (j.backend === 'onednn') assert.match(j.layout, /^(auto|plain|blocked): /);
  assert.equal(j.workload, 'unet2d-b16-128x4-train');
  assert.ok(j.ms_min > 0 && j.ms_min <= j.ms_median && j.gflops > 0);
  assert.match(unet('bench', '--workload', 'unet2d-b16-128x4-train', '--backend', 'wasm', '--json').err, /cannot train/);
  assert.match(unet('bench', '--workload', 'unet2d-b16-128x4-train', '--reps', '2').err, /--reps must be an integer ≥ 3/);
  assert.match(unet('bench', '--workload', 'unet2d-b64-train').err, /unknown workload 'unet2d-b64-train'; did you mean 'unet2d-b64-256-train'\?/);
});

test('unet train refuses bad data before any work and leaves no run folder', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'unet-bad-')), 'run');
  const r = unet('train', '--data', join(repoRoot, 'data/isbi2012/train'), '--out', out, '--iterations', '2', '--quiet');
  assert.equal(r.code, 1);
  assert.match(r.err, /labels\/0\.png: label value 255 .* classes are integers in \[0, 2\) \(labels stored as other values, e\.g\. 0\/255, need --label-map/);
  assert.throws(() => readFileSync(join(out, 'config.json')), /ENOENT/);
  const r2 = unet('train', '--data', join(repoRoot, 'data/isbi2012/train'), '--out', out, '--patch', '48x64x48', '--label-map', '0:0,255:1');
  assert.match(r2.err, /--patch 48x64x48 has 3 axes; preset small2d is 2-D/);
  const r3 = unet('train', '--data', join(repoRoot, 'data/blobs'), '--out', out);
  assert.match(r3.err, /data\/blobs\/images: cannot list it \(ENOENT\); rule: a dataset is a folder with images\/ and labels\//);
});

test('unet train checks every option before reading data or creating the run folder; --arch picks the architecture', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'unet-opts-')), 'run');
  const data = join(repoRoot, 'data/isbi2012/train');
  const cases: [string[], RegExp][] = [
    [['--schedule', 'cosin'], /unknown schedule 'cosin'; did you mean 'cosine'\?/],
    [['--arch', 'unte'], /unknown architecture 'unte'; did you mean 'unet'\?/],
    [['--loss', 'dise'], /unknown loss 'dise'; did you mean 'dice'\?/],
    [['--val-fraction', '1.5'], /--val-fraction must be in \[0, 1\), got 1\.5/],
    [['--option', 'bse=8'], /option 'bse' is not an option of unet; did you mean 'base'\?/],
    [['--preset', 'seed3d', '--arch', 'unet', '--patch', '48x64'], /--patch 48x64 has 2 axes; preset seed3d is 3-D/],
  ];
  for (const [flags, want] of cases) {
    const r = unet('train', '--data', data, '--out', out, '--label-map', '0:0,255:1', '--quiet', ...flags);
    assert.equal(r.code, 1, flags.join(' '));
    assert.match(r.err, want);
    assert.throws(() => readFileSync(join(out, 'config.json')), /ENOENT/, `no run folder after ${flags.join(' ')}`);
  }
});

test('unet summary --arch prints the architecture\'s first preset; --preset of another architecture is refused', () => {
  const j = JSON.parse(unet('summary', '--arch', 'unet', '--json').out);
  assert.equal(j.arch, 'unet');
  assert.equal(j.preset, 'ronneberger2015');
  assert.equal(j.params, 31030658);
});

test('unet summary --json prints the pinned parameter counts of the family (trainable parameters; BatchNorm statistics are buffers)', () => {
  const want: [string, string, number, number[]][] = [
    ['attention-unet2d', 'attention-unet', 1987434, [256, 256]],
    ['attention-unet3d', 'attention-unet', 5909130, [96, 96, 96]],
    ['unetpp2d', 'unetpp', 2410312, [256, 256]],
    ['unetpp3d', 'unetpp', 6979976, [96, 96, 96]],
    ['unetr', 'unetr', 92783859, [96, 96, 96]],
    ['transunet', 'transunet', 105277081, [224, 224]],
  ];
  for (const [preset, arch, params, output] of want) {
    const r = unet('summary', '--preset', preset, '--json');
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.arch, arch, preset);
    assert.equal(j.params, params, preset);
    assert.deepEqual(j.output, output, preset);
    assert.equal(j.stages.reduce((n: number, s: { params: number }) => n + s.params, 0), params, `${preset}: the stages hold every parameter`);
  }
});
