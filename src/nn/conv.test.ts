import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, type Tensor } from '../core/tf.js';
import { Rng } from '../core/rng.js';
import { assertClose, assertNoLeak, testBackends } from '../core/testing.js';
import { Conv } from './conv.js';
import { padSpatial } from './factory.js';

// [label, x shape, kernel, stride, PyTorch padding]
const CASES: [string, number[], number, number, number][] = [
  ['2-D k3 s2 p1 (a strided encoder conv), even size', [2, 8, 6, 3], 3, 2, 1],
  ['2-D k3 s2 p1, odd size', [1, 7, 5, 2], 3, 2, 1],
  ['2-D k5 s1 p2', [1, 6, 5, 2], 5, 1, 2],
  ['3-D k3 s2 p1 (a strided encoder conv), even size', [2, 6, 4, 8, 3], 3, 2, 1],
  ['3-D k3 s2 p1, odd sizes', [1, 5, 7, 3, 2], 3, 2, 1],
  ['3-D k5 s3 p2', [1, 7, 6, 5, 2], 5, 3, 2],
  ['3-D k4 s4 p0 (a patch embedding)', [1, 8, 8, 4, 2], 4, 4, 0],
];

for (const backend of await testBackends()) {
  for (const [label, shape, k, s, p] of CASES) {
    test(`[${backend}] Conv ${label}: PyTorch's integer padding equals zero-padding then a valid conv, values and gradients`, async () => {
      await tf.setBackend(backend);
      const rng = new Rng(k * 10 + s);
      const dims = (shape.length - 2) as 2 | 3;
      const conv = new Conv(dims, shape[shape.length - 1], 4, k, p, true, rng, s);
      const x = tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);
      const y = assertNoLeak(() => conv.apply(x));
      assert.deepEqual(y.shape.slice(1, -1), shape.slice(1, -1).map((n) => Math.floor((n + 2 * p - k) / s) + 1), 'PyTorch output size');
      const reference = (a: Tensor, w: Tensor) => {
        const padded = padSpatial(a, p);
        const out = dims === 2 ? tf.conv2d(padded as tf.Tensor4D, w as tf.Tensor4D, s, 'valid') : tf.conv3d(padded as tf.Tensor5D, w as tf.Tensor5D, s, 'valid');
        return tf.add(out, conv.bias!);
      };
      assertClose(y.dataSync(), reference(x, conv.weight).dataSync(), 1e-5, 1e-5, 'y');
      const r = tf.randomNormal(y.shape, 0, 1, 'float32', 5);
      const loss = (f: (a: Tensor, w: Tensor) => Tensor) => tf.grads((a: Tensor, w: Tensor) => tf.sum(tf.mul(f(a, w), r)))([x, conv.weight]);
      const [gx, gw] = assertNoLeak(() => loss((a, w) => (dims === 2 ? tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, s, p === 0 ? 'valid' : [[0, 0], [p, p], [p, p], [0, 0]]) : tf.conv3d(a as tf.Tensor5D, w as tf.Tensor5D, s, (p === 0 ? 'valid' : p) as 'valid'))));
      const [rx, rw] = loss(reference);
      assertClose(gx.dataSync(), rx.dataSync(), 1e-5, 1e-5, 'dx');
      assertClose(gw.dataSync(), rw.dataSync(), 1e-5, 1e-5, 'dW');
      tf.dispose([x, y, r, gx, gw, rx, rw]);
      conv.dispose();
    });
  }
}
