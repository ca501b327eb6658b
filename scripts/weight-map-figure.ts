/**
 * Writes docs/weight-map.png: one DSB-2018 nucleus image (left) and its Ronneberger boundary weight map (right,
 * scaled so the largest weight is white), 8-bit gray. Run: npx tsx scripts/weight-map-figure.ts [id]
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { decodePng, encodePng } from '../src/io/png.js';
import { boundaryWeightMap } from '../src/data/weight-map.js';

const root = join(import.meta.dirname, '..');
const dataDir = join(root, '..', 'shared', 'data', 'dsb2018-nuclei');
const id = process.argv[2] ?? '2f929b067a59f88530b6bfa6f6889bc3a38adf88d594895973d1c8b2549fd93d';
const img = decodePng(new Uint8Array(readFileSync(join(dataDir, 'images', `${id}.png`))), `images/${id}.png`);
const lab = decodePng(new Uint8Array(readFileSync(join(dataDir, 'labels', `${id}.png`))), `labels/${id}.png`);
const { width: W, height: H } = lab;
if (lab.channels !== 1 || img.width !== W || img.height !== H) throw new Error(`${id}: label must be 1-channel and the image ${W}×${H}`);
const t0 = performance.now();
const w = boundaryWeightMap(lab.data, [H, W]);
const ms = performance.now() - t0;
let wMax = 0;
for (const v of w) wMax = Math.max(wMax, v);
const out = new Float32Array(H * 2 * W);
let iMax = 0;
for (let i = 0; i < H * W; i++) iMax = Math.max(iMax, img.data[i * img.channels]);
for (let r = 0; r < H; r++) {
  for (let c = 0; c < W; c++) {
    out[r * 2 * W + c] = (img.data[(r * W + c) * img.channels] / (iMax || 1)) * 255; // first channel, stretched
    out[r * 2 * W + W + c] = (w[r * W + c] / wMax) * 255;
  }
}
mkdirSync(join(root, 'docs'), { recursive: true });
writeFileSync(join(root, 'docs', 'weight-map.png'), encodePng(out, 2 * W, H, 1));
console.log(`${id}: ${W}×${H}, ${new Set(lab.data).size - 1} nuclei, weights ${Math.min(...w).toFixed(3)}…${wMax.toFixed(3)}, ${ms.toFixed(0)} ms → docs/weight-map.png`);
