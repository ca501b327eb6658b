/**
 * Does data loading starve the model? Trains seed2d base 16 on ISBI-2012 patches (batch 4, 256×256) for N steps
 * with batches prepared by the worker-thread loader, and reports the time the step loop waited for data.
 * Run: npx tsx bench/loading.ts [--steps 30] [--elastic 1] [--data DIR]
 */
import { join } from 'node:path';
import { tf } from '../src/core/tf.js';
import { trainStep } from '../src/train/step.js';
import { Rng } from '../src/core/rng.js';
import { useBestBackend } from '../src/backends/select.js';
import { loadDataset } from '../src/data/dataset.js';
import { normalize } from '../src/data/normalize.js';
import { sampleToPatch } from '../src/data/sampler.js';
import { PrefetchLoader, measureLoading } from '../src/data/loader.js';
import { createNet, presetSpec } from '../src/models/registry.js';
import { Adam } from '../src/train/adam.js';
import { lossFn } from '../src/losses/index.js';

const arg = (n: string, d: string) => { const i = process.argv.indexOf(n); return i >= 0 ? process.argv[i + 1] : d; };
const steps = Number(arg('--steps', '30'));
const elastic = Number(arg('--elastic', '0'));
const data = arg('--data', join(import.meta.dirname ?? '.', '..', '..', 'shared', 'data', 'isbi2012-em-membranes'));

const backend = await useBestBackend();
const samples = await loadDataset(data, { classes: 2, labelMap: { 0: 0, 255: 1 } });
for (const s of samples) s.image.data = normalize(s.image.data, 1, 'zscore');
const loader = new PrefetchLoader(samples.map(sampleToPatch), {
  batchSize: 4, patch: { size: [256, 256] }, augment: { flip: true, rotate: true, elasticProb: elastic, scale: 0, shift: 0 },
}, new Rng(0), 2);
const model = createNet(presetSpec('small2d'));
const params = model.namedParameters().map(([, v]) => v);
const opt = new Adam({ lr: 1e-3 });
const loss = lossFn('bce-dice');
const r = await measureLoading(loader, steps, (b) => {
  const x = tf.tensor(b.x, b.shape), y = tf.tensor(Float32Array.from(b.y), b.shape.slice(0, -1));
  const value = trainStep(model, opt, (logits, target) => loss({ logits, target }), { x, y }, undefined, params);
  value.dataSync();
  tf.dispose([x, y, value]);
});
await loader.close();
console.log(JSON.stringify({ backend, steps, elastic, wait_ms: Math.round(r.waitMs), total_ms: Math.round(r.totalMs), wait_fraction: +r.waitFraction.toFixed(4) }));
