import { test } from 'node:test';
import { createNet, presetSpec } from '../models/registry.js';
import type { NetSpec, TrainableNet } from '../models/types.js';
import assert from 'node:assert/strict';
import { tf, type Tensor } from './tf.js';
import { variableGrads } from './grad.js';
import { testBackends } from './testing.js';

// [label, options, input shape]: BatchNorm with its fused ReLU, interpolating and transposed up-sampling, cropped
// skips (valid padding), 2-D and 3-D, odd sizes.
const CASES: [string, NetSpec, number[]][] = [
  ['seed2d base 4', presetSpec('seed2d', { base: 4, classes: 2 }), [2, 32, 48, 1]],
  ['seed2d transposed, instance norm', presetSpec('seed2d', { base: 4, upsample: 'transposed', norm: 'instance', inChannels: 2 }), [1, 32, 16, 2]],
  ['ronneberger2015 base 2, odd crops', presetSpec('ronneberger2015', { base: 2 }), [1, 188, 204, 1]],
  ['seed3d base 2', presetSpec('seed3d', { base: 2 }), [1, 16, 32, 16, 1]],
];

/** One training step's loss and gradients, by `grads`, on a fresh model of the same seed. */
function step(o: NetSpec, shape: number[], grads: typeof variableGrads): { loss: number; g: Map<string, Float32Array>; tensorsAfter: number; tensorsBefore: number } {
  const model = createNet({ arch: o.arch, options: { ...o.options, seed: 3 } });
  model.train(true);
  const x = tf.randomNormal(shape, 0, 1, 'float32', 5);
  const params = model.namedParameters().map(([, v]) => v);
  const tensorsBefore = tf.memory().numTensors;
  const { value, grads: gs } = grads(() => tf.tidy(() => {
    const y = model.forward(x) as Tensor;
    return tf.mean(tf.mul(tf.square(y), tf.sigmoid(y))) as tf.Scalar;
  }), params);
  // by position in the parameter list (variable names are numbered per model)
  const g = new Map(params.flatMap((p, i) => (gs[p.name] ? [[String(i), gs[p.name].dataSync().slice() as Float32Array]] : [])));
  const loss = value.dataSync()[0];
  tf.dispose([value, ...Object.values(gs)]);
  const tensorsAfter = tf.memory().numTensors;
  x.dispose();
  model.dispose();
  return { loss, g, tensorsAfter, tensorsBefore };
}

test('variableGrads gives tf.variableGrads\'s value and gradients bit for bit, and leaks nothing, on every backend', async () => {
  for (const backend of await testBackends()) {
    await tf.setBackend(backend);
    for (const [label, o, shape] of CASES) {
      const want = step(o, shape, (f, v) => tf.variableGrads(f, v));
      const got = step(o, shape, variableGrads);
      assert.equal(got.loss, want.loss, `${backend} ${label}: loss`);
      assert.deepEqual([...got.g.keys()].sort(), [...want.g.keys()].sort(), `${backend} ${label}: the same parameters`);
      for (const [k, w] of want.g) assert.deepEqual(got.g.get(k), w, `${backend} ${label}: ∂/∂${k}`);
      assert.equal(got.tensorsAfter, got.tensorsBefore, `${backend} ${label}: tensors leaked`);
    }
  }
});

test('variableGrads releases activations and gradients during the backward walk: a lower peak than tf.variableGrads', async () => {
  await tf.setBackend('cpu');
  const o = CASES[0][1];
  const peak = async (grads: typeof variableGrads) => (await tf.profile(() => { step(o, [4, 64, 64, 1], grads); })).peakBytes;
  const ours = await peak(variableGrads), theirs = await peak((f, v) => tf.variableGrads(f, v));
  // Forward activations and their gradients were both held at the end of tfjs's walk; here about one set is.
  assert.ok(ours < 0.75 * theirs, `peak ${ours} B vs tf.variableGrads's ${theirs} B`);
});

test('variableGrads: errors name the rule', () => {
  const v = tf.variable(tf.scalar(2), true, 'gradTestV');
  assert.throws(() => variableGrads(() => tf.mul(tf.ones([2]), v) as unknown as tf.Scalar, [v]), /must return a scalar tensor, got rank 1/);
  const w = tf.variable(tf.scalar(1), true, 'gradTestW');
  assert.throws(() => variableGrads(() => tf.scalar(3), [w]), /no variable is connected/);
  // a gradient inside the function (second order): the same as tfjs's walk; the inner x is v itself, so the inner
  // gradient is ∂(v³)/∂v = 3v² and f = 3v³ = 24
  const f = () => tf.mul(v, tf.grad((a: Tensor) => tf.mul(a, tf.mul(a, v)))(v)) as tf.Scalar;
  const { value, grads } = variableGrads(f, [v]);
  const ref = tf.variableGrads(f, [v]);
  assert.equal(value.dataSync()[0], 24);
  assert.equal(grads.gradTestV.dataSync()[0], ref.grads.gradTestV.dataSync()[0]);
  tf.dispose([ref.value, ...Object.values(ref.grads)]);
  tf.dispose([v, w, value, ...Object.values(grads)]);
});
