/**
 * Two objects in a 5×20 image: object 1 = columns 0..3, object 2 = columns 10..13 (all rows); 40 of 100 pixels are
 * foreground, so w_c(bg) = 100/(2·60) = 5/6 and w_c(fg) = 100/(2·40) = 5/4.
 * Gap column c ∈ 4..9: d1 + d2 = (c − 3) + (10 − c) = 7 → w = 5/6 + 10·exp(−49/50) = 4.58645 (the peak, flat across the gap).
 * Column c ≥ 14: d1 = c − 13, d2 = c − 3 → d1 + d2 = 2c − 16: c = 14 → 12 → 5/6 + 10·exp(−144/50) = 1.39447;
 * c = 16 → 16 → 5/6 + 10·exp(−256/50) = .89309; c = 19 → 22 → 5/6 + 10·exp(−484/50) ≈ .83396 (decays to w_c).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClose } from '../core/testing.js';
import { boundaryWeightMap } from './weight-map.js';

const H = 5, W = 20;
const labels = new Int32Array(H * W);
for (let r = 0; r < H; r++) for (let c = 0; c < W; c++) labels[r * W + c] = c <= 3 ? 1 : c >= 10 && c <= 13 ? 2 : 0;

test('boundary weight map peaks in the gap between two objects and decays away from it (hand values)', () => {
  const w = boundaryWeightMap(labels, [H, W]);
  const at = (r: number, c: number) => w[r * W + c];
  const wb = 5 / 6;
  const border = (s: number) => wb + 10 * Math.exp(-(s * s) / 50);
  assertClose([at(2, 4), at(0, 6), at(4, 9)], [border(7), border(7), border(7)], 1e-6, 0, 'gap');
  assertClose([at(2, 14), at(2, 16), at(2, 19)], [border(12), border(16), border(22)], 1e-6, 0, 'right of object 2');
  assertClose([at(2, 0), at(3, 12)], [5 / 4, 5 / 4], 1e-6, 0, 'objects get w_c(fg)');
  assert.ok(at(2, 6) > at(2, 14) && at(2, 14) > at(2, 16) && at(2, 16) > at(2, 19));
  // Custom w0, σ: gap = 5/6 + 4·exp(−49/(2·9)).
  assertClose([boundaryWeightMap(labels, [H, W], { w0: 4, sigma: 3 })[2 * W + 5]], [wb + 4 * Math.exp(-49 / 18)], 1e-6, 0, 'w0 4, σ 3');
});

test('one object: no border term; both objects as one label: no border term either', () => {
  const one = labels.map((l) => (l === 2 ? 0 : l));
  const w = boundaryWeightMap(one, [H, W]);
  // 20 fg, 80 bg: w_c(bg) = 100/160, w_c(fg) = 100/40.
  assertClose([w[2 * W + 6], w[2 * W + 19], w[0]], [100 / 160, 100 / 160, 2.5], 1e-6, 0, 'single object');
  const merged = boundaryWeightMap(labels.map((l) => (l ? 1 : 0)), [H, W]);
  assertClose([merged[2 * W + 6]], [5 / 6], 1e-6, 0, 'one label id');
  assert.throws(() => boundaryWeightMap([0, 1.5], [1, 2]), /label 1.5 at index 1 must be a non-negative integer/);
});
