/**
 * MONAI semantics of the metrics (`semantics: 'monai'`), checked against values from MONAI's own unit tests
 * (Project-MONAI/MONAI tests/metrics/test_compute_meandice.py, tests/metrics/test_hausdorff_distance.py) and hand
 * cases; each also checks that the 'unet-ts' default gives its documented, different value.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClose } from '../core/testing.js';
import { Rng } from '../core/rng.js';
import { maskMetrics } from './registry.js';
import { reduceMetric } from './reduction.js';
import { hausdorffDistance, linearPercentile } from './hausdorff.js';
import { chamferDistance } from './edt.js';
import { confusionCounts, meanOverImages, overlapScores } from './overlap.js';

const dice = maskMetrics.get('dice');
const shape2 = [2, 2];

/** Dice per [b][c] of one-hot [B][C][2×2] masks, as MONAI's compute_dice (include_background=True). */
function diceTable(pred: number[][][][], truth: number[][][][], semantics: 'unet-ts' | 'monai'): number[][] {
  return pred.map((p, b) => p.map((pc, c) => dice({ pred: Uint8Array.from(pc.flat()), truth: Uint8Array.from(truth[b][c].flat()), shape: shape2 }, { semantics })));
}

// test_compute_meandice.py TEST_CASE_4 … TEST_CASE_7 share this y_pred.
const P = [
  [[[1, 1], [1, 0]], [[0, 1], [0, 0]], [[0, 1], [1, 1]]],
  [[[1, 0], [1, 1]], [[0, 1], [1, 1]], [[0, 1], [1, 0]]],
];
const Y45 = [
  [[[1, 1], [1, 1]], [[0, 0], [0, 0]], [[0, 0], [0, 0]]],
  [[[0, 0], [0, 1]], [[1, 1], [0, 0]], [[0, 0], [1, 0]]],
];
const Y67 = [
  [[[1, 1], [1, 1]], [[0, 0], [0, 0]], [[0, 0], [0, 0]]],
  [[[1, 1], [1, 1]], [[0, 0], [0, 0]], [[0, 0], [0, 0]]],
];

test('MONAI compute_dice: TEST_CASE_1 value, TEST_CASE_3 NaN pattern of empty ground truths (ignore_empty=True)', () => {
  // TEST_CASE_1: y_pred [[1, 0], [0, 1]], y [[1, 0], [1, 1]] → 0.8 under both semantics.
  assertClose(diceTable([[[[1, 0], [0, 1]]]], [[[[1, 0], [1, 1]]]], 'monai')[0], [0.8], 0, 1e-12, 'TEST_CASE_1');
  // TEST_CASE_3: NaN exactly where y is empty, [[F, T, T], [F, F, T]] (channel 2 predicts everything on an empty y).
  const pred = [
    [[[0, 0], [0, 0]], [[0, 0], [0, 0]], [[1, 1], [1, 1]]],
    [[[0, 0], [0, 0]], [[0, 0], [0, 0]], [[1, 1], [1, 1]]],
  ];
  const y = [
    [[[1, 1], [1, 1]], [[0, 0], [0, 0]], [[0, 0], [0, 0]]],
    [[[0, 1], [1, 0]], [[1, 0], [0, 1]], [[0, 0], [0, 0]]],
  ];
  assert.deepEqual(diceTable(pred, y, 'monai').map((r) => r.map(Number.isNaN)), [[false, true, true], [false, false, true]]);
  // unet-ts: absent (empty in both) → 1, truth empty but predicted → 0; nothing is NaN.
  assert.deepEqual(diceTable(pred, y, 'unet-ts'), [[0, 1, 0], [0, 0, 0]]);
  assert.ok(Number.isNaN(maskMetrics.get('iou')({ pred: Uint8Array.of(1, 0), truth: Uint8Array.of(0, 0), shape: [2] }, { semantics: 'monai' })));
});

