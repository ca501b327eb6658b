import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, type Tensor } from '../core/tf.js';
import { Rng } from '../core/rng.js';
import { assertClose, assertNoLeak, numericalGradient, testBackends } from '../core/testing.js';
import { convTranspose, convTransposeSize } from './ops/conv-transpose.js';
import { convTransposeTiled } from './ops/upconv.js';
import { ConvTranspose } from './conv.js';

/**
 * PyTorch's definition, by brute force over channels-last arrays: every input voxel i scatters x[i, ci]·W[κ, co, ci]
 * onto output voxel o = i·s − p + κ (dropped outside [0, out)). The same loop gives the gradients of
 * L = Σ y·r: dx[i, ci] = Σ r[o, co]·W[κ, co, ci] and dW[κ, co, ci] = Σ x[i, ci]·r[o, co].
 */
function reference(x: Tensor, w: Tensor, r: Tensor | undefined, s: number, p: number, op: number) {
  const dims = x.rank - 2;
  const [b, ...rest] = x.shape;
  const sIn = rest.slice(0, -1), cin = rest[rest.length - 1];
  const k = w.shape[0], cout = w.shape[dims];
  const sOut = sIn.map((n) => (n - 1) * s - 2 * p + k + op);
  const xv = x.dataSync(), wv = w.dataSync(), rv = r?.dataSync();
  const outSize = sOut.reduce((a, c) => a * c, 1), inSize = sIn.reduce((a, c) => a * c, 1), kSize = k ** dims;
  const y = new Float32Array(b * outSize * cout), dx = new Float32Array(xv.length), dw = new Float32Array(wv.length);
  const unravel = (flat: number, shape: number[]) => shape.map((_, a) => Math.floor(flat / shape.slice(a + 1).reduce((u, c) => u * c, 1)) % shape[a]);
  const ravel = (idx: number[], shape: number[]) => idx.reduce((acc, v, a) => acc * shape[a] + v, 0);
  for (let n = 0; n < b; n++) {
    for (let i = 0; i < inSize; i++) {
      const ii = unravel(i, sIn);
      for (let kk = 0; kk < kSize; kk++) {
        const kx = unravel(kk, Array<number>(dims).fill(k));
        const oo = ii.map((v, a) => v * s - p + kx[a]);
        if (oo.some((v, a) => v < 0 || v >= sOut[a])) continue;
        const o = ravel(oo, sOut);
        for (let co = 0; co < cout; co++) {
          for (let ci = 0; ci < cin; ci++) {
            const xi = (n * inSize + i) * cin + ci, wi = (kk * cout + co) * cin + ci, yi = (n * outSize + o) * cout + co;
            y[yi] += xv[xi] * wv[wi];
            if (rv) {
              dx[xi] += rv[yi] * wv[wi];
              dw[wi] += xv[xi] * rv[yi];
            }
          }
        }
      }
    }
  }
  return { y, dx, dw, shape: [b, ...sOut, cout] };
}

const randn = (rng: Rng, shape: number[]) => tf.tensor(Float32Array.from({ length: shape.reduce((a, c) => a * c, 1) }, () => rng.normal()), shape);

// [label, x shape, kernel, cout, stride, padding, output_padding]
const CASES: [string, number[], number, number, number, number, number][] = [
  ['2-D k3 s2 p1 op1 (MONAI UpConv)', [2, 3, 5, 3], 3, 4, 2, 1, 1],
  ['2-D k3 s1 p1 (a stride-1 level)', [1, 4, 3, 2], 3, 3, 1, 1, 0],
  ['2-D k5 s3 p2 op2', [2, 2, 3, 2], 5, 2, 3, 2, 2],
  ['2-D k2 s2 p0 (tiles)', [1, 3, 2, 5], 2, 3, 2, 0, 0],
  ['2-D k4 s2 p1 op0 (overlapping, even kernel)', [1, 3, 4, 2], 4, 2, 2, 1, 0],
  ['3-D k3 s2 p1 op1 (MONAI UpConv)', [2, 2, 3, 4, 3], 3, 2, 2, 1, 1],
  ['3-D k3 s1 p1', [1, 3, 2, 3, 2], 3, 3, 1, 1, 0],
  ['3-D k2 s3 p1 op2', [1, 2, 2, 3, 2], 2, 2, 3, 1, 2],
];

