/** nnU-Net's evaluation rule, learned post-processing, ensembling and find-best on hand-made cases. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPostprocessing, averageProbabilities, findBest, keepLargestOf, learnPostprocessing, nnunetSummary } from './learn-postprocessing.js';
import type { ProbabilityMap } from './sliding-window.js';

/** A 6×6 label map from [row, col, label] entries (the rest 0). */
const grid = (cells: [number, number, number][]) => {
  const a = new Int32Array(36);
  for (const [r, c, l] of cells) a[r * 6 + c] = l;
  return a;
};
const block1: [number, number, number][] = [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]];
const block2: [number, number, number][] = [[4, 4, 2], [4, 5, 2], [5, 4, 2]];
const truth = grid([...block1, ...block2]);
const pred = grid([...block1, ...block2, [0, 5, 1]]); // a stray label-1 voxel, isolated even with 8-neighbours
const empty = new Int32Array(36);

test('nnU-Net summary: Dice NaN when a label is in neither file, left out of that label\'s mean', () => {
  const s = nnunetSummary([{ name: 'a', pred, truth, shape: [6, 6] }, { name: 'b', pred: empty, truth: empty, shape: [6, 6] }], [1, 2]);
  assert.ok(Math.abs(s.perLabel[1] - 8 / 9) < 1e-12); // tp 4, fp 1, fn 0; case b is NaN and left out
  assert.equal(s.perLabel[2], 1);
  assert.ok(Math.abs(s.foregroundMean - (8 / 9 + 1) / 2) < 1e-12);
});

test('learned post-processing: the all-foreground step is refused when a label falls; the per-label step kept when it rises', () => {
  const cases = [{ name: 'a', pred, truth, shape: [6, 6] }, { name: 'b', pred: empty, truth: empty, shape: [6, 6] }];
  const r = learnPostprocessing(cases, [1, 2]);
  // All foreground as one mask: its largest component is block 1 (4 voxels), so block 2 (3) goes: label 2 falls 1 → 0.
  // Label 1 alone: the stray voxel goes, 8/9 → 1. Label 2 alone: one component, nothing changes (1 → 1, not a rise).
  assert.deepEqual(r.steps, [{ kind: 'largest-component', labels: [1] }]);
  assert.deepEqual([r.after.perLabel[1], r.after.perLabel[2]], [1, 1]);
  assert.match(r.log[0], /largest component of all foreground \(1, 2\): foreground mean Dice 0\.9444 → 0\.5000, label 2 fell — not kept/);
  assert.match(r.log[1], /label 1: its mean Dice 0\.8889 → 1\.0000 — kept/);
  assert.match(r.log[2], /label 2: its mean Dice 1\.0000 → 1\.0000 — not kept/);
  assert.deepEqual([...applyPostprocessing(pred, [6, 6], r.steps)], [...truth]);
  // One label: the all-foreground step removes the stray voxel and is kept; no per-label step follows.
  const one = learnPostprocessing([{ name: 'a', pred: pred.map((v) => (v === 2 ? 0 : v)), truth: truth.map((v) => (v === 2 ? 0 : v)), shape: [6, 6] }], [1]);
  assert.deepEqual(one.steps, [{ kind: 'largest-component', labels: [1] }]);
});

test('largest component: full connectivity by default (diagonal neighbours join); ties keep every largest component', () => {
  const diag = grid([[0, 0, 1], [1, 1, 1], [3, 3, 1]]);
  assert.deepEqual([...keepLargestOf(diag, [6, 6], [1])].filter((v) => v).length, 2); // (0,0)-(1,1) joined diagonally
  assert.deepEqual([...keepLargestOf(diag, [6, 6], [1], 'face')].filter((v) => v).length, 3); // three singletons tie: all kept
});

test('ensembling averages probabilities; find-best picks the ensemble when it beats both members', () => {
  // One case, 1×4, truth [1, 1, 0, 0]; foreground probabilities per candidate (background = 1 − p).
  const map = (fg: number[]): ProbabilityMap => ({ data: Float32Array.from(fg.flatMap((p) => [1 - p, p])), shape: [1, 4], classes: 2 });
  const a = map([0.9, 0.4, 0.2, 0.6]), b = map([0.4, 0.9, 0.6, 0.2]);
  assert.deepEqual([...averageProbabilities([a, b]).data].map((v) => +v.toFixed(4)), [0.35, 0.65, 0.35, 0.65, 0.6, 0.4, 0.6, 0.4]);
  const truths = new Map([['c', { labels: [1, 1, 0, 0], shape: [1, 4] }]]);
  const r = findBest([{ name: 'A', probabilities: new Map([['c', a]]) }, { name: 'B', probabilities: new Map([['c', b]]) }], truths, [1]);
  assert.deepEqual(r.ranking.map((x) => [x.name, x.foregroundMean]), [['ensemble(A, B)', 1], ['A', 0.5], ['B', 0.5]]);
  assert.deepEqual(r.best, { name: 'ensemble(A, B)', members: ['A', 'B'] });
  assert.equal(findBest([{ name: 'A', probabilities: new Map([['c', a]]) }, { name: 'B', probabilities: new Map([['c', b]]) }], truths, [1], { ensembles: false }).ranking.length, 2);
  assert.throws(() => findBest([{ name: 'A', probabilities: new Map() }], truths, [1]), /candidate 'A' has no probabilities for case c/);
  assert.throws(() => averageProbabilities([a, { ...map([0.5, 0.5]), shape: [1, 2] }]), /one grid and one set of classes/);
});
