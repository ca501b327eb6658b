/**
 * `unet import --from model.pth` end to end, as a user runs it: a DataParallel checkpoint saved by PyTorch becomes a
 * model file that `unet predict` segments an ISBI slice with; nnU-Net's trainer checkpoint imports with --arch nnunet
 * alone (its topology read off the weights); a malicious checkpoint, the legacy format and flag mistakes exit 1 with one `unet: error:` line
 * naming the file or flag, and leave no file behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../src/core/testing.js';
import { decodePng } from '../src/io/png.js';

const unet = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'cli', 'unet.ts'), ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const pth = (name: string) => join('fixtures', 'pth', name);

test('unet import --from a DataParallel .pth writes a model that unet predict segments with', () => {
  const dir = mkdtempSync(join(tmpdir(), 'unet-cli-import-'));
  const model = join(dir, 'model.safetensors');
  const r = unet('import', '--from', pth('unet2d_b2.dataparallel.pth'), '--preset', 'seed2d', '--option', 'base=2', '--out', model);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.trim(), `wrote ${model} (unet, 13,337 parameters) from 110 tensors ('module.' prefix dropped)`);
  assert.deepEqual(readdirSync(dir).sort(), ['model.json', 'model.safetensors'], 'the model and its spec, no temporary file');
  const pred = join(dir, 'pred');
  const p = unet('predict', '--model', dir, '--input', join('data', 'isbi2012', 'test', 'images', '7.png'), '--out', pred, '--normalize', 'zscore', '--label-map', 'identity', '--quiet');
  assert.equal(p.code, 0, p.err);
  const mask = decodePng(new Uint8Array(readFileSync(join(pred, '7.png'))), '7.png');
  assert.deepEqual([mask.width, mask.height], [512, 512]);
  assert.ok(mask.data.every((v) => v === 0 || v === 1), 'class indices 0/1 (sigmoid, identity label map)');
});

test('unet import --from nnU-Net\'s checkpoint with --arch nnunet alone: the topology is read off the weights; --weights is the same option', () => {
  const dir = mkdtempSync(join(tmpdir(), 'unet-cli-import-'));
  const r = unet('import', '--from', pth('nnunet3d.pth'), '--arch', 'nnunet', '--out', join(dir, 'nn.safetensors'));
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /\(nnunet, 20,188 parameters\) from 136 tensors under 'network_weights'; options read off the weights: spatialDims=3 inChannels=1 classes=2 features=\[4,8,16\] kernels=\[\[1,3,3\],\[3,3,3\],\[3,3,3\]\] strides=\[\[1,1,1\],\[1,2,2\],\[2,2,2\]\] convsPerStage=2$/m);
  const w = unet('import', '--weights', pth('unet2d_b2.model.pth'), '--preset', 'seed2d', '--option', 'base=2', '--key', 'model', '--out', join(dir, 'w.safetensors'));
  assert.equal(w.code, 0, w.err);
  assert.match(w.out, /from 110 tensors under 'model'/);
});

test('refusals: exit 1, one unet: error: line naming the file or flag, no output left', () => {
  const dir = mkdtempSync(join(tmpdir(), 'unet-cli-import-'));
  const out = join(dir, 'x.safetensors');
  const cases: [string[], RegExp][] = [
    [['--from', pth('malicious.pth'), '--preset', 'seed2d'], /^unet: error: fixtures\/pth\/malicious\.pth: malicious\.pth\/data\.pkl: byte \d+: imports the global 'posix\.system', which runs commands or code.* — rule: only globals that rebuild data are read/],
    [['--from', pth('whole_module.pth'), '--preset', 'seed2d'], /^unet: error: fixtures\/pth\/whole_module\.pth: .*imports the global 'torch_unet\.DoubleConv', a class/],
    [['--from', pth('legacy.pth'), '--preset', 'seed2d'], /^unet: error: fixtures\/pth\/legacy\.pth: a PyTorch checkpoint in the legacy \(pre-1\.6\) format/],
    [['--from', pth('unet2d_b2.pth'), '--preset', 'seed2d'], /^unet: error: fixtures\/pth\/unet2d_b2\.pth: tensor 'inc\.conv\.0\.weight' has shape \[2,1,3,3\] in the file but the model's options need \[64,1,3,3\]/],
    [['--from', pth('tensors.pth'), '--preset', 'seed2d'], /^unet: error: fixtures\/pth\/tensors\.pth: no state dict found/],
    [['--from', pth('unet2d_b2.model.pth'), '--preset', 'seed2d', '--option', 'base=2', '--key', 'optimizer'], /^unet: error: fixtures\/pth\/unet2d_b2\.model\.pth: entry 'optimizer' \(--key\) is a dict — rule: a state dict/],
    [['--preset', 'seed2d'], /^unet: error: --from FILE is required/],
    [['--from', pth('unet2d_b2.pth'), '--weights', pth('unet2d_b2.pth'), '--preset', 'seed2d'], /^unet: error: --from .* and --weights .*: give one/],
    [['--from', pth('unet2d_b2.pth')], /^unet: error: give --preset NAME or --arch NAME/],
  ];
  for (const [args, want] of cases) {
    const r = unet('import', ...args, '--out', out);
    assert.equal(r.code, 1, `${args.join(' ')}: exit 1`);
    const lines = r.err.trim().split('\n').filter((l) => !l.startsWith('unet-ts: the native oneDNN backend is unavailable')); // a machine without the addon says so first
    assert.equal(lines.length, 1, `${args.join(' ')}: one line, no stack trace: ${r.err}`);
    assert.match(lines[0], want, args.join(' '));
    assert.deepEqual(readdirSync(dir), [], `${args.join(' ')}: nothing written`);
  }
  assert.equal(existsSync(out), false);
});
