/**
 * bf16 vs fp32 training: 200 steps of seed2d base 16 on random 256×256 patches of the ISBI-2012 slices
 * (batch 4, BCE + soft Dice, Adam lr 1e-3, seed 0) in each precision; prints both runs' final losses (mean of the
 * last 20 steps) and their relative difference. Run: npx tsx bench/precision.ts [--data DIR] [--steps 200]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../src/core/tf.js';
import { trainStep } from '../src/train/step.js';
import { Rng } from '../src/core/rng.js';
import { createNet, presetSpec } from '../src/models/registry.js';
import { Adam } from '../src/train/adam.js';
import { decodePng } from '../src/io/png.js';
import { useBestBackend } from '../src/backends/select.js';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : def;
};
const dataDir = arg('--data', join(import.meta.dirname ?? '.', '..', '..', 'shared', 'data', 'isbi2012-em-membranes'));
const steps = Number(arg('--steps', '200'));

function loadPairs(): { img: Float32Array; lab: Float32Array; w: number; h: number }[] {
  return readdirSync(join(dataDir, 'images')).sort().map((f) => {
    const im = decodePng(new Uint8Array(readFileSync(join(dataDir, 'images', f))), f);
    const lb = decodePng(new Uint8Array(readFileSync(join(dataDir, 'labels', f))), f);
    let mean = 0, sq = 0;
    for (const v of im.data) { mean += v; sq += v * v; }
    mean /= im.data.length;
    const std = Math.sqrt(sq / im.data.length - mean * mean) || 1;
    return { img: Float32Array.from(im.data, (v) => (v - mean) / std), lab: Float32Array.from(lb.data, (v) => (v > 127 ? 1 : 0)), w: im.width, h: im.height };
  });
}

async function run(precision: 'fp32' | 'bf16', pairs: ReturnType<typeof loadPairs>): Promise<number[]> {
  await useBestBackend({ precision });
  const rng = new Rng(0);
  const model = createNet(presetSpec('small2d', { seed: 0 }));
  const params = model.namedParameters().map(([, v]) => v);
  const opt = new Adam({ lr: 1e-3 });
  const P = 256, B = 4;
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const xb = new Float32Array(B * P * P), yb = new Float32Array(B * P * P);
    for (let b = 0; b < B; b++) {
      const p = pairs[rng.int(pairs.length)];
      const oy = rng.int(p.h - P + 1), ox = rng.int(p.w - P + 1);
      for (let r = 0; r < P; r++) {
        xb.set(p.img.subarray((oy + r) * p.w + ox, (oy + r) * p.w + ox + P), (b * P + r) * P);
        yb.set(p.lab.subarray((oy + r) * p.w + ox, (oy + r) * p.w + ox + P), (b * P + r) * P);
      }
    }
    const x = tf.tensor4d(xb, [B, P, P, 1]), y = tf.tensor3d(yb, [B, P, P]);
    const value = trainStep(model, opt, (z, target) => tf.tidy(() => {
      const y = tf.expandDims(target, -1); // [B, P, P, 1]
      const bce = tf.mean(tf.sub(tf.softplus(z), tf.mul(y, z)));
      const p = tf.sigmoid(z);
      const dice = tf.div(tf.add(tf.mul(2, tf.sum(tf.mul(p, y))), 1), tf.add(tf.add(tf.sum(p), tf.sum(y)), 1));
      return tf.add(bce, tf.sub(1, dice)) as tf.Scalar;
    }), { x, y }, undefined, params);
    losses.push(value.dataSync()[0]);
    tf.dispose([x, y, value]);
  }
  model.dispose();
  opt.dispose();
  return losses;
}

const pairs = loadPairs();
const tail = (l: number[]) => l.slice(-20).reduce((a, b) => a + b, 0) / Math.min(20, l.length);
const t0 = performance.now();
const fp32 = await run('fp32', pairs);
const t1 = performance.now();
const bf16 = await run('bf16', pairs);
const t2 = performance.now();
const [a, b] = [tail(fp32), tail(bf16)];
console.log(JSON.stringify({ steps, fp32_final_loss: +a.toFixed(4), bf16_final_loss: +b.toFixed(4), relative_difference: +(Math.abs(b - a) / a).toFixed(4), fp32_s: +((t1 - t0) / 1000).toFixed(1), bf16_s: +((t2 - t1) / 1000).toFixed(1) }));