test('MONAI do_metric_reduction: test_compute_meandice TEST_CASE_4 … 8 (mean_batch, mean, sum_batch, not_nans)', () => {
  const f45 = diceTable(P, Y45, 'monai');
  assertClose(reduceMetric(f45, 'mean_batch').value, [0.6786, 0.4, 0.6667], 0, 1e-4, 'TEST_CASE_4 mean_batch');
  assert.deepEqual(reduceMetric(f45, 'mean_batch').notNans, [2, 1, 1]);
  assertClose([reduceMetric(f45, 'mean').value], [0.689683], 0, 1e-6, 'TEST_CASE_5 mean');
  assert.equal(reduceMetric(f45, 'mean').notNans, 2);
  const f67 = diceTable(P, Y67, 'monai');
  assertClose(reduceMetric(f67, 'sum_batch').value, [1.7143, 0, 0], 0, 1e-4, 'TEST_CASE_6 sum_batch');
  assert.deepEqual(reduceMetric(f67, 'sum_batch').notNans, [2, 0, 0]);
  assertClose([reduceMetric(f67, 'mean').value], [0.857143], 0, 1e-6, 'TEST_CASE_7 mean');
  // TEST_CASE_8: include_background=False → channels 1, 2 only, all NaN → sum_batch [0, 0].
  assert.deepEqual(reduceMetric(f67.map((r) => r.slice(1)), 'sum_batch'), { value: [0, 0], notNans: [0, 0] });
  // unet-ts rules on the same masks average the empty-truth channels in (as 0 or 1): a different mean.
  const u = diceTable(P, Y67, 'unet-ts');
  assert.ok(Math.abs(reduceMetric(u, 'mean').value - 0.857143) > 0.1);
  // The remaining reductions by hand on [[1, NaN], [0.5, 0.25]].
  const f = [[1, NaN], [0.5, 0.25]];
  assert.deepEqual(reduceMetric(f, 'sum'), { value: 1.75, notNans: 3 });
  assert.deepEqual(reduceMetric(f, 'mean_channel'), { value: [1, 0.375], notNans: [1, 2] });
  assert.deepEqual(reduceMetric(f, 'sum_channel'), { value: [1, 0.75], notNans: [1, 2] });
  assert.deepEqual(reduceMetric(f, 'none').notNans, [[1, 0], [1, 1]]);
  assert.deepEqual(reduceMetric([[NaN]], 'mean'), { value: 0, notNans: 0 }); // MONAI's t_zero
  assert.throws(() => reduceMetric(f, 'median' as never), /reduction 'median' must be one of none, mean, sum/);
});

test('overlapScores / meanOverImages with monai: empty truth NaN and left out, notNans counted', () => {
  // Image A: pred [0, 1, 1], truth [0, 0, 0]: class 1 has an empty truth → NaN (unet-ts: 0). Class 0: tp 1, fn 2 → 1/2.
  const a = overlapScores(confusionCounts([0, 1, 1], [0, 0, 0], 2), { semantics: 'monai' });
  assert.ok(Number.isNaN(a.dice[1]) && Number.isNaN(a.iou[1]));
  assertClose([a.dice[0], a.meanDice, a.notNans], [0.5, 0.5, 1], 0, 1e-12, 'image A');
  const u = overlapScores(confusionCounts([0, 1, 1], [0, 0, 0], 2));
  assertClose([u.dice[1], u.meanDice, u.notNans], [0, 0.25, 2], 0, 1e-12, 'image A, unet-ts');
  // Image B: pred [1, 1], truth [1, 1]: class 0 absent (NaN), class 1 → 1.
  const b = overlapScores(confusionCounts([1, 1], [1, 1], 2), { semantics: 'monai' });
  const m = meanOverImages([a, b], { semantics: 'monai' });
  assertClose([...m.dice, m.meanDice, m.notNans], [0.5, 1, 0.75, 2], 0, 1e-12, 'mean_batch and mean over images');
});

test('linear percentile (torch.quantile) vs nearest rank: HD95 of directed distances {0, 0, 1} is 0.9 with monai, 1 without', () => {
  assertClose([linearPercentile(Float64Array.of(1, 0, 0), 95)], [0.9], 0, 1e-12, 'q 95 of {0, 0, 1}');
  assertClose([linearPercentile(Float64Array.of(1, 2, 3, 4), 40)], [2.2], 0, 1e-12, 'q 40 of 1..4: 1 + 0.4·3 = 2.2');
  // A: (0, 0), (0, 2), (1, 2); B: (0, 0), (0, 2) in a 3×3 image. A → B: {0, 0, 1}; B → A: {0, 0}.
  const A = new Uint8Array(9), B = new Uint8Array(9);
  A[0] = A[2] = A[5] = 1;
  B[0] = B[2] = 1;
  assertClose([hausdorffDistance(A, B, [3, 3], { semantics: 'monai' })], [0.9], 0, 1e-12, 'monai HD95');
  assert.equal(hausdorffDistance(A, B, [3, 3]), 1);
  assert.equal(hausdorffDistance(A, B, [3, 3], { semantics: 'monai', percentile: 100 }), 1);
  assert.equal(hausdorffDistance(A, B, [3, 3], { semantics: 'monai', percentile: 0 }), 1); // MONAI: falsy percentile → max
  // directed B → A only: 0.
  assert.equal(hausdorffDistance(B, A, [3, 3], { directed: true, percentile: 100 }), 0);
  assert.equal(hausdorffDistance(A, B, [3, 3], { directed: true, percentile: 100 }), 1);
});

