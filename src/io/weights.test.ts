/**
 * Parity with PyTorch: state dicts saved by scripts/make_fixtures.py from the PyTorch reference load as they are,
 * and the forward pass (eval and training-mode BatchNorm), the running statistics it updates and the gradient of
 * mean(logits²) match PyTorch's.
 */
import { createNet, foreignKeyOf, presetSpec } from '../models/registry.js';
import type { NetSpec, TrainableNet } from '../models/types.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf, type Tensor } from '../core/tf.js';
import { assertClose, fixtureMetadata, readFixture, repoRoot, testBackends, toChannelsLast } from '../core/testing.js';
import { decodeWeights, encodeWeights, loadStateDict, permuteShape } from './weights.js';
import { readSafetensors, writeSafetensors } from './safetensors.js';
import { loadModel, saveModel } from './files.js';

const unetKey = foreignKeyOf('unet');

const FIXTURES = ['seed2d_b4', 'ronneberger2015_b4', 'seed3d_b4', 'cicek2016_b4'];

function fixtureModel(name: string): TrainableNet {
  const meta = fixtureMetadata(`${name}.io.safetensors`);
  const model = createNet(presetSpec(meta.preset, JSON.parse(meta.options)));
  loadStateDict(model, readFixture(`${name}.safetensors`), `fixtures/${name}.safetensors`, unetKey);
  return model;
}

function fixtureInput(io: ReturnType<typeof readFixture>): Tensor {
  const u8 = io.get('input_u8');
  if (u8) return toChannelsLast({ ...u8, data: Float32Array.from(u8.data, (k) => (k - 128) / 64) });
  return toChannelsLast(io.get('input')!);
}

/** PyTorch-layout gradient → this library's layout, by the name's role. */
function torchToTfLayout(name: string, g: { shape: number[]; data: ArrayLike<number> }): Float32Array {
  const t = tf.tensor(Float32Array.from(g.data), g.shape);
  const perm = g.shape.length === 4 ? [2, 3, 1, 0] : g.shape.length === 5 ? [2, 3, 4, 1, 0] : null;
  const out = perm && name.endsWith('weight') ? tf.transpose(t, perm) : t;
  return out.dataSync() as Float32Array;
}

for (const backend of await testBackends()) {
  for (const name of FIXTURES) {
    test(`[${backend}] ${name}: PyTorch parity, eval and training mode, running statistics and gradients`, async () => {
      await tf.setBackend(backend);
      const io = readFixture(`${name}.io.safetensors`);
      const meta = fixtureMetadata(`${name}.io.safetensors`);
      const model = fixtureModel(name);
      assert.equal(model.parameterCount(), Number(meta.params), 'parameter count equals PyTorch');
      const x = fixtureInput(io);

      model.eval();
      const yEval = model.forward(x);
      const wantEval = toChannelsLast(io.get('out_eval')!);
      assert.deepEqual(yEval.shape, wantEval.shape);
      assertClose(yEval.dataSync(), wantEval.dataSync(), 1e-4, 1e-5, `${name} eval output`);

      model.train();
      const grads = new Map<string, Tensor>();
      const trainLoss = () => tf.tidy(() => {
        const y = model.forward(x);
        assertClose(y.dataSync(), toChannelsLast(io.get('out_train')!).dataSync(), 1e-4, 1e-5, `${name} training-mode output`);
        return tf.mean(tf.square(y)) as tf.Scalar;
      });
      if ([...io.keys()].some((k) => k.startsWith('grad.'))) {
        const { value, grads: g } = tf.variableGrads(trainLoss, model.namedParameters().map(([, v]) => v));
        value.dispose();
        const byId = new Map(model.namedParameters().map(([n, v]) => [v.name, n]));
        for (const [id, t] of Object.entries(g)) grads.set(byId.get(id)!, t);
      } else {
        trainLoss().dispose();
      }

      for (const [key, want] of io) {
        if (key.startsWith('after.')) {
          const buf = model.namedBuffers().find(([n]) => n === unetKey(key.slice(6)));
          assert.ok(buf, `buffer ${key.slice(6)} exists`);
          assertClose(buf[1].dataSync(), want.data, 1e-4, 1e-6, `${name} ${key}`);
        } else if (key.startsWith('grad.')) {
          const pname = unetKey(key.slice(5));
          const got = grads.get(pname);
          assert.ok(got, `gradient of ${pname}`);
          assertClose(got.dataSync(), torchToTfLayout(pname, want), 1e-3, 1e-7, `${name} ∂/∂${pname}`);
        }
      }
      tf.dispose([x, yEval, wantEval, ...grads.values()]);
      model.dispose();
    });
  }
}

test('papers-style names map onto the chapter module tree', () => {
  assert.equal(unetKey('enc.0.2.bias'), 'inc.conv.2.bias');
  assert.equal(unetKey('enc.3.0.weight'), 'down3.down.1.conv.0.weight');
  assert.equal(unetKey('up.0.weight'), 'up1.up.weight');
  assert.equal(unetKey('dec.2.4.running_mean'), 'up3.conv.conv.4.running_mean');
  assert.equal(unetKey('out.bias'), 'outc.bias');
  assert.equal(unetKey('module.inc.conv.0.weight'), 'inc.conv.0.weight');
  assert.deepEqual(permuteShape([3, 3, 16, 32], [3, 2, 0, 1]), [32, 16, 3, 3]);
});

