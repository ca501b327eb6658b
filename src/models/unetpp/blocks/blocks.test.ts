// The U-Net++ ops against tfjs's own (autograd) formulations, values and gradients, on every backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, type Tensor } from '../../../core/tf.js';
import { assertClose, assertNoLeak, testBackends } from '../../../core/testing.js';
import { normalizeReference } from '../../../nn/ops/normalize.js';
import { cancelledBias, instanceNormAffine, leakyRelu, nativeNorm } from './norm-act.js';
import { replicatePadEnd, replicatePadTo } from './replicate-pad.js';

/** Value and gradient of sum(f(x)·w) with respect to each input, for a fixed random w. */
function valueAndGrads(f: (...xs: Tensor[]) => Tensor, xs: Tensor[]): { y: Float32Array; g: Float32Array[] } {
  return tf.tidy(() => {
    const y = f(...xs);
    const w = tf.randomNormal(y.shape, 0, 1, 'float32', 9);
    const g = tf.grads((...a: Tensor[]) => tf.sum(tf.mul(f(...a), w)))(xs);
    return { y: y.dataSync() as Float32Array, g: g.map((t) => t.dataSync() as Float32Array) };
  });
}

for (const backend of await testBackends()) {
  test(`[${backend}] replicatePadEnd = PyTorch's one-voxel replicate pad (symmetric mirror pad by 1), value and gradient`, async () => {
    await tf.setBackend(backend);
    for (const shape of [[2, 5, 4, 3], [1, 3, 4, 5, 2]]) {
      const x = tf.randomNormal(shape, 0, 1, 'float32', 1);
      for (let axis = 1; axis < shape.length - 1; axis++) {
        const pads = shape.map((_, k) => (k === axis ? [0, 1] : [0, 0])) as [number, number][];
        const got = assertNoLeak(() => valueAndGrads((t) => replicatePadEnd(t, axis), [x]));
        assertClose(got.y, tf.tidy(() => tf.mirrorPad(x, pads, 'symmetric').dataSync()), 0, 0, `axis ${axis} value`);
        // gradient reference: the same concat written with tfjs's slice and its autograd (tfjs's MirrorPad gradient
        // only crops dy, dropping the mirrored part)
        const lastSlice = (t: Tensor) => tf.slice(t, shape.map((n, k) => (k === axis ? n - 1 : 0)), shape.map((n, k) => (k === axis ? 1 : n)));
        const want = valueAndGrads((t) => tf.concat([t, lastSlice(t)], axis), [x]);
        assertClose(got.y, want.y, 0, 0, `axis ${axis} value (concat)`);
        assertClose(got.g[0], want.g[0], 1e-6, 1e-6, `axis ${axis} gradient`);
      }
      x.dispose();
    }
    const up = tf.zeros([1, 4, 6, 2]);
    const padded = replicatePadTo(up, [5, 6]);
    assert.deepEqual(padded.shape, [1, 5, 6, 2]);
    assert.throws(() => replicatePadTo(up, [6, 6]), /2 voxels short of its skip on spatial axis 0; replicate padding fills one/);
    tf.dispose([up, padded]);
  });

  test(`[${backend}] instanceNormAffine = InstanceNorm with γ, β (per sample and channel), values and every gradient`, async () => {
    await tf.setBackend(backend);
    for (const shape of [[1, 6, 5, 3], [3, 6, 5, 4], [2, 3, 4, 5, 3]]) {
      const c = shape[shape.length - 1];
      const gamma = tf.randomUniform([c], 0.5, 1.5, 'float32', 2), beta = tf.randomNormal([c], 0, 0.3, 'float32', 3);
      const x = tf.randomNormal(shape, 2, 3, 'float32', 4);
      const axes = shape.slice(1, -1).map((_, i) => i + 1);
      const got = assertNoLeak(() => valueAndGrads((a, g, b) => instanceNormAffine(a, g, b, 1e-5), [x, gamma, beta]));
      const want = valueAndGrads((a, g, b) => tf.add(tf.mul(normalizeReference(a, axes, 1e-5), g), b), [x, gamma, beta]);
      assertClose(got.y, want.y, 1e-5, 1e-5, `[${shape}] value`);
      ['x', 'γ', 'β'].forEach((n, i) => assertClose(got.g[i], want.g[i], 1e-4, 1e-4, `[${shape}] ∂/∂${n}`));
      tf.dispose([x, gamma, beta]);
    }
    assert.equal(nativeNorm(), backend === 'onednn', 'the native route runs on onednn');
  });

  test(`[${backend}] leakyRelu = tf.leakyRelu, value and gradient (slope a at exactly 0, as PyTorch)`, async () => {
    await tf.setBackend(backend);
    const x = tf.tensor([-2, -0.5, 0, 0.25, 3, -1e-8, 1e-8]);
    const got = assertNoLeak(() => valueAndGrads((t) => leakyRelu(t, 0.1), [x]));
    const want = valueAndGrads((t) => tf.leakyRelu(t, 0.1), [x]);
    assertClose(got.y, want.y, 1e-7, 0, 'value');
    assertClose(got.g[0], want.g[0], 1e-7, 0, 'gradient');
    x.dispose();
  });

  test(`[${backend}] cancelledBias: the value is h, the bias's gradient exactly zero`, async () => {
    await tf.setBackend(backend);
    const h = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 5), b = tf.tensor([1, 2, 3, 4]);
    const got = assertNoLeak(() => valueAndGrads((a, bb) => cancelledBias(a, bb), [h, b]));
    assertClose(got.y, h.dataSync(), 0, 0, 'value');
    assert.deepEqual(Array.from(got.g[1]), [0, 0, 0, 0]);
    tf.dispose([h, b]);
  });
}
