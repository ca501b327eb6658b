import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scheduledLr } from './schedule.js';
import { tf } from '../core/tf.js';
import { assertClose } from '../core/testing.js';
import { Sgd } from './sgd.js';

test('schedules: constant, step, cosine and poly at hand-computed points', () => {
  assert.equal(scheduledLr(0.1, 50, 100), 0.1);
  assert.ok(Math.abs(scheduledLr(1, 25, 100, { name: 'step', stepSize: 20, gamma: 0.5 }) - 0.5) < 1e-12);
  assert.ok(Math.abs(scheduledLr(1, 50, 100, { name: 'cosine' }) - 0.5) < 1e-12);
  assert.ok(Math.abs(scheduledLr(1, 100, 100, { name: 'cosine', minFraction: 0.1 }) - 0.1) < 1e-12);
  assert.ok(Math.abs(scheduledLr(1, 50, 100, { name: 'poly', power: 2 }) - 0.25) < 1e-12);
  assert.throws(() => scheduledLr(1, 0, 10, { name: 'cosin' as never }), /did you mean 'cosine'/);
});

test('schedules by the fraction of a time budget spent: poly and step follow it, not it/total', () => {
  // A minutes budget: 10 of 1e9 iterations done but 3/4 of the time spent.
  assert.ok(Math.abs(scheduledLr(1, 10, 1e9, { name: 'poly', power: 1 }, 0.75) - 0.25) < 1e-12);
  assert.ok(Math.abs(scheduledLr(1, 10, 1e9, { name: 'cosine' }, 0.5) - 0.5) < 1e-12);
  assert.ok(Math.abs(scheduledLr(1, 10, 1e9, { name: 'step', gamma: 0.5 }, 0.7) - 0.25) < 1e-12); // 2 drops (thirds)
  assert.equal(scheduledLr(1, 10, 1e9, { name: 'poly' }, 1.5), 0); // clamped at the end of the budget
});

test('SGD with Nesterov momentum: two steps by hand', () => {
  const p = tf.variable(tf.tensor1d([1, 2]));
  const opt = new Sgd({ lr: 0.1, momentum: 0.9, nesterov: true });
  opt.step([p], [tf.tensor1d([1, -1])]); // b = g; step = g + 0.9·b = 1.9·g
  assertClose(p.dataSync(), [1 - 0.19, 2 + 0.19], 1e-6, 1e-7);
  opt.step([p], [tf.tensor1d([1, 1])]); // b = 0.9·[1,−1] + [1,1] = [1.9, 0.1]; step = g + 0.9·b = [2.71, 1.09]
  assertClose(p.dataSync(), [0.81 - 0.271, 2.19 - 0.109], 1e-6, 1e-7);
});
