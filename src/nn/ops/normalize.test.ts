import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../core/tf.js';
import { assertClose, assertNoLeak, numericalGradient, testBackends } from '../../core/testing.js';
import { collapseAxes, normalize, normalizeReference } from './normalize.js';

for (const backend of await testBackends()) {
  for (const [label, shape, axes] of [
    ['BatchNorm 2-D', [3, 4, 5, 2], [0, 1, 2]],
    ['BatchNorm 3-D (5-D tensor)', [2, 3, 2, 3, 3], [0, 1, 2, 3]],
    ['InstanceNorm 3-D', [2, 3, 2, 3, 2], [1, 2, 3]],
    ['GroupNorm (grouped 2-D)', [2, 3, 3, 2, 2], [1, 2, 4]],
  ] as [string, number[], number[]][]) {
    test(`[${backend}] ${label}: values, statistics and gradient`, async () => {
      await tf.setBackend(backend);
      const x = tf.randomNormal(shape, 1.5, 2, 'float32', 11);
      const r = tf.randomNormal(shape, 0, 1, 'float32', 12);
      const n = normalize(x, axes, 1e-5);
      assertClose(n.y.dataSync(), normalizeReference(x, axes, 1e-5).dataSync(), 1e-5, 1e-5, 'normalised values');
      const { mean, variance } = tf.moments(x, axes, true);
      assertClose(n.mean.dataSync(), mean.dataSync(), 1e-6, 1e-6, 'mean');
      assertClose(n.variance.dataSync(), variance.dataSync(), 1e-5, 1e-6, 'variance');
      assert.equal(n.count, axes.reduce((a, k) => a * shape[k], 1));
      [n.y, n.mean, n.variance].forEach((t) => t.dispose());

      const loss = (v: tf.Tensor) => {
        const o = normalize(v, axes, 1e-5);
        o.mean.dispose(); o.variance.dispose();
        return tf.sum(tf.mul(o.y, r));
      };
      const g = tf.grad(loss)(x);
      const gRef = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(normalizeReference(v, axes, 1e-5), r)))(x);
      assertClose(g.dataSync(), gRef.dataSync(), 1e-4, 1e-5, 'analytic vs autograd');
      assertClose(g.dataSync(), numericalGradient(loss, x, 1e-2), 1e-2, 2e-3, 'analytic vs finite differences');
      assertNoLeak(() => tf.tidy(() => { tf.grad(loss)(x); }));
    });
  }
}

test('collapseAxes merges neighbouring axes of one kind (BatchNorm 5-D → [N, C]; GroupNorm keeps its groups)', () => {
  assert.deepEqual(collapseAxes([2, 3, 4, 5, 6], [0, 1, 2, 3]), { shape: [120, 6], axes: [0] });
  assert.deepEqual(collapseAxes([2, 3, 4, 5, 6], [1, 2, 3]), { shape: [2, 60, 6], axes: [1] });
  assert.deepEqual(collapseAxes([2, 3, 4, 5, 4, 2], [1, 2, 3, 5]), { shape: [2, 60, 4, 2], axes: [1, 3] });
  assert.deepEqual(collapseAxes([2, 3, 4], [0, 1]), { shape: [6, 4], axes: [0] });
  assert.deepEqual(collapseAxes([2, 3], [0]), { shape: [2, 3], axes: [0] });
});
