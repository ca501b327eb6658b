/**
 * Sliding-window inference: blending normalises (a constant model gives its constant), translation equivariance,
 * odd shapes, images smaller than the window, swBatch, overlap-tile for valid-padded models against the whole
 * mirror-padded image, argument errors and tensor leaks.
 */
import { createNet, geometryOf, presetSpec, resolveSpec } from '../models/registry.js';
import type { NetSpec, TrainableNet } from '../models/types.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, type Tensor } from '../core/tf.js';
import { Rng } from '../core/rng.js';
import { assertClose, testBackends } from '../core/testing.js';
import { importanceMap, MIN_WEIGHT, reflectIndex, slidingWindow, slidingWindowPlan, slidingWindowVolume, type SlidingWindowOptions } from './sliding-window.js';
import type { SegmentationModel } from './tta.js';

/** A UNet in eval mode; with `bias`, its output conv has zero weights and this bias: constant logits everywhere. */
function model(opts: NetSpec, bias?: number[]): TrainableNet {
  const m = createNet(opts).eval();
  if (bias) {
    for (const [name, v] of m.namedParameters()) {
      if (name === 'outc.weight') v.assign(tf.zerosLike(v));
      if (name === 'outc.bias') v.assign(tf.tensor1d(bias));
    }
  }
  return m;
}

const softmax = (z: number[]) => z.map((v) => Math.exp(v) / z.reduce((s, u) => s + Math.exp(u), 0));

function randomImage(shape: number[], seed: number): Tensor {
  const rng = new Rng(seed);
  return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);
}

/** Runs slidingWindow and asserts that it leaves no tensor behind. */
async function run(m: SegmentationModel, x: Tensor, opts: SlidingWindowOptions = {}) {
  const before = tf.memory().numTensors;
  const p = await slidingWindow(m, x, opts);
  assert.equal(tf.memory().numTensors, before, 'slidingWindow leaked tensors');
  return p;
}

/** A fixed model, exactly equivariant on a zero background: logits (0, 8·(5×5 box mean, zero-padded, − 0.5)). */
const blurModel: SegmentationModel = {
  geometry: geometryOf(resolveSpec('unet', { classes: 2 })),
  forward: (x: Tensor) => tf.tidy(() => {
    const mean = tf.conv2d(x as tf.Tensor4D, tf.fill([5, 5, 1, 1], 1 / 25) as tf.Tensor4D, 1, 'same'); // [B, H, W, 1]
    return tf.concat([tf.zerosLike(mean), tf.mul(tf.sub(mean, 0.5), 8)], -1); // [B, H, W, 2]
  }),
};

/** A 2-D image with a bright 9×7 rectangle plus a 3×3 notch at (top, left). */
function blobImage(h: number, w: number, top: number, left: number): Tensor {
  const d = new Float32Array(h * w);
  for (let i = 0; i < 9; i++) for (let j = 0; j < 7; j++) d[(top + i) * w + left + j] = i < 3 && j < 3 ? 0 : 1;
  return tf.tensor(d, [1, h, w, 1]);
}

/** Foreground mask (argmax) of a 2-class map, cut to the box [top, top+size) × [left, left+size). */
function maskBox(p: { data: Float32Array; shape: number[] }, top: number, left: number, size: number): number[] {
  const out: number[] = [];
  for (let i = top; i < top + size; i++) for (let j = left; j < left + size; j++) {
    const q = (i * p.shape[1] + j) * 2;
    out.push(p.data[q + 1] > p.data[q] ? 1 : 0);
  }
  return out;
}

