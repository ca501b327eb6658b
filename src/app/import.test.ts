/**
 * `unet import`: a TransUNet's encoder written as the official release's `.npz` (flax names, HWIO kernels, a class-token
 * row) is imported into a freshly seeded network: every encoder tensor equals the source's, the decoder keeps its own
 * initialisation, and the model file trains with `--init`. A state dict imports whole; wrong files are refused first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNet, presetSpec } from '../models/registry.js';
import { stateDict, encodeWeights } from '../io/weights.js';
import { encodeNpz } from '../io/npz.js';
import { loadModel, saveModel } from '../io/files.js';
import { repoRoot } from '../core/testing.js';
import { trainRun } from './train-run.js';
import { stateDictToNpz } from '../models/transunet/npz-keys.js';
import { importRun } from './import.js';

const TINY = { imgSize: 32, classes: 2, hiddenSize: 8, mlpDim: 16, numHeads: 2, numLayers: 1, blockUnits: [1, 2, 1], widthFactor: 0.5, decoderChannels: [8, 4, 4, 4], nSkip: 3 };

test('an .npz release (encoder only) imports into a seeded TransUNet: the encoder is the file\'s, the decoder its own', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'unet-import-'));
  const source = createNet(presetSpec('transunet-small', { ...TINY, seed: 7 }));
  const state = await stateDict(source);
  const npzPath = join(dir, 'R50+ViT-B_16.npz');
  writeFileSync(npzPath, encodeNpz(stateDictToNpz(state, 2)));
  const out = join(dir, 'model.safetensors');
  const r = await importRun({ weights: npzPath, preset: 'transunet-small', options: TINY, out });
  assert.equal(r.spec.arch, 'transunet');
  const imported = await loadModel(out);
  const fresh = createNet(presetSpec('transunet-small', TINY)); // seed 0: what the decoder must still be
  const got = new Map(imported.stateEntries()), init = new Map(fresh.stateEntries()), src = new Map(source.stateEntries());
  let encoder = 0, decoder = 0;
  for (const [name, v] of got) {
    const fromFile = name.startsWith('transformer.');
    assert.deepEqual([...v.dataSync()], [...(fromFile ? src : init).get(name)!.dataSync()], `${name} is the ${fromFile ? 'file\'s' : 'seeded initialisation'}`);
    if (fromFile) encoder++; else decoder++;
  }
  assert.ok(encoder > 20 && decoder > 5, `${encoder} encoder and ${decoder} decoder tensors`);
  [source, imported, fresh].forEach((m) => m.dispose());
});

test('a state dict imports whole; an .npz for an architecture without a reader, or a wrong shape, is refused and writes nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'unet-import-'));
  const net = createNet(presetSpec('small2d', { base: 4, seed: 3 }));
  const st = join(dir, 'unet.safetensors');
  writeFileSync(st, await encodeWeights(net));
  const out = join(dir, 'm.safetensors');
  await importRun({ weights: st, preset: 'small2d', options: { base: 4 }, out });
  const back = await loadModel(out);
  assert.deepEqual([...back.stateEntries()[0][1].dataSync()], [...net.stateEntries()[0][1].dataSync()]);
  const bad = join(dir, 'bad.safetensors');
  await assert.rejects(importRun({ weights: st, preset: 'small2d', options: { base: 8 }, out: bad }), /tensor 'inc\.conv\.0\.weight' has shape \[4,1,3,3\] in the file but the model's options need \[8,1,3,3\]/);
  assert.equal(existsSync(bad), false);
  writeFileSync(join(dir, 'x.npz'), encodeNpz(new Map([['a', { shape: [1], data: [1] }]])));
  await assert.rejects(importRun({ weights: join(dir, 'x.npz'), preset: 'small2d', out: bad }), /unet reads no \.npz release \(architectures that do: transunet\)/);
  [net, back].forEach((m) => m.dispose());
});

test('unet train --init starts from a model file: its network, its weights; --preset beside it is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'unet-init-'));
  const net = createNet(presetSpec('small2d', { base: 4, seed: 3 }));
  const model = join(dir, 'start.safetensors');
  await saveModel(net, model);
  const data = join(repoRoot, 'data', 'isbi2012', 'train');
  const common = { data, labelMap: { 0: 0, 255: 1 }, valFraction: 0, patch: [64, 64], batch: 1 };
  await assert.rejects(trainRun({ ...common, out: join(dir, 'x'), init: model, preset: 'small2d' }), /--init .*start\.safetensors: the network is the file's; drop --arch, --preset and --option/);
  assert.equal(existsSync(join(dir, 'x')), false);
  // seed 0 for the run: a freshly initialised network (seed 0) would differ from the file's (seed 3).
  const run = await trainRun({ ...common, out: join(dir, 'run'), init: model, iterations: 1, lr: 1e-12, seed: 0 });
  assert.deepEqual({ ...run.spec.options, seed: 3 }, net.spec.options);
  const [name, w] = run.model.namedParameters()[0];
  const w0 = new Map(net.namedParameters()).get(name)!;
  assert.ok(Math.max(...Array.from(w.dataSync(), (v, i) => Math.abs(v - w0.dataSync()[i]))) < 1e-6, 'one step at lr 1e-12 stays at the file\'s weights');
  [net, run.model].forEach((m) => m.dispose());
});
