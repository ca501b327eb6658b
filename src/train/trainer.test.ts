import { folderCheckpoints } from './checkpoint-fs.js';
import { createNet, presetSpec } from '../models/registry.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '../core/tf.js';
import { Rng } from '../core/rng.js';
import { repoRoot, testBackends } from '../core/testing.js';
import { decodePng } from '../io/png.js';
import { SyncBatchSource, train, type Batch, type LogRecord } from './trainer.js';

/** Random 32×32 crops of the blobs image with its foreground mask, flipped at random: a real, tiny task. */
function blobsSampler(): (rng: Rng) => Batch {
  const img = decodePng(new Uint8Array(readFileSync(join(repoRoot, 'data/blobs/blobs.png'))), 'blobs.png');
  const lab = decodePng(new Uint8Array(readFileSync(join(repoRoot, 'data/blobs/labels_otsu_cc.png'))), 'labels_otsu_cc.png');
  const P = 32, B = 2;
  return (rng) => {
    const x = new Float32Array(B * P * P), y = new Float32Array(B * P * P);
    for (let b = 0; b < B; b++) {
      const oy = rng.int(img.height - P + 1), ox = rng.int(img.width - P + 1), flip = rng.next() < 0.5;
      for (let r = 0; r < P; r++) for (let c = 0; c < P; c++) {
        const sc = flip ? P - 1 - c : c;
        const i = (oy + r) * img.width + ox + sc;
        x[(b * P + r) * P + c] = (img.data[i] - 128) / 64;
        y[(b * P + r) * P + c] = lab.data[i] > 0 ? 1 : 0;
      }
    }
    return { x, xShape: [B, P, P, 1], y, yShape: [B, P, P] };
  };
}

const bce = (logits: tf.Tensor, target: tf.Tensor) => tf.mean(tf.sub(tf.softplus(tf.squeeze(logits, [-1])), tf.mul(target, tf.squeeze(logits, [-1])))) as tf.Scalar;

for (const backend of await testBackends()) {
  test(`[${backend}] resume: train, kill mid-epoch, resume → the same weights as an uninterrupted run`, async () => {
    await tf.setBackend(backend);
    const run = async (dir: string, kill?: number, resume = false) => {
      const model = createNet(presetSpec('seed2d', { base: 2, depth: 2, seed: 3 }));
      const data = new SyncBatchSource(new Rng(11), blobsSampler(), Rng.fromState);
      try {
        await train({
          model, data, loss: bce, lr: 1e-2, iterations: 8, itersPerEpoch: 3, checkpoints: folderCheckpoints(dir), resume,
          onLog: (r) => { if (kill !== undefined && r.kind === 'iter' && r.iter === kill) throw new Error('killed'); },
        });
      } catch (e) {
        if ((e as Error).message !== 'killed') throw e;
        model.dispose();
        return undefined;
      }
      const w = model.stateEntries().map(([, v]) => Array.from(v.dataSync()));
      model.dispose();
      return w;
    };
    const straight = await run(mkdtempSync(join(tmpdir(), 'unet-a-')));
    const dir = mkdtempSync(join(tmpdir(), 'unet-b-'));
    assert.equal(await run(dir, 5), undefined); // killed at iteration 5: the checkpoint of iteration 3 stays
    assert.deepEqual(readdirSync(dir).sort(), ['last.safetensors']);
    const resumed = await run(dir, undefined, true);
    assert.deepEqual(resumed, straight);
  });

  test(`[${backend}] training lowers the loss on real data and stops early without improvement`, async () => {
    await tf.setBackend(backend);
    const model = createNet(presetSpec('seed2d', { base: 4, depth: 2, seed: 1 }));
    const losses: number[] = [];
    let validations = 0;
    const r = await train({
      model, data: new SyncBatchSource(new Rng(2), blobsSampler(), Rng.fromState), loss: bce, lr: 1e-2, iterations: 60,
      itersPerEpoch: 10, validate: async () => ({ score: ++validations === 1 ? 1 : 0 }), patience: 2,
      onLog: (rec) => { if (rec.loss !== undefined) losses.push(rec.loss); },
    });
    model.dispose();
    assert.equal(r.stoppedEarly, true);
    assert.equal(r.iterations, 30); // best at epoch 1, no better at epochs 2 and 3
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    assert.ok(mean(losses.slice(-5)) < 0.8 * mean(losses.slice(0, 5)), `loss ${mean(losses.slice(0, 5))} → ${mean(losses.slice(-5))}`);
  });
}

