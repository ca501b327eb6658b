/** PrefetchLoader: batches from the worker equal a SyncSampler's with the same seed; errors surface; measurement helper. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../core/rng.js';
import { PrefetchLoader, measureLoading } from './loader.js';
import { SyncSampler, type BatchConfig } from './sampler.js';
import type { Patch } from './patches.js';

function sources(): Patch[] {
  return [0, 1].map((s) => {
    const n = 24 * 20;
    const label = Int32Array.from({ length: n }, (_, i) => ((i * 7 + s) % 31 === 0 ? 1 : 0));
    return { image: Float32Array.from(label, (v, i) => 100 * v + (i % 13)), label, shape: [24, 20], channels: 1 };
  });
}
const cfg: BatchConfig = { batchSize: 3, patch: { size: [16, 16] }, augment: { elasticProb: 0.5, elastic: { grid: 8, sigma: 2 }, noise: 1 } };

test('worker batches equal the synchronous sampler with the same seed, in order', async () => {
  const syncRng = new Rng(42);
  const sync = new SyncSampler(sources(), cfg, syncRng);
  const loader = new PrefetchLoader(sources(), cfg, new Rng(42), 2);
  try {
    for (let k = 0; k < 5; k++) {
      const a = await loader.next(), b = sync.next();
      assert.deepEqual(a.shape, [3, 16, 16, 1]);
      const { rngAfter, ...batch } = a;
      assert.deepEqual(batch, b, `batch ${k}`);
      assert.deepEqual(rngAfter, syncRng.state(), `RNG state after batch ${k} (what resume restarts from)`);
    }
  } finally {
    await loader.close();
  }
  const other = new PrefetchLoader(sources(), cfg, new Rng(43), 1);
  const c = await other.next();
  await other.close();
  assert.notDeepEqual(c.x, new SyncSampler(sources(), cfg, new Rng(42)).next().x);
});

test('worker errors reach next(); measureLoading reports wait vs total', async () => {
  const bad = new PrefetchLoader(sources(), { batchSize: 1, patch: { size: [30, 30], pad: false, source: 'x.png' } }, new Rng(1), 1);
  await assert.rejects(bad.next(), /smaller than patch/);
  await bad.close();
  const loader = new PrefetchLoader(sources(), cfg, new Rng(5), 2);
  const m = await measureLoading(loader, 3, () => undefined);
  await loader.close();
  assert.ok(m.totalMs >= m.waitMs && m.waitMs >= 0 && m.waitFraction <= 1);
});