for (const backend of await testBackends()) {
  test(`[${backend}] convTranspose equals PyTorch's conv_transpose2d / 3d on integer anchors`, async () => {
    await tf.setBackend(backend);
    // torch.nn.functional.conv_transpose2d(torch.arange(1., 5.).reshape(1,1,2,2),
    //   torch.tensor([[1.,2.,3.],[4.,5.,6.],[7.,8.,9.]]).reshape(1,1,3,3), stride=2, padding=1, output_padding=1)
    const [x2, w2] = [tf.tensor([1, 2, 3, 4], [1, 2, 2, 1]), tf.tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [3, 3, 1, 1])];
    const y2 = assertNoLeak(() => convTranspose(x2, w2, { stride: 2, padding: 1, outputPadding: 1 }));
    assert.deepEqual(y2.shape, [1, 4, 4, 1]);
    assert.deepEqual(Array.from(y2.dataSync()), [5, 14, 10, 12, 14, 36, 24, 30, 15, 34, 20, 24, 24, 55, 32, 36]);
    // conv_transpose3d(torch.arange(1., 9.).reshape(1,1,2,2,2), torch.arange(1., 9.).reshape(1,1,2,2,2),
    //   stride=2, padding=1, output_padding=1)
    const [x3, w3] = [tf.tensor(Array.from({ length: 8 }, (_, i) => i + 1), [1, 2, 2, 2, 1]), tf.tensor(Array.from({ length: 8 }, (_, i) => i + 1), [2, 2, 2, 1, 1])];
    const y3 = assertNoLeak(() => convTranspose(x3, w3, { stride: 2, padding: 1, outputPadding: 1 }));
    assert.deepEqual(y3.shape, [1, 3, 3, 3, 1]);
    assert.deepEqual(Array.from(y3.dataSync()), [8, 14, 16, 18, 20, 24, 24, 28, 32, 20, 18, 24, 14, 8, 16, 28, 24, 32, 40, 42, 48, 42, 40, 48, 56, 56, 64]);
    tf.dispose([x2, w2, y2, x3, w3, y3]);
  });

  for (const [label, shape, k, cout, s, p, op] of CASES) {
    test(`[${backend}] ${label}: value, dx and dW equal the brute-force definition; no leaks`, async () => {
      await tf.setBackend(backend);
      const rng = new Rng(k * 100 + s * 10 + p);
      const dims = shape.length - 2;
      const x = randn(rng, shape);
      const w = randn(rng, [...Array<number>(dims).fill(k), cout, shape[shape.length - 1]]);
      const want = reference(x, w, undefined, s, p, op);
      const r = randn(rng, want.shape);
      const ref = reference(x, w, r, s, p, op);
      const y = assertNoLeak(() => convTranspose(x, w, { stride: s, padding: p, outputPadding: op }));
      assert.deepEqual(y.shape, ref.shape);
      assert.deepEqual(ref.shape.slice(1, -1), shape.slice(1, -1).map((n) => convTransposeSize(n, k, s, p, op)));
      assertClose(y.dataSync(), ref.y, 1e-5, 1e-5, 'y');
      const geometry = { stride: s, padding: p, outputPadding: op };
      const [gx, gw] = assertNoLeak(() => tf.grads((a: Tensor, b: Tensor) => tf.sum(tf.mul(convTranspose(a, b, geometry), r)))([x, w]));
      assertClose(gx.dataSync(), ref.dx, 1e-5, 1e-5, 'dx');
      assertClose(gw.dataSync(), ref.dw, 1e-5, 1e-5, 'dW');
      tf.dispose([gx, gw]);
      tf.dispose([x, w, r, y]);
    });
  }

  test(`[${backend}] kernel = stride: the general path equals the tiled matrix-product path, values and gradients`, async () => {
    await tf.setBackend(backend);
    const rng = new Rng(7);
    for (const shape of [[2, 3, 4, 3], [1, 2, 3, 2, 3]]) {
      const dims = shape.length - 2;
      const x = randn(rng, shape), w = randn(rng, [...Array<number>(dims).fill(2), 5, 3]), r = randn(rng, [shape[0], ...shape.slice(1, -1).map((n) => 2 * n), 5]);
      const loss = (f: (a: Tensor, b: Tensor) => Tensor) => tf.grads((a: Tensor, b: Tensor) => tf.sum(tf.mul(f(a, b), r)))([x, w]);
      const [gx1, gw1] = loss((a, b) => convTranspose(a, b, { stride: 2 }));
      const [gx2, gw2] = loss((a, b) => convTransposeTiled(a, b));
      assertClose(convTranspose(x, w).dataSync(), convTransposeTiled(x, w).dataSync(), 1e-5, 1e-5, `${dims}-D y`);
      assertClose(gx1.dataSync(), gx2.dataSync(), 1e-5, 1e-5, `${dims}-D dx`);
      assertClose(gw1.dataSync(), gw2.dataSync(), 1e-5, 1e-5, `${dims}-D dW`);
      tf.dispose([x, w, r, gx1, gw1, gx2, gw2]);
    }
  });
}

