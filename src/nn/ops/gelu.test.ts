import { test } from 'node:test';
import { tf } from '../../core/tf.js';
import { assertClose, assertNoLeak, numericalGradient, testBackends } from '../../core/testing.js';
import { gelu } from './gelu.js';

// PyTorch (float64): F.gelu (approximate='none') and its derivative at these points.
const X = [-6, -3, -1.5, -0.7, -0.1, 0, 0.05, 0.5, 1, 2.2, 4, 7];
const Y = [-5.9195259e-09, -0.0040496941, -0.1002108, -0.16937456, -0.046017216, 0, 0.02599694, 0.34573123, 0.84134475, 2.1694124, 3.9998733, 7];
const DY = [-3.5468709e-08, -0.011945647, -0.12746919, 0.023385899, 0.42047691, 0.5, 0.539861, 0.86749512, 1.0833155, 1.0641407, 1.0005036, 1];

for (const backend of await testBackends()) {
  test(`[${backend}] exact GELU equals PyTorch's F.gelu; its gradient PyTorch's and finite differences`, async () => {
    await tf.setBackend(backend);
    const x = tf.tensor(X);
    assertClose(assertNoLeak(() => gelu(x)).dataSync(), Y, 1e-6, 1e-6, 'gelu');
    const g = tf.grad((v: tf.Tensor) => tf.sum(gelu(v)))(x);
    assertClose(g.dataSync(), DY, 1e-6, 1e-6, 'dgelu/dx');
    const r = tf.tensor(X.map((_, i) => Math.cos(i)));
    const f = (v: tf.Tensor) => tf.sum(tf.mul(gelu(v), r));
    assertClose(tf.grad(f)(x).dataSync(), numericalGradient(f, x, 1e-2), 1e-2, 2e-3, 'vs finite differences');
    const x4 = tf.randomNormal([2, 3, 4, 5], 0, 2, 'float32', 3);
    assertClose(gelu(x4).dataSync(), tf.mul(x4, tf.mul(tf.add(tf.erf(tf.mul(x4, Math.SQRT1_2)), 1), 0.5)).dataSync(), 1e-6, 1e-7, 'any rank');
    assertNoLeak(() => tf.tidy(() => { tf.grad(f)(x); }));
  });
}