test('a minutes budget is a ceiling; the schedule runs over it; the elapsed time survives a resume', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'unet-budget-'));
  const model = createNet(presetSpec('seed2d', { base: 2, depth: 2, seed: 3 }));
  const data = () => new SyncBatchSource(new Rng(11), blobsSampler(), Rng.fromState);
  // A fake clock that the log callback moves 1 s per iteration, so that the test does not depend on this machine's speed.
  let now = 0;
  const stall = (ms: number) => { now += ms; };
  // 2.5 s budget, 1 s per iteration: after 2 iterations a third would cross it.
  const first: { lr: number; elapsedS: number }[] = [];
  const opts = { model, loss: bce, lr: 1e-2, iterations: 1e9, schedule: { name: 'poly' as const, power: 1 }, checkpoints: folderCheckpoints(dir), clock: () => now };
  const logInto = (list: { lr: number; elapsedS: number }[]) => (rec: LogRecord) => {
    if (rec.kind === 'iter') { list.push({ lr: rec.lr!, elapsedS: rec.elapsedS }); stall(1000); }
  };
  let r = await train({ ...opts, data: data(), minutes: 2.5 / 60, onLog: logInto(first) });
  assert.equal(r.iterations, 2);
  assert.ok(first[1].lr < 0.65e-2 && first[1].lr > 0.4e-2, `poly over the budget: lr ${first[1].lr} about 0.6e-2 at 1 s of 2.5 s`);
  // Resumed: the 2 s already spent count (elapsed goes on from them), so a 3.5 s budget leaves one iteration.
  const resumed: { lr: number; elapsedS: number }[] = [];
  r = await train({ ...opts, data: data(), minutes: 3.5 / 60, resume: true, onLog: logInto(resumed) });
  model.dispose();
  assert.ok(resumed[0].elapsedS >= first[1].elapsedS, `elapsed ${resumed[0].elapsedS} goes on from ${first[1].elapsedS}`);
  assert.ok(resumed[0].lr < first[1].lr);
  assert.equal(r.iterations, 3);
});

test('maxMinutes only stops the run: the schedule stays on the iterations (bit-reproducible until it fires)', async () => {
  const model = createNet(presetSpec('seed2d', { base: 2, depth: 2, seed: 3 }));
  const data = () => new SyncBatchSource(new Rng(11), blobsSampler(), Rng.fromState);
  let now = 0; // a fake clock moved 1 s per iteration by the log callback
  const stall = (ms: number) => { now += ms; };
  const lrs: number[] = [];
  // 10 iterations, 1 s each, a 2.5 s ceiling: two run, and their lr is the iteration schedule's, not the clock's.
  const r = await train({
    model, loss: bce, lr: 1e-2, iterations: 10, schedule: { name: 'poly' as const, power: 1 }, data: data(), maxMinutes: 2.5 / 60, clock: () => now,
    onLog: (rec: LogRecord) => { if (rec.kind === 'iter') { lrs.push(rec.lr!); stall(1000); } },
  });
  model.dispose();
  assert.equal(r.iterations, 2);
  assert.deepEqual(lrs, [1e-2, 1e-2 * (1 - 1 / 10)]);
});

test('checkpoints: last is written before best, so a kill between them never leaves a best newer than last; a NaN score (every class absent) is never best', async () => {
  const model = createNet(presetSpec('seed2d', { base: 2, depth: 2, seed: 3 }));
  const data = new SyncBatchSource(new Rng(11), blobsSampler(), Rng.fromState);
  const order: string[] = [];
  const held = new Map<string, Uint8Array>();
  const scores = [0.5, NaN, 0.7];
  let v = 0;
  await train({
    model, data, loss: bce, lr: 1e-2, iterations: 6, itersPerEpoch: 2,
    validate: async () => ({ score: scores[v++] }),
    checkpoints: { write: async (n, b) => { order.push(n); held.set(n, b); }, read: async (n) => held.get(n), where: (n) => `memory:${n}` },
  }).then((r) => assert.deepEqual(r.best, { score: 0.7, step: 6 }));
  assert.deepEqual(order, ['last', 'best', 'last', 'last', 'best']);
  assert.strictEqual(held.get('best'), held.get('last'), 'best is the same bytes as the last written at its step');
  model.dispose();
});
