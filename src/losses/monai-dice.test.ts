/**
 * Dice loss options by their MONAI names, against Project-MONAI/MONAI tests/losses/test_dice_loss.py TEST_CASES
 * (inputs transposed from MONAI's channels-first to channels-last; class-index targets stand for `to_onehot_y=True`).
 * Every loss runs inside tidy and leaves no tensor behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, type Tensor } from '../core/tf.js';
import { assertClose, assertNoLeak } from '../core/testing.js';
import { diceLoss } from './dice.js';
import type { LossInputs, LossOptions } from './types.js';

function loss(inputs: LossInputs, options: LossOptions): number {
  const l = assertNoLeak(() => diceLoss(inputs, options));
  const v = l.dataSync()[0];
  l.dispose();
  return v;
}

function withTensors(logits: number[], lshape: number[], target: number[], tshape: number[], fn: (i: LossInputs) => void): void {
  const i = { logits: tf.tensor(logits, lshape), target: tf.tensor(target, tshape) };
  try { fn(i); } finally { i.logits.dispose(); i.target.dispose(); }
}

test('MONAI DiceLoss, one sigmoid channel: smooth_nr/smooth_dr, batch False vs True, squared_pred, jaccard, other_act', () => {
  // (1, 1, 2, 2) input [[1, −1], [−1, 1]], target [[1, 0], [1, 1]].
  withTensors([1, -1, -1, 1], [1, 2, 2, 1], [1, 0, 1, 1], [1, 2, 2], (i) => {
    assertClose([loss(i, { activation: 'sigmoid', smoothNr: 1e-6, smoothDr: 1e-6 })], [0.307576], 1e-5, 0, 'TEST_CASE 0');
    assertClose([loss(i, { squaredPred: true, smoothNr: 1e-5, smoothDr: 1e-5 })], [0.178337], 1e-5, 0, 'squared_pred');
    assertClose([loss(i, { jaccard: true, smoothNr: 1e-5, smoothDr: 1e-5 })], [0.470451], 1e-5, 0, 'jaccard');
  });
  // (2, 1, 2, 2): both inputs [[1, −1], [−1, 1]], targets all ones and [[1, 0], [1, 0]]; batch=False (MONAI's default).
  withTensors([1, -1, -1, 1, 1, -1, -1, 1], [2, 2, 2, 1], [1, 1, 1, 1, 1, 0, 1, 0], [2, 2, 2], (i) => {
    const o = { smoothNr: 1e-4, smoothDr: 1e-4, batch: false };
    assertClose([loss(i, o)], [0.416657], 1e-5, 0, 'TEST_CASE 1 per sample');
    assert.ok(Math.abs(loss(i, { ...o, batch: true }) - 0.416657) > 1e-3, 'batch sums give another value');
    assertClose([loss(i, { ...o, activation: tf.tanh })], [0.999963], 1e-5, 0, 'other_act tanh');
  });
  // (2, 1, 2, 2) inputs [[1, −0], [−1, 1]] and [[1, −1], [−1, 1]], tanh: batch True 0.774718 (nr 1e-4) and 0.774733
  // (nr 0), batch False 0.840058.
  withTensors([1, -0, -1, 1, 1, -1, -1, 1], [2, 2, 2, 1], [1, 1, 1, 1, 1, 0, 1, 0], [2, 2, 2], (i) => {
    assertClose([loss(i, { activation: tf.tanh, smoothNr: 1e-4, smoothDr: 1e-4, batch: true })], [0.774718], 1e-5, 0, 'tanh batch');
    assertClose([loss(i, { activation: tf.tanh, smoothNr: 0, smoothDr: 1e-4, batch: true })], [0.774733], 1e-5, 0, 'tanh nr 0 batch');
    assertClose([loss(i, { activation: tf.tanh, smoothNr: 0, smoothDr: 1e-4, batch: false })], [0.840058], 1e-5, 0, 'tanh nr 0 per sample');
  });
});

test('MONAI DiceLoss, two channels with to_onehot_y: softmax, sigmoid, sum reduction, log_softmax other_act, multi-label', () => {
  // (2, 2, 3) channels-first [[[−1, 0, 1], [1, 0, −1]], zeros] → channels-last [2, 3, 2]; target [[1, 0, 0], [1, 1, 0]].
  const logits = [-1, 1, 0, 0, 1, -1, 0, 0, 0, 0, 0, 0];
  const target = [1, 0, 0, 1, 1, 0];
  const base = { includeBackground: true, batch: false, smoothNr: 1e-4, smoothDr: 1e-4 };
  withTensors(logits, [2, 3, 2], target, [2, 3], (i) => {
    assertClose([loss(i, { ...base, activation: 'softmax' })], [0.383713], 1e-5, 0, 'softmax');
    assertClose([loss(i, { ...base, activation: 'softmax', reduction: 'sum' })], [1.534853], 1e-5, 0, 'softmax, sum');
    assertClose([loss(i, { ...base, activation: 'sigmoid' })], [0.43505], 1e-5, 0, 'sigmoid per channel, one-hot target');
    const logSoftmax = (x: Tensor) => tf.logSoftmax(x);
    assertClose([loss(i, { ...base, activation: logSoftmax })], [-8.522593], 1e-5, 0, 'other_act log_softmax');
    // Default (unet-ts): background left out → a different value.
    assert.ok(Math.abs(loss(i, { batch: false, smoothNr: 1e-4, smoothDr: 1e-4 }) - 0.383713) > 1e-3);
  });
  // Multi-label: the same one-hot target as a multi-hot [2, 3, 2] target, sigmoid per channel → the same 0.435050.
  const multiHot = target.flatMap((c) => [c === 0 ? 1 : 0, c === 1 ? 1 : 0]);
  withTensors(logits, [2, 3, 2], multiHot, [2, 3, 2], (i) => {
    assertClose([loss(i, { mode: 'multilabel', batch: false, smoothNr: 1e-4, smoothDr: 1e-4 })], [0.43505], 1e-5, 0, 'multilabel');
  });
  // Overlapping labels are allowed in multi-label: both channels on at one voxel.
  withTensors(logits, [2, 3, 2], [1, 1, 0, 0, 0, 1, 1, 0, 0, 1, 0, 0], [2, 3, 2], (i) => {
    assert.ok(Number.isFinite(loss(i, { mode: 'multilabel' })));
    const flat = tf.zeros([2, 3]);
    assert.throws(() => diceLoss({ logits: i.logits, target: flat }, { mode: 'multilabel' }), /mode 'multilabel' needs a target of the logits' shape \[2,3,2\]/);
    flat.dispose();
    assert.throws(() => diceLoss(i, { mode: 'multilabel', reduction: 'none' as never }), /reduction 'none' must be 'mean' or 'sum'/);
  });
});