test('convTranspose gradients match central finite differences (2-D and 3-D, cpu)', async () => {
  await tf.setBackend('cpu');
  const rng = new Rng(3);
  for (const [shape, k, s, p, op] of [[[1, 2, 3, 2], 3, 2, 1, 1], [[1, 2, 2, 2, 1], 3, 2, 1, 1]] as [number[], number, number, number, number][]) {
    const dims = shape.length - 2;
    const x = randn(rng, shape), w = randn(rng, [...Array<number>(dims).fill(k), 2, shape[shape.length - 1]]);
    const outShape = [1, ...shape.slice(1, -1).map((n) => convTransposeSize(n, k, s, p, op)), 2];
    const r = randn(rng, outShape);
    const geometry = { stride: s, padding: p, outputPadding: op };
    const [gx, gw] = tf.grads((a: Tensor, b: Tensor) => tf.sum(tf.mul(convTranspose(a, b, geometry), r)))([x, w]);
    // L is linear in x (and in W), so the central difference is exact up to float32 round-off.
    assertClose(gx.dataSync(), numericalGradient((a) => tf.sum(tf.mul(convTranspose(a, w, geometry), r)), x), 1e-3, 1e-3, `${dims}-D dx`);
    assertClose(gw.dataSync(), numericalGradient((b) => tf.sum(tf.mul(convTranspose(x, b, geometry), r)), w), 1e-3, 1e-3, `${dims}-D dW`);
    tf.dispose([x, w, r, gx, gw]);
  }
});

test('ConvTranspose module: PyTorch geometry, defaults unchanged (kernel = stride), errors name the rule', async () => {
  await tf.setBackend('cpu');
  const rng = new Rng(0);
  const up = new ConvTranspose(2, 3, 2, 2, true, rng);
  assert.ok(up.tiled);
  assert.deepEqual([up.stride, up.padding, up.outputPadding], [2, 0, 0]);
  const monai = new ConvTranspose(3, 4, 2, 3, true, rng, { stride: 2, padding: 1, outputPadding: 1 });
  assert.ok(!monai.tiled);
  assert.deepEqual(monai.weight.shape, [3, 3, 3, 2, 4], 'weight [k…, Cout, Cin]');
  assert.equal(monai.outputSize(5), 10);
  const ones = tf.ones([1, 2, 3, 4, 4]);
  const y = assertNoLeak(() => monai.apply(ones));
  assert.deepEqual(y.shape, [1, 4, 6, 8, 2]);
  // the bias alone reaches rows no input voxel scatters onto: none here, but every value is finite
  assert.ok(Number.isFinite(tf.sum(y).dataSync()[0]));
  tf.dispose([ones, y]);
  assert.throws(() => new ConvTranspose(2, 1, 1, 3, true, rng, { stride: 2, outputPadding: 2 }), /output_padding must be an integer in \[0, stride − 1\] = \[0, 1\], got 2/);
  assert.throws(() => new ConvTranspose(2, 1, 1, 3, true, rng, { stride: 2, padding: 3 }), /padding must be at most kernel − 1 = 2, got 3/);
  assert.throws(() => convTransposeSize(1, 1, 1, 0, 0) && convTransposeSize(0, 1, 1, 0, 0), /input size 0 gives output size 0/);
  assert.throws(() => convTranspose(tf.zeros([1, 2, 2, 3]), tf.zeros([3, 3, 2, 2])), /input has 3 channels, the filter expects 2/);
  up.dispose(); monai.dispose();
});
