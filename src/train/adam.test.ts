import { test } from 'node:test';
import { createNet, presetSpec } from '../models/registry.js';
import assert from 'node:assert/strict';
import { tf } from '../core/tf.js';
import { assertClose, testBackends } from '../core/testing.js';
import { Adam } from './adam.js';

for (const backend of await testBackends()) {
  test(`[${backend}] Adam: first step moves each weight by lr·g/(|g|+ε), second by PyTorch's formula`, async () => {
    await tf.setBackend(backend);
    const p = tf.variable(tf.tensor1d([1, -2, 3, 0.5]));
    const g1 = tf.tensor1d([0.5, -0.25, 2, 0]);
    const opt = new Adam({ lr: 0.1 });
    opt.step([p], [g1]);
    const want1 = [1 - 0.1, -2 + 0.1, 3 - 0.1, 0.5];
    assertClose(p.dataSync(), want1, 1e-6, 1e-6, 'step 1');
    const g2 = tf.tensor1d([1, 1, -1, 2]);
    opt.step([p], [g2]);
    // m = 0.9·0.1·g1 + 0.1·g2 … written out: PyTorch's update with bias corrections 1−0.9², √(1−0.999²)
    const want2 = want1.map((w, i) => {
      const a = [0.5, -0.25, 2, 0][i], b = [1, 1, -1, 2][i];
      const m = 0.9 * 0.1 * a + 0.1 * b, v = 0.999 * 0.001 * a * a + 0.001 * b * b;
      return w - (0.1 / (1 - 0.81)) * m / (Math.sqrt(v) / Math.sqrt(1 - 0.999 ** 2) + 1e-8);
    });
    assertClose(p.dataSync(), want2, 1e-5, 1e-6, 'step 2');
    opt.dispose();
  });
}

test('one whole training step gives the same loss and updated weights on onednn and on cpu (1e-3)', async (t) => {
  const backends = await testBackends();
  if (!backends.includes('onednn')) { t.skip('onednn backend unavailable'); return; }
  const results: { loss: number; grads: Float32Array[]; weights: Float32Array[] }[] = [];
  for (const backend of ['cpu', 'onednn']) {
    await tf.setBackend(backend);
    const model = createNet(presetSpec('seed2d', { base: 4, seed: 1 }));
    const x = tf.randomNormal([2, 32, 48, 1], 0, 1, 'float32', 7);
    const params = model.namedParameters().map(([, v]) => v);
    const opt = new Adam({ lr: 1e-3 });
    const { value, grads } = tf.variableGrads(() => tf.tidy(() => tf.mean(tf.square(model.forward(x))) as tf.Scalar), params);
    const g = params.map((p) => grads[p.name]);
    const gradValues = g.map((t) => t.dataSync().slice() as Float32Array);
    opt.step(params, g);
    results.push({ loss: value.dataSync()[0], grads: gradValues, weights: model.stateEntries().map(([, v]) => v.dataSync().slice() as Float32Array) });
    tf.dispose([value, ...Object.values(grads), x]);
    model.dispose();
    opt.dispose();
  }
  assert.ok(Math.abs(results[0].loss - results[1].loss) <= 1e-3 * Math.abs(results[0].loss), `loss ${results[0].loss} vs ${results[1].loss}`);
  results[0].grads.forEach((g, i) => assertClose(results[1].grads[i], g, 1e-3, 1e-7, `gradient ${i}`));
  // Adam's first step moves a weight by about ±lr whatever the gradient's size, so weights are compared in absolute
  // terms: to 1e-3 (running statistics too)
  results[0].weights.forEach((w, i) => assertClose(results[1].weights[i], w, 0, 1e-3, `state tensor ${i}`));
});
