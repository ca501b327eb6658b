import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../core/rng.js';
import { augmentNnUNet, blurChannel, contrast, gammaChannel, lowResolution, rot90, rotateScale } from './augment.js';
import type { Patch } from './patches.js';

const ramp = (shape: number[], C = 1): Patch => {
  const n = shape.reduce((a, b) => a * b, 1);
  return { image: Float32Array.from({ length: n * C }, (_, i) => i), label: Int32Array.from({ length: n }, (_, i) => i % 3), shape, channels: C };
};
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-4) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `[${i}] ${a[i]} vs ${b[i]}`);
};

test('rotation/scaling: angle 0 and scale 1 is the identity; 90° equals rot90; scale 0.5 samples the centre', () => {
  const p = ramp([4, 4]);
  close(rotateScale(p, [0], 1).image, p.image);
  const r = rotateScale(p, [Math.PI / 2], 1);
  const want = rot90(p, 0, 1, 3);
  close(r.image, want.image);
  assert.deepEqual(Array.from(r.label), Array.from(want.label));
  const z = rotateScale(ramp([5]), [0], 0.5); // in 1-D terms along axis 0 of a 5-voxel line: src = 2 + 0.5·(c − 2)
  assert.ok(z.shape.length === 1);
});

test('blur: a constant stays constant; an impulse spreads symmetrically and keeps its sum away from the border', () => {
  close(blurChannel(new Float32Array(27).fill(2), [3, 3, 3], [1, 1, 1]), new Float32Array(27).fill(2));
  const v = new Float32Array(21); v[10] = 1;
  const b = blurChannel(v, [21], [0.8]);
  assert.ok(Math.abs(b.reduce((s, x) => s + x, 0) - 1) < 1e-5);
  assert.ok(Math.abs(b[9] - b[11]) < 1e-7 && b[10] > b[9]);
});

test('contrast: factor 1 is the identity; factor 2 stretches about the mean and clips to the range', () => {
  const p: Patch = { image: Float32Array.from([0, 1, 2, 3]), label: new Int32Array(4), shape: [4], channels: 1 };
  close(contrast(p, [1]).image, p.image);
  close(contrast(p, [2]).image, [0, 0.5, 2.5, 3]); // mean 1.5: −1.5, 0.5, 2.5, 4.5 → clipped to [0, 3]
});

test('low resolution: zoom 1 is the identity; zoom 0.5 of a 4-voxel ramp keeps every other voxel, then linear', () => {
  const v = Float32Array.from([0, 1, 2, 3]);
  close(lowResolution(v, [4], [1]), v);
  const r = lowResolution(v, [4], [0.5]);
  assert.equal(r.length, 4);
  assert.ok(r[0] <= r[3]);
});

test('gamma: γ = 1 is the identity; statistics are retained for any γ; inversion applies it to −x', () => {
  const v = Float32Array.from([1, 2, 4, 8]);
  close(gammaChannel(v, 1, false), v, 1e-4);
  const g = gammaChannel(v, 1.5, false);
  const stats = (a: Float32Array) => { const m = a.reduce((s, x) => s + x, 0) / a.length; return [m, Math.sqrt(a.reduce((s, x) => s + (x - m) ** 2, 0) / a.length)]; };
  close(stats(g), stats(v), 1e-4);
  assert.notDeepEqual(Array.from(g), Array.from(v));
  close(gammaChannel(v, 1, true), v, 1e-4);
});

test('pipeline: all probabilities 0 and no mirroring is the identity; seeded; brightness alone multiplies', () => {
  const p = ramp([4, 4, 4]);
  const off = { rotationP: 0, scalingP: 0, noiseP: 0, blurP: 0, brightnessP: 0, contrastP: 0, lowResP: 0, gammaInvertP: 0, gammaP: 0, mirror: false };
  close(augmentNnUNet(p, off, new Rng(1)).image, p.image);
  const a = augmentNnUNet(p, {}, new Rng(7)), b = augmentNnUNet(p, {}, new Rng(7));
  assert.deepEqual(Array.from(a.image), Array.from(b.image));
  assert.deepEqual(Array.from(a.label), Array.from(b.label));
  const br = augmentNnUNet(p, { ...off, brightnessP: 1 }, new Rng(2));
  const f = br.image[1] / p.image[1];
  assert.ok(f >= 0.75 && f <= 1.25);
  close(br.image, p.image.map((x) => x * f), 1e-3);
  // mirroring: over many draws each axis is flipped about half the time
  let flipped = 0;
  const rng = new Rng(5);
  for (let k = 0; k < 200; k++) if (augmentNnUNet(ramp([2]), { ...off, mirror: true }, rng).image[0] === 1) flipped++;
  assert.ok(flipped > 70 && flipped < 130, `${flipped}`);
});