test('plan: window starts evenly spaced from 0 to the edge with step ≤ window·(1 − overlap); small images centred', () => {
  const o = geometryOf(presetSpec('seed2d', { base: 2 }));
  const p = slidingWindowPlan(o, [100, 20], { window: 32 });
  assert.deepEqual(p.axes[0].starts, [0, 14, 27, 41, 54, 68]); // ceil(68/16)+1 = 6 windows, step 13.6 ≤ 16
  assert.deepEqual(p.axes[1].starts, [-6]); // centred: 6 zeros before, 6 after
  assert.equal(p.windows, 6);
  assert.deepEqual(slidingWindowPlan(o, [64, 64], { window: 32, overlap: 0 }).axes[0].starts, [0, 32]);
  // defaults: one window covering the image (next valid size), overlap 0.5, gaussian
  const d = slidingWindowPlan(o, [100, 20]);
  assert.deepEqual([d.axes.map((a) => a.window), d.overlap, d.blend, d.swBatch, d.tta], [[112, 32], 0.5, 'gaussian', 1, false]);
  // valid padding: output tiles of 388 from 572 windows, steps rounded to the stride 16, the last tile mirrored past the edge
  const r = geometryOf(presetSpec('ronneberger2015', { base: 2 }));
  const v = slidingWindowPlan(r, [512, 512], { window: 572 });
  assert.deepEqual([v.axes[0].tile, v.axes[0].border, v.axes[0].starts, v.overlap], [388, 92, [0, 384], 0]);
  assert.deepEqual(slidingWindowPlan(r, [512, 512], { window: 572, overlap: 0.5 }).axes[0].starts, [0, 192]); // step 194 → 192
});

test('importance map: Gaussian with σ = tile/8, max 1, floor 1e-3; constant is ones', () => {
  const g = importanceMap([16, 9], 'gaussian');
  assert.equal(Math.max(...g), 1);
  assertClose([g[0]], [MIN_WEIGHT], 0, 1e-9, 'corner clamped');
  assertClose([g[7 * 9 + 4]], [1], 0, 1e-6, 'centre');
  assert.ok(g.every((v) => v >= MIN_WEIGHT && v <= 1));
  assert.ok(importanceMap([4, 4, 4], 'constant').every((v) => v === 1));
});

test('reflectIndex mirrors without repeating the edge, any distance out', () => {
  assert.deepEqual([-3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7].map((i) => reflectIndex(i, 4)), [3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1]);
  assert.equal(reflectIndex(-5, 1), 0);
});

