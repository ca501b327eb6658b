/** `unet demo`: the model summary and a forward pass of seed2d on the ImageJ blobs image. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tf } from '../src/core/tf.js';
import { useBestBackend } from '../src/backends/select.js';
import { UNet } from '../src/models/unet.js';
import { presetOptions } from '../src/models/presets.js';
import { decodePng, encodePng } from '../src/io/png.js';
import { writeFileAtomic } from '../src/io/files.js';
import { summarize, summaryText } from './summary.js';

export interface DemoOptions {
  /** Repository or package root holding data/blobs/blobs.png. */
  root: string;
  /** Folder for the output PNG. */
  out: string;
  /** Base width of the network run on the image. Default 16. */
  base?: number;
  log?: (s: string) => void;
}

export async function demo(opts: DemoOptions): Promise<{ ms: number; outPath: string; shape: number[] }> {
  const log = opts.log ?? console.log;
  const backend = await useBestBackend();
  log(summaryText(summarize('seed2d', {})));
  log('');
  const path = join(opts.root, 'data', 'blobs', 'blobs.png');
  const img = decodePng(new Uint8Array(await readFile(path)), path);
  const base = opts.base ?? 16;
  const model = new UNet(presetOptions('seed2d', { base, seed: 0 })).eval();
  // The padded U-Net needs sides divisible by 2^depth = 16: reflect-pad 256×254 to 256×256, crop the output back.
  const mult = 2 ** model.options.depth;
  const ph = (mult - (img.height % mult)) % mult, pw = (mult - (img.width % mult)) % mult;
  const t0 = performance.now();
  const prob = tf.tidy(() => {
    const x = tf.slice(tf.tensor4d(img.data, [1, img.height, img.width, img.channels]), [0, 0, 0, 0], [1, img.height, img.width, 1]);
    const { mean, variance } = tf.moments(x);
    const z = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-8))); // z-score
    const padded = tf.mirrorPad(z as tf.Tensor4D, [[0, 0], [ph >> 1, ph - (ph >> 1)], [pw >> 1, pw - (pw >> 1)], [0, 0]], 'reflect');
    const logits = model.forward(padded); // [1, H', W', 1]
    return tf.sigmoid(tf.slice(logits, [0, ph >> 1, pw >> 1, 0], [1, img.height, img.width, 1]));
  });
  const values = await prob.data();
  const ms = performance.now() - t0;
  let lo = Infinity, hi = -Infinity;
  for (const v of values) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  const outPath = join(opts.out, 'blobs-forward.png');
  const gray = Float32Array.from(values, (v) => ((v - lo) / Math.max(hi - lo, 1e-12)) * 255);
  await writeFileAtomic(outPath, encodePng(gray, img.width, img.height, 1));
  log(`forward pass: seed2d base ${base} (${model.parameterCount().toLocaleString('en-US')} parameters, untrained, seed 0) on ${path}`);
  log(`  input ${img.width}×${img.height}, reflect-padded to ${img.width + pw}×${img.height + ph}; output probabilities in [${lo.toFixed(4)}, ${hi.toFixed(4)}]`);
  log(`  ${ms.toFixed(0)} ms on backend '${backend}'; map written to ${outPath}`);
  const shape = prob.shape;
  prob.dispose();
  model.dispose();
  return { ms, outPath, shape };
}
