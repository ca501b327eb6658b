/** Overlap metrics on hand-counted maps; EDT and Hausdorff distances against brute force and hand cases. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../core/rng.js';
import { assertClose } from '../core/testing.js';
import { confusionCounts, datasetScores, meanOverImages, overlapScores, perImageScores } from './overlap.js';
import { edt, squaredEdt } from './edt.js';
import { hausdorffDistance, hd95 } from './hausdorff.js';

test('confusion counts, Dice, IoU, absent class and ignore value on a hand-counted map', () => {
  // Pairs (pred, truth): (0,0) (1,1) (1,2) (2,2) (0,1), and (1, 255) ignored.
  // class 0: tp 1 fp 1 fn 0 → Dice 2/3, IoU 1/2; class 1: tp 1 fp 1 fn 1 → 1/2, 1/3; class 2: tp 1 fp 0 fn 1 → 2/3, 1/2;
  // class 3 absent → 1, 1. Accuracy 3/5.
  const c = confusionCounts([0, 1, 1, 2, 0, 1], [0, 1, 2, 2, 1, 255], 4, { ignore: 255 });
  assert.deepEqual([...c.tp], [1, 1, 1, 0]);
  assert.deepEqual([...c.fp], [1, 1, 0, 0]);
  assert.deepEqual([...c.fn], [0, 1, 1, 0]);
  assert.equal(c.total, 5);
  const s = overlapScores(c);
  assertClose(s.dice, [2 / 3, 1 / 2, 2 / 3, 1], 0, 1e-12, 'dice');
  assertClose(s.iou, [1 / 2, 1 / 3, 1 / 2, 1], 0, 1e-12, 'iou');
  assert.deepEqual(s.absent, [false, false, false, true]);
  assertClose([s.meanIoU, s.pixelAccuracy], [(0.5 + 1 / 3 + 0.5 + 1) / 4, 0.6], 0, 1e-12, 'mean IoU, accuracy');
  const ex = overlapScores(c, { excludeAbsent: true });
  assertClose([ex.meanIoU, ex.meanDice], [(0.5 + 1 / 3 + 0.5) / 3, (2 / 3 + 1 / 2 + 2 / 3) / 3], 0, 1e-12, 'means without the absent class');
  assertClose([overlapScores(c, { classes: [1, 2] }).meanIoU], [(1 / 3 + 1 / 2) / 2], 0, 1e-12, 'mean IoU over classes 1, 2');
  assert.throws(() => confusionCounts([0, 1, 1, 2, 0, 1], [0, 1, 2, 2, 1, 255], 4), /truth 255 at index 5 must be an integer class in \[0, 4\)/);
  assert.throws(() => confusionCounts([5], [0], 4), /prediction 5 at index 0 must be an integer class/);
});

test('per-image (macro) and dataset (micro) reductions differ as computed by hand', () => {
  // Image A: pred [1, 1], truth [1, 1] → class 1 Dice 1, class 0 absent (1). Image B: pred [0, 0, 0, 0],
  // truth [1, 1, 1, 0] → class 1: tp 0, fn 3 → 0; class 0: tp 1, fp 3 → 2/5.
  const preds = [Int32Array.from([1, 1]), Int32Array.from([0, 0, 0, 0])];
  const truths = [Int32Array.from([1, 1]), Int32Array.from([1, 1, 1, 0])];
  const per = perImageScores(preds, truths, 2);
  assertClose(per[0].dice, [1, 1], 0, 1e-12, 'image A');
  assert.deepEqual(per[0].absent, [true, false]);
  assertClose(per[1].dice, [2 / 5, 0], 0, 1e-12, 'image B');
  assertClose(meanOverImages(per).dice, [(1 + 0.4) / 2, 0.5], 0, 1e-12, 'macro, absent counted as 1');
  assertClose(meanOverImages(per, { excludeAbsent: true }).dice, [0.4, 0.5], 0, 1e-12, 'macro, absent excluded');
  // Micro: class 0: tp 1, fp 3 → 2/5; class 1: tp 2, fn 3 → 4/7; accuracy 3/6.
  const micro = datasetScores(preds, truths, 2);
  assertClose(micro.dice, [2 / 5, 4 / 7], 0, 1e-12, 'micro dice');
  assertClose([micro.pixelAccuracy], [0.5], 0, 1e-12, 'micro accuracy');
});

function bruteSquaredEdt(mask: Uint8Array, shape: number[], spacing: number[]): Float64Array {
  const n = mask.length;
  const coord = (i: number) => {
    const c: number[] = [];
    for (let a = shape.length - 1; a >= 0; a--) { c.unshift(i % shape[a]); i = Math.floor(i / shape[a]); }
    return c;
  };
  const out = new Float64Array(n).fill(Infinity);
  for (let i = 0; i < n; i++) {
    const ci = coord(i);
    for (let j = 0; j < n; j++) {
      if (!mask[j]) continue;
      const cj = coord(j);
      let d = 0;
      for (let a = 0; a < shape.length; a++) d += ((ci[a] - cj[a]) * spacing[a]) ** 2;
      if (d < out[i]) out[i] = d;
    }
  }
  return out;
}

function randomMask(rng: Rng, n: number, p: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => (rng.next() < p ? 1 : 0));
}

test('squared EDT: hand 1-D case, empty and full masks', () => {
  // Feature at index 2, spacing 2: distances 4, 2, 0, 2, 4, 6 → squares 16, 4, 0, 4, 16, 36.
  assert.deepEqual([...squaredEdt([0, 0, 1, 0, 0, 0], [6], [2])], [16, 4, 0, 4, 16, 36]);
  assert.deepEqual([...edt([0, 0, 1, 0, 0, 0], [6], [2])], [4, 2, 0, 2, 4, 6]);
  assert.ok(squaredEdt(new Uint8Array(12), [3, 4]).every((v) => v === Infinity));
  assert.ok(squaredEdt(new Uint8Array(12).fill(1), [3, 4]).every((v) => v === 0));
  assert.throws(() => squaredEdt(new Uint8Array(5), [3, 4]), /mask length 5 must equal the shape's size 12/);
  assert.throws(() => squaredEdt(new Uint8Array(12), [3, 4], [1, 0]), /spacing \[1,0\] must be positive/);
});

test('squared EDT equals brute force on random 2-D and 3-D masks, odd sizes, anisotropic spacing', () => {
  const rng = new Rng(7);
  const cases: [number[], number[]][] = [
    [[7, 5], [1, 1]], [[9, 13], [2.5, 0.7]], [[1, 11], [1, 3]], [[5, 4, 7], [1, 1, 1]], [[4, 7, 5], [2, 0.5, 1.3]], [[3, 9, 6], [3.1, 1, 0.9]],
  ];
  for (const [shape, spacing] of cases) {
    for (const p of [0.03, 0.2, 0.6]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const mask = randomMask(rng, n, p);
      const want = bruteSquaredEdt(mask, shape, spacing);
      const got = squaredEdt(mask, shape, spacing);
      if (!mask.some((v) => v)) { assert.ok(got.every((v) => v === Infinity)); continue; }
      assertClose(got, want, 1e-12, 1e-9, `EDT [${shape}] spacing [${spacing}] p ${p}`);
    }
  }
});

/** Independent surface: mask voxels with a face neighbour outside the mask or the image. */
function bruteSurfacePoints(mask: Uint8Array, shape: number[]): number[][] {
  const pts: number[][] = [];
  const at = (c: number[]) => {
    if (c.some((v, a) => v < 0 || v >= shape[a])) return 0;
    return mask[c.reduce((i, v, a) => i * shape[a] + v, 0)];
  };
  const n = mask.length;
  for (let i = 0; i < n; i++) {
    const c: number[] = [];
    for (let a = shape.length - 1, r = i; a >= 0; a--) { c.unshift(r % shape[a]); r = Math.floor(r / shape[a]); }
    if (!at(c)) continue;
    let edge = false;
    for (let a = 0; a < shape.length; a++) for (const s of [-1, 1]) { const d = [...c]; d[a] += s; if (!at(d)) edge = true; }
    if (edge) pts.push(c);
  }
  return pts;
}

