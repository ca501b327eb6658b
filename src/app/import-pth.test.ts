/**
 * `unet import` of real `torch.save` files (fixtures/pth/, made by Debian's torch 1.13 from the reference modules in
 * ../shared/reference and nnU-Net's PlainConvUNet by scripts/make_pth_fixtures.py): each checkpoint imports into the
 * matching preset, the model file reloads, and its eval-mode output equals PyTorch's to 1e-4 (relative to
 * max(1, max|out|)) on every backend, with no tensor leaked. The checkpoint forms (a dict holding the state dict,
 * DataParallel, channels-last views, float16) import to the same network; refusals write nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf, type Tensor } from '../core/tf.js';
import { fixtureMetadata, readFixture, repoRoot, testBackends, toChannelsLast } from '../core/testing.js';
import { assertCloseScaled } from '../models/parity-testing.js';
import { loadModel } from '../io/files.js';
import { writeSafetensors, type SafeTensor } from '../io/safetensors.js';
import { readPthStateDict } from '../io/pth.js';
import { importRun } from './import.js';

const pth = (name: string) => join(repoRoot, 'fixtures', 'pth', name);

/** The outputs a fixture stores: `out_eval`, or `out_eval.0`, `out_eval.1`, … (deep supervision, highest resolution first). */
function expected(io: Map<string, SafeTensor>): SafeTensor[] {
  if (io.has('out_eval')) return [io.get('out_eval')!];
  const out: SafeTensor[] = [];
  for (let k = 0; io.has(`out_eval.${k}`); k++) out.push(io.get(`out_eval.${k}`)!);
  return out;
}

/** Imports `file` (into the preset and options `ioName`'s metadata names), reloads the model and compares its eval output with PyTorch's. */
async function assertImportParity(file: string, ioName: string, extra: { key?: string } = {}): Promise<{ arch: string; key: string | null; prefix: string | null }> {
  const meta = fixtureMetadata(`pth/${ioName}.io.safetensors`);
  const io = readFixture(`pth/${ioName}.io.safetensors`);
  const out = join(mkdtempSync(join(tmpdir(), 'unet-import-pth-')), 'model.safetensors');
  const r = await importRun({ weights: pth(file), preset: meta.preset, options: JSON.parse(meta.options), out, ...extra });
  assert.equal(r.params, Number(meta.params), `${file}: the network has PyTorch's ${meta.params} parameters`);
  const before = tf.memory().numTensors;
  const net = await loadModel(out);
  net.eval();
  const want = expected(io);
  const x = toChannelsLast(io.get('input')!);
  const got: Tensor[] = want.length > 1 ? net.heads!(x) : [net.forward(x)];
  assert.equal(got.length, want.length, `${file}: outputs`);
  got.forEach((g, k) => {
    const w = toChannelsLast(want[k]);
    assert.deepEqual(g.shape, w.shape, `${file}: output ${k} shape`);
    assertCloseScaled(g.dataSync(), w.dataSync(), 1e-4, `${file} (${meta.module}) output ${k}`);
    w.dispose();
  });
  tf.dispose([x, ...got]);
  net.dispose();
  assert.equal(tf.memory().numTensors, before, `${file}: no tensor leaked`);
  return { arch: r.spec.arch, key: r.source.key, prefix: r.source.strippedPrefix };
}

const NETWORKS: [string, string][] = [
  ['unet2d_b4', 'unet'], ['unet3d_b2', 'unet'], ['ronneberger2015_b2', 'unet'], ['attention_unet2d', 'attention-unet'],
  ['attention_unet3d', 'attention-unet'], ['unetpp2d', 'unetpp'], ['unetpp3d', 'unetpp'], ['unetr2d', 'unetr'], ['nnunet3d', 'nnunet'], ['unet2d_b2', 'unet'],
];

for (const backend of await testBackends()) {
  for (const [name, arch] of NETWORKS) {
    const meta = fixtureMetadata(`pth/${name}.io.safetensors`);
    test(`[${backend}] ${name}.pth (torch.save of ${meta.module}) imports into ${meta.preset} ${meta.options} and gives PyTorch's output to 1e-4`, async () => {
      await tf.setBackend(backend);
      const r = await assertImportParity(`${name}.pth`, name);
      assert.equal(r.arch, arch);
      if (name === 'nnunet3d') assert.equal(r.key, 'network_weights', 'nnU-Net\'s trainer checkpoint: the weights beside optimizer, logs and plans');
    });
  }
}

test('{\'model\': sd} (with an optimizer), {\'state_dict\': sd}, DataParallel\'s module. names, Lightning\'s model. names, channels-last weights and float16 all import and reproduce PyTorch', async () => {
  const forms: [string, string | null, string | null][] = [
    ['unet2d_b2.model.pth', 'model', null], ['unet2d_b2.state_dict.pth', 'state_dict', null],
    ['unet2d_b2.dataparallel.pth', null, 'module.'], ['unet2d_b2.channels_last.pth', null, null],
    ['unet2d_b2.lightning.pth', 'state_dict', 'model.'],
  ];
  for (const [file, key, prefix] of forms) assert.deepEqual(await assertImportParity(file, 'unet2d_b2'), { arch: 'unet', key, prefix }, file);
  assert.deepEqual(await assertImportParity('unet2d_b2.model.pth', 'unet2d_b2', { key: 'model' }), { arch: 'unet', key: 'model', prefix: null });
  // float16 weights: PyTorch's output of the half-rounded weights run in float32
  await assertImportParity('unet2d_b2.half.pth', 'unet2d_b2.half');
});