for (const backend of await testBackends()) {
  test(`[${backend}] a constant model gives exactly its constant everywhere after blending (2-D and 3-D, both blends)`, async () => {
    await tf.setBackend(backend);
    const cases: [NetSpec, number[], number[], number][] = [
      [presetSpec('seed2d', { base: 2, classes: 3 }), [0.3, -0.2, 0.1], [1, 50, 70, 1], 32],
      [presetSpec('seed2d', { base: 2, classes: 1 }), [0.7], [1, 40, 23, 1], 16],
      [presetSpec('seed3d', { base: 2 }), [0.5, -1, 0.25], [1, 20, 27, 18, 1], 16],
    ];
    for (const [opts, bias, shape, window] of cases) {
      const m = model(opts, bias);
      const x = randomImage(shape, 1);
      const want = bias.length === 1 ? [1 / (1 + Math.exp(-bias[0]))] : softmax(bias);
      for (const blend of ['gaussian', 'constant'] as const) {
        const p = await run(m, x, { window, blend });
        assert.deepEqual([p.shape, p.classes], [shape.slice(1, -1), bias.length]);
        const expected = Float32Array.from({ length: p.data.length }, (_, i) => want[i % bias.length]);
        assertClose(p.data, expected, 0, 1e-6, `${shape.length - 2}-D, ${bias.length} class(es), ${blend}`);
      }
      x.dispose();
      m.dispose();
    }
  });

  test(`[${backend}] the same object at different offsets gives the same mask`, async () => {
    await tf.setBackend(backend);
    // A real U-Net (random weights): a shift by a multiple of the window step (16) and the stride meets the same windows.
    const m = model(presetSpec('seed2d', { base: 4, classes: 2 }));
    const a = blobImage(128, 128, 40, 44), b = blobImage(128, 128, 72, 76);
    const pa = await run(m, a, { window: 32 }), pb = await run(m, b, { window: 32 });
    const box = (p: typeof pa, t: number, l: number) => {
      const out: number[] = [];
      for (let i = t - 8; i < t + 17; i++) for (let j = l - 8; j < l + 15; j++) out.push(...p.data.subarray((i * 128 + j) * 2, (i * 128 + j) * 2 + 2));
      return out;
    };
    assertClose(box(pb, 72, 76), box(pa, 40, 44), 1e-5, 1e-6, 'probabilities around the object');
    assert.deepEqual(maskBox(pb, 64, 68, 25), maskBox(pa, 32, 36, 25));
    // An equivariant model, any shift (windows fall differently around the object): the same mask and probabilities.
    const c = blobImage(100, 90, 21, 17), d = blobImage(100, 90, 58, 61);
    const pc = await run(blurModel, c, { window: 32 }), pd = await run(blurModel, d, { window: 32 });
    const mc = maskBox(pc, 15, 11, 20), md = maskBox(pd, 52, 55, 20);
    assert.deepEqual(md, mc);
    assert.ok(mc.filter((v) => v === 1).length > 30, 'the object is found');
    for (const t of [m, a, b, c, d]) t.dispose();
  });

  test(`[${backend}] odd volume 37×51×29 (seed3d base 4) returns the input's shape; swBatch 3 equals swBatch 1`, async () => {
    await tf.setBackend(backend);
    const m = model(presetSpec('seed3d', { base: 4 }));
    const x = randomImage([1, 37, 51, 29, 1], 2);
    const progress: [number, number][] = [];
    const opts = { window: [16, 32, 16], overlap: 0 }; // starts 0, 11, 21 | 0, 19 | 0, 13: the windows still overlap
    const p1 = await run(m, x, { ...opts, onProgress: (d, t) => progress.push([d, t]) });
    assert.deepEqual([p1.shape, p1.classes, p1.data.length], [[37, 51, 29], 3, 37 * 51 * 29 * 3]);
    for (let i = 0; i < p1.data.length; i += 3) assertClose([p1.data[i] + p1.data[i + 1] + p1.data[i + 2]], [1], 0, 1e-5, 'probabilities sum to 1');
    const total = 3 * 2 * 2; // ceil(21/16)+1, ceil(19/32)+1, ceil(13/16)+1
    assert.deepEqual(progress, Array.from({ length: total }, (_, i) => [i + 1, total]));
    const p3 = await run(m, x, { ...opts, swBatch: 3 });
    assertClose(p3.data, p1.data, 1e-5, 1e-6, 'swBatch 3 vs 1 (3-D)');
    x.dispose();
    m.dispose();
  });

  test(`[${backend}] 2-D: swBatch 4 equals swBatch 1; an image smaller than the window is zero-padded, centred, and cropped back`, async () => {
    await tf.setBackend(backend);
    const m = model(presetSpec('seed2d', { base: 4, classes: 2 }));
    const x = randomImage([1, 45, 61, 1], 3);
    const p1 = await run(m, x, { window: 32, overlap: 0.25 });
    const p4 = await run(m, x, { window: 32, overlap: 0.25, swBatch: 4 });
    assertClose(p4.data, p1.data, 1e-5, 1e-6, 'swBatch 4 vs 1 (2-D)');
    const small = randomImage([1, 20, 13, 1], 4);
    const ps = await run(m, small, { window: 32 });
    assert.deepEqual(ps.shape, [20, 13]);
    const want = tf.tidy(() => {
      const y = tf.softmax(m.forward(tf.pad(small, [[0, 0], [6, 6], [9, 10], [0, 0]])), -1);
      return tf.slice(y, [0, 6, 9, 0], [1, 20, 13, 2]).dataSync();
    });
    assertClose(ps.data, want, 1e-5, 1e-6, 'small image = padded window, cropped');
    // the same through a Volume
    const pv = await slidingWindowVolume(m, { data: small.dataSync() as Float32Array, shape: [20, 13], channels: 1, spacing: [1, 1], source: 'small' }, { window: 32 });
    assertClose(pv.data, ps.data, 0, 0, 'Volume variant');
    for (const t of [m, x, small]) t.dispose();
  });

  test(`[${backend}] valid padding (ronneberger2015 base 1): overlap-tile on 512×512 equals the network on the mirror-padded image`, async () => {
    await tf.setBackend(backend);
    const m = model(presetSpec('ronneberger2015', { base: 1 }));
    const x = randomImage([1, 512, 512, 1], 5);
    // Output pixel u comes from input [u − 92, u + 92] of the image mirrored by 92 on each side (padded coordinates
    // [u, u + 184]). Reference: the network on 380² crops of the mirrored image at offsets 0 and 320 (multiples of the
    // stride 16): outputs 196², i.e. image regions [0, 196)² (mirrored border, tile 0) and [320, 516)² (across the seam
    // of the tiles at 0 and 384, to the mirrored far edge).
    const padded = tf.mirrorPad(x, [[0, 0], [92, 96], [92, 96], [0, 0]], 'reflect'); // [1, 700, 700, 1]
    const reference = (at: number) => tf.tidy(() => tf.softmax(m.forward(tf.slice(padded, [0, at, at, 0], [1, 380, 380, 1])), -1).dataSync() as Float32Array); // 196² × 2
    const region = (p: Float32Array, at: number, size: number) => {
      const out: number[] = [];
      for (let i = at; i < at + size; i++) out.push(...p.subarray((i * 512 + at) * 2, (i * 512 + at + size) * 2));
      return out;
    };
    const crop = (r: Float32Array, size: number) => {
      const out: number[] = [];
      for (let i = 0; i < size; i++) out.push(...r.subarray(i * 196 * 2, (i * 196 + size) * 2));
      return out;
    };
    const [r0, r320] = [reference(0), reference(320)];
    for (const overlap of [0, 0.5]) {
      const p = await run(m, x, { window: 572, overlap });
      assert.deepEqual(p.shape, [512, 512]);
      assert.ok(p.data.every(Number.isFinite), 'every pixel covered');
      assertClose(region(p.data, 0, 196), crop(r0, 196), 1e-4, 1e-6, `overlap ${overlap}, region at 0`);
      assertClose(region(p.data, 320, 192), crop(r320, 192), 1e-4, 1e-6, `overlap ${overlap}, region at 320`);
    }
    // smaller than one output tile: a single centred tile, mirrored all round
    const small = randomImage([1, 40, 40, 1], 6);
    const ps = await run(m, small);
    assert.deepEqual(ps.shape, [40, 40]);
    assert.ok(ps.data.every(Number.isFinite));
    for (const t of [m, x, padded, small]) t.dispose();
  });

  test(`[${backend}] bad input: errors name the value and the rule`, async () => {
    await tf.setBackend(backend);
    const m2 = model(presetSpec('seed2d', { base: 2 }));
    const m3 = model(presetSpec('seed3d', { base: 2 }));
    const x2 = tf.zeros([1, 32, 32, 1]), x3 = tf.zeros([1, 16, 16, 16, 1]);
    await assert.rejects(slidingWindow(m3, x2), /image \[1,32,32,1\] has rank 4 \(a 2-D image \[1, H, W, C\]\); this 3-D model takes rank 5, \[1, D, H, W, C\]/);
    await assert.rejects(slidingWindow(m2, x3), /image \[1,16,16,16,1\] has rank 5 \(a 3-D image \[1, D, H, W, C\]\); this 2-D model takes rank 4, \[1, H, W, C\]/);
    const rgb = tf.zeros([1, 32, 32, 3]);
    await assert.rejects(slidingWindow(m2, rgb), /image \[1,32,32,3\] has 3 channels \(last axis, channels-last\); this model takes 1/);
    const two = tf.zeros([2, 32, 32, 1]);
    await assert.rejects(slidingWindow(m2, two), /has batch 2; pass one image at a time/);
    await assert.rejects(slidingWindow(m2, x2, { window: 30 }), /option window \[30,30\]: input 30x30 does not fit this U-Net .*nearest valid sizes: 16 or 32/);
    await assert.rejects(slidingWindow(m2, x2, { window: [32, 32, 32] }), /option window \[32,32,32\] has 3 axes; this 2-D model needs 2/);
    await assert.rejects(slidingWindow(m2, x2, { overlap: 1 }), /option overlap must be in \[0, 1\), got 1/);
    await assert.rejects(slidingWindow(m2, x2, { swBatch: 0 }), /option swBatch must be an integer ≥ 1, got 0/);
    await assert.rejects(slidingWindow(m2, x2, { blend: 'box' as never }), /blend/);
    for (const t of [m2, m3, x2, x3, rgb, two]) t.dispose();
  });
}
