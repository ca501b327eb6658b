/**
 * unet-ts side of `node bench/compare-predict.mjs`: the sliding-window pass of `unet predict` on a real image, timed
 * (warm-up, then --reps passes; medians). Same models and windows as bench/torch_sliding_window.py:
 *   isbi         seed2d base 64, 1 → 1 class, 256×256 windows, a 512×512 ISBI-2012 slice
 *   hippocampus  seed3d base 16, 1 → 3 classes, 48×64×48 windows, a whole MSD hippocampus volume
 * Prints one JSON line {"case", "shape", "windows", "ms_median", "ms_min", "backend"}.
 *   npx tsx bench/predict.ts --case isbi --image ../shared/data/isbi2012-em-membranes/images/7.png --reps 5
 */
import { readFileSync } from 'node:fs';
import { tf } from '../src/core/tf.js';
import { useBestBackend } from '../src/backends/select.js';
import { UNet } from '../src/models/unet/unet.js';
import { presetOptions } from '../src/models/unet/presets.js';
import { readVolume } from '../src/io/readers.js';
import { zScore } from '../src/data/normalize.js';
import { slidingWindowPlan, slidingWindowVolume } from '../src/infer/sliding-window.js';
import { probabilitiesToLabels } from '../src/infer/postprocess.js';

const arg = (n: string, d?: string) => { const i = process.argv.indexOf(n); return i >= 0 ? process.argv[i + 1] : d; };
const cases = {
  isbi: { preset: 'seed2d', base: 64, classes: 1, window: [256, 256] },
  hippocampus: { preset: 'seed3d', base: 16, classes: 3, window: [48, 64, 48] },
} as const;
const name = arg('--case') as keyof typeof cases;
const c = cases[name];
if (!c) throw new Error(`--case must be one of ${Object.keys(cases).join(', ')}`);
const image = arg('--image');
if (!image) throw new Error('--image FILE is required');
const reps = Number(arg('--reps', '5'));
const backend = await useBestBackend({ backend: arg('--backend'), threads: arg('--threads') ? Number(arg('--threads')) : undefined });

const v = readVolume(new Uint8Array(readFileSync(image)), image);
v.data = zScore(v.data, v.channels);
const model = new UNet(presetOptions(c.preset, { base: c.base, classes: c.classes, seed: 0 }));
model.eval();
const opts = { window: [...c.window], overlap: 0.5, blend: 'gaussian' as const, swBatch: Number(arg('--sw-batch', '1')) };
const pass = async () => probabilitiesToLabels(await slidingWindowVolume(model, v, opts));
await pass(); // warm-up
const times: number[] = [];
for (let i = 0; i < reps; i++) {
  const t0 = performance.now();
  await pass();
  times.push(performance.now() - t0);
}
const sorted = [...times].sort((a, b) => a - b);
const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
const r1 = (x: number) => Math.round(x * 10) / 10;
console.log(JSON.stringify({ case: name, shape: v.shape, windows: slidingWindowPlan(model.geometry, v.shape, opts).windows, ms_median: r1(median), ms_min: r1(sorted[0]), backend, tensors: tf.memory().numTensors }));
model.dispose();
