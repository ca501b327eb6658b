import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '../core/tf.js';
import { Rng } from '../core/rng.js';
import { foldsFor, makeFolds, planSpec, readPlan } from './plan-recipe.js';
import { tinyPlans } from './plan-testing.js';
import { batchLoss, clipByGlobalNorm, downsampleToOutput, nnunetHeadWeights } from './step.js';
import { normalizeChannels } from '../data/normalize.js';
import { sampleBatch } from '../data/sampler.js';
import type { TrainableNet } from '../models/types.js';

const writePlans = (p: unknown) => {
  const f = join(mkdtempSync(join(tmpdir(), 'plan-')), 'plans.json');
  writeFileSync(f, JSON.stringify(p));
  return f;
};

test('readPlan: the configuration, checked; errors name the file and the field', () => {
  const f = writePlans(tinyPlans());
  const cfg = readPlan(f, '3d_fullres');
  assert.deepEqual(cfg.patch, [16, 16, 16]);
  assert.equal(planSpec(cfg).arch, 'nnunet');
  assert.throws(() => readPlan(f, '2d'), /--config 2d: .* has no such configuration; it has 3d_fullres/);
  assert.throws(() => readPlan(writePlans({ ...tinyPlans(), format: 'x' }), '3d_fullres'), /not a unet-ts plans file/);
  assert.throws(() => readPlan(writePlans(tinyPlans({ batch: 0 })), '3d_fullres'), /batch must be an integer ≥ 1/);
  assert.throws(() => readPlan(writePlans(tinyPlans({ normalization: [{ scheme: 'ct', useMask: false }] })), '3d_fullres'), /'ct' and needs ct/);
  assert.throws(() => readPlan('/nonexistent/plans.json', '3d_fullres'), /no such file/);
});

test('makeFolds: 5 disjoint folds covering the sorted ids, sizes differing by ≤ 1, fixed by the seed', () => {
  const ids = Array.from({ length: 12 }, (_, i) => `case_${String(i).padStart(3, '0')}`);
  const folds = makeFolds([...ids].reverse());
  assert.equal(folds.length, 5);
  assert.deepEqual(folds.map((f) => f.val.length), [3, 3, 2, 2, 2]);
  assert.deepEqual(folds.flatMap((f) => f.val).sort(), ids);
  for (const f of folds) {
    assert.equal(f.train.length + f.val.length, 12);
    assert.ok(f.val.every((v) => !f.train.includes(v)));
  }
  assert.deepEqual(makeFolds(ids), folds, 'input order does not matter');
  assert.notDeepEqual(makeFolds(ids, 5, 1), folds, 'another seed, other folds');
  assert.throws(() => makeFolds(['a', 'b']), /2 case\(s\) cannot make 5 folds/);
});

test('foldsFor: a splits.json in the data folder wins, checked against the cases', () => {
  const dir = mkdtempSync(join(tmpdir(), 'splits-'));
  const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
  assert.equal(foldsFor(dir, ids).folds.length, 5);
  writeFileSync(join(dir, 'splits.json'), JSON.stringify([{ train: ['a', 'b'], val: ['c'] }]));
  assert.deepEqual(foldsFor(dir, ids).folds, [{ train: ['a', 'b'], val: ['c'] }]);
  writeFileSync(join(dir, 'splits.json'), JSON.stringify([{ train: ['a', 'z'], val: ['c'] }]));
  assert.throws(() => foldsFor(dir, ids), /names case 'z'/);
  writeFileSync(join(dir, 'splits.json'), JSON.stringify([{ train: ['a', 'c'], val: ['c'] }]));
  assert.throws(() => foldsFor(dir, ids), /'c' in both train and val/);
});

test('deep supervision: weights 1/2^i with the lowest head 0; targets down-sampled at voxel 2i+1; weighted loss', () => {
  assert.deepEqual(nnunetHeadWeights(4), [1, 0.5, 0.25, 0]);
  assert.deepEqual(nnunetHeadWeights(1), [1]);
  const t = tf.tensor([[0, 1, 2, 3, 4, 5, 6, 7]]); // [B=1, 8]
  const d = downsampleToOutput(t, tf.zeros([1, 4, 2]));
  assert.deepEqual(Array.from(d.dataSync()), [1, 3, 5, 7]);
  // A fake network with three heads at sizes 8, 4, 2 and a loss that is the mean target: Σ w_i·mean(y_i) / Σ w_i
  const net = { heads: () => [tf.zeros([1, 8, 2]), tf.zeros([1, 4, 2]), tf.zeros([1, 2, 2])] } as unknown as TrainableNet;
  const loss = (_l: tf.Tensor, y: tf.Tensor) => tf.mean(y) as tf.Scalar;
  const v = batchLoss(net, loss, tf.zeros([1, 8, 1]), t, undefined, nnunetHeadWeights(3)).dataSync()[0];
  assert.ok(Math.abs(v - (1 * 3.5 + 0.5 * 4 + 0 * 4) / 1.5) < 1e-6, `${v}`);
  const mean = batchLoss(net, loss, tf.zeros([1, 8, 1]), t).dataSync()[0];
  assert.ok(Math.abs(mean - (3.5 + 4 + 4) / 3) < 1e-6, 'default unchanged: the mean over heads');
});

test('clipByGlobalNorm: scales to the norm when above it, leaves it below', () => {
  const g = [tf.tensor([3, 0]), tf.tensor([4])]; // norm 5
  const c = clipByGlobalNorm(g, 1);
  assert.ok(Math.abs(c[0].dataSync()[0] - 0.6) < 1e-5 && Math.abs(c[1].dataSync()[0] - 0.8) < 1e-5);
  assert.equal(clipByGlobalNorm(g, 12), g);
});

test('plan normalisation: ct clips then standardises with the dataset statistics; masked z-score leaves 0 outside', () => {
  const ct = normalizeChannels(Float32Array.from([-2000, 0, 50, 3000]), 1, [{ scheme: 'ct', useMask: false, ct: { mean: 50, std: 100, lower: -1000, upper: 1000 } }]);
  assert.deepEqual(Array.from(ct), [-10.5, -0.5, 0, 9.5]);
  const z = normalizeChannels(Float32Array.from([0, 2, 4, 0]), 1, [{ scheme: 'zscore', useMask: true }]);
  assert.deepEqual(Array.from(z), [0, -1, 1, 0]);
  const all = normalizeChannels(Float32Array.from([0, 2, 4, 2]), 1, [{ scheme: 'zscore', useMask: false }]);
  assert.ok(Math.abs(all[0] + 2 / Math.sqrt(2)) < 1e-6);
  assert.throws(() => normalizeChannels(new Float32Array(4), 2, [{ scheme: 'zscore', useMask: false }]), /lists 1 channel/);
});

test('foreground oversampling: the last round(B/3) items of each batch are centred on foreground', () => {
  const n = 64, label = new Int32Array(n);
  label[60] = 1; // one foreground voxel, far from most random placements
  const src = { image: new Float32Array(n), label, shape: [n], channels: 1 };
  const rng = new Rng(3);
  for (let k = 0; k < 20; k++) {
    const b = sampleBatch([src], { batchSize: 3, patch: { size: [4] }, foregroundPerBatch: 1 / 3 }, rng);
    assert.ok(b.y.slice(8, 12).includes(1), 'item 2 of 3 holds the foreground voxel');
  }
});
