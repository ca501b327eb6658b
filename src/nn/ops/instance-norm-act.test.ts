// The conv → InstanceNorm → LeakyReLU steps (nnU-Net, U-Net++, UNETR) against tfjs's own (autograd) formulations,
// values and gradients, on every backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, type Tensor } from '../../core/tf.js';
import { assertClose, assertNoLeak, testBackends, valueAndGrads } from '../../core/testing.js';
import { normalizeReference } from './normalize.js';
import { cancelledBias, instanceNormAffine, instanceNormLeakyRelu, leakyRelu, nativeNorm } from './instance-norm-act.js';

for (const backend of await testBackends()) {
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

  test(`[${backend}] instanceNormLeakyRelu = leakyRelu(InstanceNorm(x)·γ + β), values and every gradient (one fused kernel each way on onednn)`, async () => {
    await tf.setBackend(backend);
    for (const slope of [0.01, 0.1]) {
      for (const shape of [[1, 6, 5, 3], [3, 6, 5, 4], [2, 3, 4, 5, 3], [2, 7, 1, 1, 33]]) {
        const c = shape[shape.length - 1];
        const gamma = tf.randomUniform([c], 0.5, 1.5, 'float32', 2), beta = tf.randomNormal([c], 0, 0.3, 'float32', 3);
        const x = tf.randomNormal(shape, 2, 3, 'float32', 4);
        const axes = shape.slice(1, -1).map((_, i) => i + 1);
        const got = assertNoLeak(() => valueAndGrads((a, g, b) => instanceNormLeakyRelu(a, g, b, 1e-5, slope), [x, gamma, beta]));
        const want = valueAndGrads((a, g, b) => tf.leakyRelu(tf.add(tf.mul(normalizeReference(a, axes, 1e-5), g), b), slope), [x, gamma, beta]);
        assertClose(got.y, want.y, 1e-5, 1e-5, `[${shape}] slope ${slope} value`);
        ['x', 'γ', 'β'].forEach((n, i) => assertClose(got.g[i], want.g[i], 1e-4, 1e-4, `[${shape}] slope ${slope} ∂/∂${n}`));
        tf.dispose([x, gamma, beta]);
      }
    }
  });
}