test('Hausdorff empty masks: MONAI both empty → NaN, one empty → ∞ (test_hausdorff_distance.py TEST_CASES 5, 6, TEST_CASES_NANS)', () => {
  const z = new Uint8Array(27), one = new Uint8Array(27);
  one[13] = 1;
  for (const directed of [false, true]) {
    for (const distanceMetric of ['euclidean', 'chessboard', 'taxicab'] as const) {
      const o = { semantics: 'monai' as const, directed, distanceMetric, percentile: 100 };
      assert.ok(Number.isNaN(hausdorffDistance(z, z, [3, 3, 3], o)), `both empty ${distanceMetric} ${directed}`);
      assert.equal(hausdorffDistance(z, one, [3, 3, 3], o), Infinity);
      assert.equal(hausdorffDistance(one, z, [3, 3, 3], o), Infinity);
    }
  }
  assert.equal(hausdorffDistance(z, z, [3, 3, 3]), 0); // unet-ts
  assert.ok(Number.isNaN(maskMetrics.get('hd95')({ pred: z, truth: z, shape: [3, 3, 3] }, { semantics: 'monai' })));
});

test('chamfer distances (chessboard, taxicab) equal brute force on random 2-D and 3-D masks', () => {
  const rng = new Rng(5);
  for (const shape of [[7, 9], [5, 6, 4], [1, 8], [11]]) {
    const n = shape.reduce((a, b) => a * b, 1);
    const mask = Uint8Array.from({ length: n }, () => (rng.next() < 0.1 ? 1 : 0));
    mask[n >> 1] = 1;
    const coord = (i: number) => shape.map((_, a) => Math.floor(i / shape.slice(a + 1).reduce((x, y) => x * y, 1)) % shape[a]);
    for (const metric of ['chessboard', 'taxicab'] as const) {
      const got = chamferDistance(mask, shape, metric);
      for (let i = 0; i < n; i++) {
        let best = Infinity;
        for (let j = 0; j < n; j++) {
          if (!mask[j]) continue;
          const d = coord(i).map((c, a) => Math.abs(c - coord(j)[a]));
          best = Math.min(best, metric === 'taxicab' ? d.reduce((x, y) => x + y, 0) : Math.max(...d));
        }
        assert.equal(got[i], best, `${metric} [${shape}] at ${i}`);
      }
    }
  }
});

/** test_hausdorff_distance.py's create_spherical_seg_3d on a 99³ grid. */
function sphere(radius: number, centre: number[], spacing = [1, 1, 1]): Uint8Array {
  const s = 99, out = new Uint8Array(s ** 3);
  for (let i = 0; i < s; i++) for (let j = 0; j < s; j++) for (let k = 0; k < s; k++) {
    const d = (i * spacing[0] - centre[0]) ** 2 + (j * spacing[1] - centre[1]) ** 2 + (k * spacing[2] - centre[2]) ** 2;
    if (d <= radius * radius) out[(i * s + j) * s + k] = 1;
  }
  return out;
}

test('MONAI HausdorffDistanceMetric: test_hausdorff_distance.py TEST_CASES 2, 7 and 8 for every distance_metric, directed or not', () => {
  const shape = [99, 99, 99];
  // Expected per case: [euclidean directed, euclidean, chessboard directed, chessboard, taxicab directed, taxicab].
  const cases: [Uint8Array, Uint8Array, number[] | undefined, number | undefined, number[]][] = [
    [sphere(20, [20, 20, 20]), sphere(20, [19, 19, 19]), undefined, undefined, [1.7320508075688772, 1.7320508075688772, 1, 1, 3, 3]],
    [sphere(20, [20, 33, 22]), sphere(40, [20, 33, 22]), undefined, 95, [19.924858845171276, 20.09975124224178, 14, 18, 22, 33]],
    [sphere(20, [20, 20, 20], [0.85, 1.2, 0.9]), sphere(20, [19, 19, 19], [0.85, 1.2, 0.9]), [0.85, 1.2, 0.9], undefined, [2.0808651447296143, 2.2671568, 2, 2, 3, 4]],
  ];
  for (const [pred, truth, spacing, percentile, want] of cases) {
    const got: number[] = [];
    for (const distanceMetric of ['euclidean', 'chessboard', 'taxicab'] as const) {
      for (const directed of [true, false]) {
        got.push(hausdorffDistance(pred, truth, shape, { semantics: 'monai', spacing, percentile: percentile ?? 100, directed, distanceMetric }));
      }
    }
    assertClose(got, want, 1e-6, 0, `HD percentile ${percentile ?? 'max'} spacing ${spacing ?? 'none'}`);
  }
  // unet-ts refuses a spacing it would have to ignore.
  assert.throws(() => hausdorffDistance(cases[2][0], cases[2][1], shape, { spacing: [0.85, 1.2, 0.9], distanceMetric: 'chessboard' }), /counts voxel steps and cannot use spacing/);
});