test('refused before anything is written: a malicious pickle, the legacy format, a wrong network, a file of no known kind', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'unet-import-pth-'));
  const out = join(dir, 'm.safetensors');
  await assert.rejects(importRun({ weights: pth('malicious.pth'), preset: 'seed2d', out }), /malicious\.pth: .*imports the global 'posix\.system'/);
  await assert.rejects(importRun({ weights: pth('legacy.pth'), preset: 'seed2d', out }), /legacy\.pth: a PyTorch checkpoint in the legacy/);
  await assert.rejects(importRun({ weights: pth('unet2d_b2.pth'), preset: 'seed2d', options: { base: 4 }, out }), /unet2d_b2\.pth: tensor 'inc\.conv\.0\.weight' has shape \[2,1,3,3\] in the file but the model's options need \[4,1,3,3\]/);
  await assert.rejects(importRun({ weights: pth('unet2d_b2.model.pth'), preset: 'unetpp2d', out }), /unet2d_b2\.model\.pth \['model'\]: tensor '.*' .*is missing/);
  await assert.rejects(importRun({ weights: pth('unet2d_b2.io.safetensors').replace('.io.safetensors', '.io.dat'), preset: 'seed2d', out }), /unreadable/);
  await assert.rejects(importRun({ weights: join(repoRoot, 'package.json'), preset: 'seed2d', out }), /package\.json: neither a PyTorch checkpoint .* — rule: a torch\.save checkpoint, a \.safetensors state dict or an \.npz release/);
  await assert.rejects(importRun({ weights: pth('unet2d_b2.pth'), out }), /give --preset NAME or --arch NAME/);
  await assert.rejects(importRun({ weights: pth('unet2d_b2.pth'), arch: 'unetpp', preset: 'seed2d', out }), /--preset seed2d is a preset of 'unet', not of --arch unetpp/);
  await assert.rejects(importRun({ weights: join(repoRoot, 'fixtures', 'seed2d_b4.safetensors'), preset: 'seed2d', key: 'model', out }), /--key model: only a PyTorch checkpoint has keys to choose from/);
  assert.equal(existsSync(out), false, 'no model file');
  assert.equal(existsSync(out.replace(/\.safetensors$/, '.json')), false, 'no spec file');
});

test('--arch nnunet alone: the topology is read off the weights (over the first preset\'s 2-D one): the network PyTorch ran', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'unet-import-pth-')), 'model.safetensors');
  const r = await importRun({ weights: pth('nnunet3d.pth'), arch: 'nnunet', out });
  assert.equal(r.spec.arch, 'nnunet');
  assert.equal(r.source.tensors, 136);
  const meta = JSON.parse(fixtureMetadata('pth/nnunet3d.io.safetensors').options) as Record<string, unknown>;
  assert.deepEqual(r.fromWeights, { spatialDims: 3, inChannels: 1, classes: 2, features: meta.features, kernels: meta.kernels, strides: meta.strides, convsPerStage: 2 });
  assert.deepEqual({ ...r.spec.options, seed: 0 }, { ...meta, seed: 0 }, 'the network PyTorch ran');
  // the user's options stay on top: two classes more is a shape error naming the head
  await assert.rejects(importRun({ weights: pth('nnunet3d.pth'), arch: 'nnunet', options: { classes: 4 }, out: out.replace('model', 'm4') }), /tensor 'decoder\.seg_layers\.0\.weight' has shape \[2,8,1,1,1\] in the file but the model's options need \[4,8,1,1,1\]/);
});

test('a wrapper\'s attribute before every name is dropped only where the names fit without it: nnU-Net under \'net.\' (topology still read), MONAI\'s own \'model.\' kept', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'unet-import-pth-'));
  const sd = readPthStateDict(new Uint8Array(readFileSync(pth('nnunet3d.pth'))), 'nnunet3d.pth').tensors;
  const wrapped = join(dir, 'wrapped.safetensors');
  writeFileSync(wrapped, writeSafetensors(new Map([...sd].map(([k, t]) => [`net.${k}`, { ...t, dtype: t.dtype === 'F32' ? 'F32' : 'I64' }]))));
  const r = await importRun({ weights: wrapped, arch: 'nnunet', out: join(dir, 'nn.safetensors') });
  assert.equal(r.source.strippedPrefix, 'net.');
  assert.deepEqual(r.fromWeights.features, [4, 8, 16]);
  const att = await importRun({ weights: pth('attention_unet2d.pth'), preset: 'attention-unet2d', options: { channels: [4, 8, 16, 32], strides: [2, 2, 2] }, out: join(dir, 'a.safetensors') });
  assert.equal(att.source.strippedPrefix, null, 'MONAI\'s AttentionUnet names all begin with model., its own');
});
