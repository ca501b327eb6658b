/** Post-processing on hand-made arrays: argmax and threshold, connected components (face / full), largest component. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectedComponents, keepLargestComponent, postprocess, probabilitiesToLabels } from './postprocess.js';

test('argmax (first class on ties) and the K = 1 threshold (strictly above, default 0.5)', () => {
  const p3 = { data: Float32Array.from([0.2, 0.5, 0.3, 0.4, 0.4, 0.2, 0.1, 0.1, 0.8]), shape: [3], classes: 3 };
  assert.deepEqual([...probabilitiesToLabels(p3)], [1, 0, 2]);
  const p1 = { data: Float32Array.from([0.5, 0.51, 0.2, 0.35]), shape: [2, 2], classes: 1 };
  assert.deepEqual([...probabilitiesToLabels(p1)], [0, 1, 0, 0]);
  assert.deepEqual([...probabilitiesToLabels(p1, 0.3)], [1, 1, 0, 1]);
});

test('connected components in 2-D: diagonal neighbours join with full (8) connectivity, not with face (4)', () => {
  const mask = [
    1, 1, 0, 0, 0,
    1, 0, 0, 1, 0,
    0, 0, 1, 0, 0,
    0, 0, 0, 1, 0,
  ];
  const face = connectedComponents(mask, [4, 5]);
  assert.deepEqual(face.sizes, [3, 1, 1, 1]);
  assert.deepEqual([...face.labels], [1, 1, 0, 0, 0, 1, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0, 0, 4, 0]);
  const full = connectedComponents(mask, [4, 5], 'full');
  assert.deepEqual(full.sizes, [3, 3]);
  assert.deepEqual([...full.labels], [1, 1, 0, 0, 0, 1, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 0, 0, 2, 0]);
  assert.throws(() => connectedComponents([1, 0], [2, 2]), /mask length 2 must equal the shape's size 4 \(\[2,2\]\)/);
  assert.throws(() => connectedComponents([1, 0, 0, 0], [2, 2], 'diagonal' as never), /connectivity/);
});

test('connected components in 3-D: face (6) vs full (26) neighbours, corner and edge contacts', () => {
  const at = (d: number, h: number, w: number) => (d * 3 + h) * 3 + w; // [3, 3, 3]
  const mask = new Uint8Array(27);
  mask[at(0, 0, 0)] = 1; mask[at(1, 1, 1)] = 1; // corner contact
  mask[at(2, 2, 2)] = 1; mask[at(2, 1, 2)] = 1; // face contact with each other, corner contact with (1, 1, 1)
  mask[at(0, 2, 0)] = 1; // corner contact with (1, 1, 1)
  assert.deepEqual(connectedComponents(mask, [3, 3, 3]).sizes, [1, 1, 1, 2]);
  assert.deepEqual(connectedComponents(mask, [3, 3, 3], 'full').sizes, [5]);
  const edge = new Uint8Array(27);
  edge[at(0, 0, 0)] = 1; edge[at(0, 1, 1)] = 1; // edge contact (two coordinates differ)
  assert.deepEqual(connectedComponents(edge, [3, 3, 3]).sizes, [1, 1]);
  assert.deepEqual(connectedComponents(edge, [3, 3, 3], 'full').sizes, [2]);
});

test('keep the largest component of each class (first on ties); others become background', () => {
  const labels = [
    1, 1, 0, 2, 0, 1,
    1, 0, 0, 2, 0, 0,
    0, 0, 2, 0, 0, 2,
    0, 0, 2, 0, 1, 2,
  ];
  // class 1: {0, 1, 6} (3) kept, {5} and {22} dropped; class 2: {3, 9} (2, first) and {14, 20} (2) and {17, 23} (2)
  assert.deepEqual([...keepLargestComponent(labels, [4, 6])], [
    1, 1, 0, 2, 0, 0,
    1, 0, 0, 2, 0, 0,
    0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0,
  ]);
  // with full connectivity (9, 14) touch diagonally: class 2's {3, 9, 14, 20} (4) is kept
  assert.deepEqual([...keepLargestComponent(labels, [4, 6], 'full')], [
    1, 1, 0, 2, 0, 0,
    1, 0, 0, 2, 0, 0,
    0, 0, 2, 0, 0, 0,
    0, 0, 2, 0, 0, 0,
  ]);
  assert.deepEqual([...labels].slice(0, 6), [1, 1, 0, 2, 0, 1], 'input untouched');
});

test('postprocess: threshold then largest component', () => {
  const p = { data: Float32Array.from([0.9, 0.8, 0.1, 0.7, 0.2, 0.1, 0.1, 0.2, 0.6]), shape: [3, 3], classes: 1 };
  assert.deepEqual([...postprocess(p)], [1, 1, 0, 1, 0, 0, 0, 0, 1]);
  assert.deepEqual([...postprocess(p, { largestComponent: true })], [1, 1, 0, 1, 0, 0, 0, 0, 0]);
  assert.deepEqual([...postprocess(p, { largestComponent: true, threshold: 0.75 })], [1, 1, 0, 0, 0, 0, 0, 0, 0]);
});
