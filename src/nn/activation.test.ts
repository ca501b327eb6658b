import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, type Tensor } from '../core/tf.js';
import { Rng } from '../core/rng.js';
import { assertClose, assertNoLeak, numericalGradient, testBackends } from '../core/testing.js';
import { PReLU, prelu } from './activation.js';
import { Dropout } from './dropout.js';

const grads = (x: Tensor, a: Tensor, r: Tensor) => tf.grads((xx: Tensor, aa: Tensor) => tf.sum(tf.mul(prelu(xx, aa), r)))([x, a]);

for (const backend of await testBackends()) {
  test(`[${backend}] prelu equals PyTorch's F.prelu: values and both gradients, x = 0 included, shared and per-channel slopes`, async () => {
    await tf.setBackend(backend);
    // x = torch.tensor([-2., -0.5, 0., 0.5, 2.]); a = torch.tensor([0.25]); y = F.prelu(x, a)
    // (y * torch.arange(1., 6.)).sum().backward()
    const [x, a, r] = [tf.tensor([-2, -0.5, 0, 0.5, 2], [1, 5, 1]), tf.tensor([0.25]), tf.tensor([1, 2, 3, 4, 5], [1, 5, 1])];
    assert.deepEqual(Array.from(assertNoLeak(() => prelu(x, a)).dataSync()), [-0.5, -0.125, 0, 0.5, 2]);
    const [dx, da] = assertNoLeak(() => grads(x, a, r));
    assert.deepEqual(Array.from(dx.dataSync()), [0.25, 0.5, 0.75, 4, 5], 'dx: the slope a at x = 0, as PyTorch');
    assert.deepEqual(Array.from(da.dataSync()), [-3]);
    assert.deepEqual(da.shape, [1]);
    // two channels (channels-last: the last axis is PyTorch's dim 1 here): x [[-1, 2], [3, -4]], a [0.5, 0.1],
    // r [[1, 2], [3, 4]] → y [[-0.5, 2], [3, -0.4]], dx [[0.5, 2], [3, 0.4]], da [-1, -16]
    const [x2, a2, r2] = [tf.tensor([[-1, 2], [3, -4]]), tf.tensor([0.5, 0.1]), tf.tensor([[1, 2], [3, 4]])];
    assertClose(prelu(x2, a2).dataSync(), [-0.5, 2, 3, -0.4], 0, 1e-7, 'y per channel');
    const [dx2, da2] = grads(x2, a2, r2);
    assertClose(dx2.dataSync(), [0.5, 2, 3, 0.4], 0, 1e-7, 'dx per channel');
    assertClose(da2.dataSync(), [-1, -16], 0, 1e-6, 'da per channel');
    tf.dispose([x, a, r, dx, da, x2, a2, r2, dx2, da2]);
  });

  test(`[${backend}] prelu on a 5-D volume: brute-force values and gradients; PReLU module layout`, async () => {
    await tf.setBackend(backend);
    const rng = new Rng(4);
    const shape = [2, 3, 2, 4, 3];
    const n = shape.reduce((p, q) => p * q, 1);
    const xv = Float32Array.from({ length: n }, () => rng.normal()), rv = Float32Array.from({ length: n }, () => rng.normal());
    for (const slope of [[0.3], [0.1, -0.2, 0.7]]) {
      const [x, r, a] = [tf.tensor(xv, shape), tf.tensor(rv, shape), tf.tensor(slope)];
      const at = (i: number) => slope[slope.length === 1 ? 0 : i % 3];
      const want = xv.map((v, i) => (v > 0 ? v : at(i) * v));
      const wantDx = xv.map((v, i) => rv[i] * (v > 0 ? 1 : at(i)));
      const wantDa = slope.map((_, c) => xv.reduce((s, v, i) => (slope.length === 1 || i % 3 === c ? s + rv[i] * Math.min(v, 0) : s), 0));
      assertClose(prelu(x, a).dataSync(), want, 0, 1e-6, 'y');
      const [dx, da] = grads(x, a, r);
      assertClose(dx.dataSync(), wantDx, 0, 1e-6, 'dx');
      assertClose(da.dataSync(), wantDa, 1e-5, 1e-5, 'da');
      tf.dispose([x, r, a, dx, da]);
    }
    const m = new PReLU();
    assert.deepEqual(m.namedParameters().map(([name, v]) => [name, v.shape, Array.from(v.dataSync())]), [['weight', [1], [0.25]]], 'nn.PReLU(): weight [1] = 0.25');
    assert.deepEqual(new PReLU(3).weight.shape, [3]);
    assert.throws(() => prelu(tf.zeros([2, 4]), tf.zeros([3])), /slope must have shape \[1\] or \[4\]/);
    assert.throws(() => new PReLU(0), /numParameters must be an integer ≥ 1/);
    m.dispose();
  });

  test(`[${backend}] Dropout: identity in eval and at p = 0; in training zeros ≈ p, keeps scaled by 1/(1 − p), seeded, gradient = mask`, async () => {
    await tf.setBackend(backend);
    const x = tf.ones([4, 64, 64, 2]);
    const d = new Dropout(0.25, new Rng(9));
    d.eval();
    assert.equal(d.apply(x), x, 'eval: the input itself');
    assert.equal(new Dropout(0, new Rng(1)).apply(x), x, 'p = 0: the input itself');
    d.train();
    const y = assertNoLeak(() => d.apply(x));
    const v = y.dataSync();
    const zeros = v.filter((e) => e === 0).length / v.length;
    assert.ok(Math.abs(zeros - 0.25) < 0.01, `zeroed fraction ${zeros}`);
    assert.ok(v.every((e) => e === 0 || Math.abs(e - 1 / 0.75) < 1e-6), 'kept elements are scaled by 1/(1 − p)');
    const again = new Dropout(0.25, new Rng(9)).apply(x);
    assert.deepEqual(Array.from(again.dataSync()), Array.from(v), 'the same seed gives the same masks');
    assert.notDeepEqual(Array.from(d.apply(x).dataSync()), Array.from(v), 'the next call draws a new mask');
    const g = tf.grad((a: Tensor) => tf.sum(new Dropout(0.25, new Rng(9)).apply(a)))(x);
    assert.deepEqual(Array.from(g.dataSync()), Array.from(v), 'd/dx of Σ dropout(x) is the scaled mask');
    assert.throws(() => new Dropout(1, new Rng(0)), /p must be a number in \[0, 1\), got 1/);
    tf.dispose([x, y, again, g]);
  });
}

test('prelu gradients match central finite differences (cpu)', async () => {
  await tf.setBackend('cpu');
  const rng = new Rng(2);
  // away from the kink: |x| ≥ 0.1 > h
  const x = tf.tensor(Float32Array.from({ length: 24 }, () => { const v = rng.normal(); return Math.sign(v) * (0.1 + Math.abs(v)); }), [2, 3, 4]);
  const r = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 3);
  for (const a of [tf.tensor([0.3]), tf.tensor([0.2, -0.1, 0.5, 0.9])]) {
    const [dx, da] = grads(x, a, r);
    assertClose(dx.dataSync(), numericalGradient((xx) => tf.sum(tf.mul(prelu(xx, a), r)), x, 1e-2), 1e-3, 1e-3, 'dx');
    assertClose(da.dataSync(), numericalGradient((aa) => tf.sum(tf.mul(prelu(x, aa), r)), a, 1e-2), 1e-3, 1e-3, 'da');
    tf.dispose([a, dx, da]);
  }
  tf.dispose([x, r]);
});
