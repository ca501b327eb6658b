import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../core/tf.js';
import { assertClose, testBackends } from '../../core/testing.js';
import { GroupNorm } from '../norm.js';
import { normalizeReference } from './normalize.js';

/** GroupNorm written directly with autograd ops on [B, ...S, G, C/G]: the reference. */
function reference(x: tf.Tensor, groups: number, eps: number, w: tf.Tensor, b: tf.Tensor, relu: boolean): tf.Tensor {
  return tf.tidy(() => {
    const c = x.shape[x.rank - 1]!;
    const grouped = tf.reshape(x, [...x.shape.slice(0, -1), groups, c / groups]);
    const axes = grouped.shape.map((_, i) => i).filter((i) => i !== 0 && i !== grouped.rank - 2);
    const h = tf.add(tf.mul(tf.reshape(normalizeReference(grouped, axes, eps), x.shape), w), b);
    return relu ? tf.relu(h) : h;
  });
}

const CASES: [string, number[], number, boolean][] = [
  ['2-D, 4 channels per group, ReLU', [3, 5, 7, 8], 2, true],
  ['2-D, one channel per group (the BatchNorm-kernel path)', [2, 6, 5, 6], 6, true],
  ['3-D, 2 channels per group, no ReLU', [2, 3, 4, 5, 8], 4, false],
  ['one group, batch 1', [1, 9, 4, 3], 1, false],
  ['one channel per group, batch 1, no ReLU', [1, 4, 4, 5], 5, false],
];

for (const backend of await testBackends()) {
  for (const [label, shape, groups, relu] of CASES) {
    test(`[${backend}] GroupNorm ${label}: output and every gradient equal the direct autograd form, no leaks`, async () => {
      await tf.setBackend(backend);
      const c = shape[shape.length - 1]!;
      const gn = new GroupNorm(c, { groups, eps: 1e-5 });
      gn.weight!.assign(tf.randomUniform([c], 0.5, 1.5, 'float32', 3));
      gn.bias!.assign(tf.randomNormal([c], 0, 0.2, 'float32', 4));
      const x = tf.variable(tf.add(tf.mul(tf.randomNormal(shape, 0, 1, 'float32', 5), 2), 0.7));
      const probe = tf.randomNormal(shape, 0, 1, 'float32', 6); // a loss whose gradient is not the output itself
      const vars = [x, gn.weight!, gn.bias!];
      const run = (f: () => tf.Tensor) => tf.variableGrads(() => tf.sum(tf.mul(f(), probe)) as tf.Scalar, vars);
      const before = tf.memory().numTensors;
      const got = run(() => gn.apply(x, relu));
      assert.equal(tf.memory().numTensors, before + 4, 'the loss and three gradients are all that is left');
      const want = run(() => reference(x, groups, 1e-5, gn.weight!, gn.bias!, relu));
      assertClose(got.value.dataSync(), want.value.dataSync(), 1e-5, 1e-4, 'loss');
      for (const v of vars) assertClose(got.grads[v.name]!.dataSync(), want.grads[v.name]!.dataSync(), 1e-4, 1e-5, `∂/∂${v.name}`);
      const y = gn.apply(x, relu), r = reference(x, groups, 1e-5, gn.weight!, gn.bias!, relu);
      assert.deepEqual(y.shape, shape);
      assertClose(y.dataSync(), r.dataSync(), 1e-5, 1e-5, 'output');
      tf.dispose([got.value, want.value, ...Object.values(got.grads), ...Object.values(want.grads), x, probe, y, r]);
      gn.dispose();
    });
  }
}