function bruteHausdorff(a: Uint8Array, b: Uint8Array, shape: number[], spacing: number[], q: number): number {
  const pa = bruteSurfacePoints(a, shape), pb = bruteSurfacePoints(b, shape);
  const dir = (from: number[][], to: number[][]) => {
    const d = from.map((x) => Math.min(...to.map((y) => Math.hypot(...x.map((v, k) => (v - y[k]) * spacing[k]))))).sort((u, v) => u - v);
    return d[Math.ceil((q / 100) * d.length) - 1];
  };
  return Math.max(dir(pa, pb), dir(pb, pa));
}

test('Hausdorff: hand cases, nearest-rank 95th percentile ignores one outlier, empty masks', () => {
  const shape = [5, 5];
  const a = new Uint8Array(25), b = new Uint8Array(25);
  a[0] = 1; b[3 * 5 + 4] = 1; // (0, 0) and (3, 4)
  assert.equal(hausdorffDistance(a, b, shape), 5);
  assertClose([hd95(a, b, shape, [2, 1])], [Math.sqrt(36 + 16)], 0, 1e-12, 'spacing [2, 1]');
  // A = row 0 of a 30×20 image (20 surface pixels); B = A plus the pixel (29, 0). B → A: 20 zeros and one 29;
  // nearest rank ⌈0.95 · 21⌉ = 20 → 0, so HD95 = 0 while the maximum (HD100) is 29.
  const A = new Uint8Array(600), B = new Uint8Array(600);
  for (let c = 0; c < 20; c++) A[c] = B[c] = 1;
  B[29 * 20] = 1;
  assert.equal(hd95(A, B, [30, 20]), 0);
  assert.equal(hausdorffDistance(A, B, [30, 20], { percentile: 100 }), 29);
  assert.equal(hd95(new Uint8Array(25), new Uint8Array(25), shape), 0);
  assert.equal(hd95(a, new Uint8Array(25), shape), Infinity);
  assert.equal(hd95(new Uint8Array(25), b, shape), Infinity);
  assert.throws(() => hausdorffDistance(a, b, shape, { percentile: 0 }), /percentile 0 must be in \(0, 100\]/);
});

test('Hausdorff (HD95 and HD100) equals brute force on random 2-D and 3-D masks with spacing', () => {
  const rng = new Rng(11);
  const cases: [number[], number[]][] = [[[9, 7], [1, 1]], [[11, 8], [0.8, 2.2]], [[5, 6, 7], [2, 1, 0.5]], [[4, 5, 5], [1, 1, 1]]];
  for (const [shape, spacing] of cases) {
    for (const p of [0.15, 0.5]) {
      const n = shape.reduce((x, y) => x * y, 1);
      const a = randomMask(rng, n, p), b = randomMask(rng, n, p);
      for (const q of [95, 100]) {
        assertClose([hausdorffDistance(a, b, shape, { spacing, percentile: q })], [bruteHausdorff(a, b, shape, spacing, q)], 1e-12, 1e-9, `HD${q} [${shape}]`);
      }
    }
  }
});