test('a file whose shapes do not match the options names the first mismatching tensor and both shapes', () => {
  const model = createNet(presetSpec('seed2d', { base: 8 })); // the fixture is base 4
  assert.throws(() => loadStateDict(model, readFixture('seed2d_b4.safetensors'), 'fixtures/seed2d_b4.safetensors'),
    /fixtures\/seed2d_b4\.safetensors: tensor 'inc\.conv\.0\.weight' has shape \[4,1,3,3\] in the file but the model's options need \[8,1,3,3\] \(PyTorch layout\)/);
  const before = model.namedParameters()[0][1].dataSync().slice();
  const partial = readFixture('seed2d_b4.safetensors');
  assert.throws(() => loadStateDict(createNet(presetSpec('seed2d', { base: 4, classes: 2 })), partial, 'x.safetensors'),
    /tensor 'outc\.weight' has shape \[1,4,1,1\] in the file but the model's options need \[2,4,1,1\]/);
  const extra = new Map(partial);
  extra.set('head.extra.weight', { dtype: 'F32', shape: [1], data: new Float32Array(1) });
  assert.throws(() => loadStateDict(createNet(presetSpec('seed2d', { base: 4 })), extra, 'x.safetensors'), /tensor 'head\.extra\.weight' does not belong to this model/);
  const missing = new Map(partial);
  missing.delete('outc.bias');
  assert.throws(() => loadStateDict(createNet(presetSpec('seed2d', { base: 4 })), missing, 'x.safetensors'), /tensor 'outc\.bias' \(expected shape \[1\]\) is missing/);
  assert.deepEqual(model.namedParameters()[0][1].dataSync(), before, 'nothing assigned after a failed load');
  model.dispose();
});

test('save → load round trip keeps every tensor and the options; files are written atomically', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'unet-ts-'));
  const model = createNet(presetSpec('cicek2016', { base: 2, seed: 5 }));
  model.train();
  tf.tidy(() => { model.forward(tf.randomNormal([1, 92, 92, 92, 3])); }); // moves the running statistics
  const path = join(dir, 'model.safetensors');
  await saveModel(model, path);
  assert.deepEqual(readdirSync(dir).sort(), ['model.json', 'model.safetensors'], 'no temp file left behind');
  const loaded = await loadModel(path);
  assert.deepEqual(loaded.spec, model.spec);
  const a = model.stateEntries(), b = new Map(loaded.stateEntries());
  for (const [n, v] of a) assert.deepEqual(b.get(n)!.dataSync(), v.dataSync(), n);
  // the file is a PyTorch state dict: int64 batch counter, [Cout, Cin, k, k, k] conv weights
  const st = readSafetensors(new Uint8Array(readFileSync(path))).tensors;
  assert.equal(st.get('inc.conv.1.num_batches_tracked')!.dtype, 'I64');
  assert.deepEqual(st.get('inc.conv.0.weight')!.shape, [2, 3, 3, 3, 3]);
  assert.deepEqual(st.get('up1.up.weight')!.shape, [32, 32, 2, 2, 2]);
  model.dispose(); loaded.dispose();
});

test('a truncated or foreign weights file fails with the file name and the rule', async () => {
  const model = createNet(presetSpec('seed2d', { base: 4 }));
  const bytes = await encodeWeights(model);
  assert.throws(() => decodeWeights(model, bytes.subarray(0, bytes.length - 10), 'cut.safetensors'), /cut\.safetensors: tensor '.*' .* needs \d+ bytes .*truncated or corrupt/);
  assert.throws(() => decodeWeights(model, new Uint8Array(4), 'tiny.safetensors'), /tiny\.safetensors: 4 bytes is too short/);
  const dir = mkdtempSync(join(tmpdir(), 'unet-ts-'));
  writeFileSync(join(dir, 'm.json'), '{"format":"other"}');
  writeFileSync(join(dir, 'm.safetensors'), bytes);
  await assert.rejects(loadModel(join(dir, 'm.safetensors')), /m\.json: not a unet-ts options file/);
  model.dispose();
});

test('safetensors writes what it reads (F32, I32, I64, U8, metadata)', () => {
  const t = new Map([
    ['a', { dtype: 'F32' as const, shape: [2, 2], data: new Float32Array([1, -2.5, 3, 1e-8]) }],
    ['b', { dtype: 'I64' as const, shape: [1], data: new Int32Array([-7]) }],
    ['c', { dtype: 'U8' as const, shape: [3], data: new Uint8Array([0, 128, 255]) }],
  ]);
  const back = readSafetensors(writeSafetensors(t, { k: 'v' }));
  assert.deepEqual(back.metadata, { k: 'v' });
  for (const [n, v] of t) assert.deepEqual(back.tensors.get(n), v);
  assert.ok(repoRoot.length > 0);
});
