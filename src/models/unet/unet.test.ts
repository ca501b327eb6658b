import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../core/tf.js';
import { assertClose, assertNoLeak, testBackends } from '../../core/testing.js';
import { presetOptions } from './presets.js';
import { checkInputSize } from './plan.js';
import { UNet } from './unet.js';
import type { UNetOptions } from './options.js';

// Shape table: 2-D and 3-D, padded and valid, odd and non-square sizes, both up-sampling modes and every norm.
const SHAPES: [string, UNetOptions, number[]][] = [
  ['seed2d base 4, non-square', presetOptions('seed2d', { base: 4 }), [2, 48, 80, 1]],
  ['seed2d transposed, instance norm', presetOptions('seed2d', { base: 4, upsample: 'transposed', norm: 'instance' }), [1, 32, 16, 1]],
  ['group norm, 3 classes, depth 3', { base: 8, depth: 3, norm: 'group', normGroups: 4, classes: 3, inChannels: 2 }, [1, 24, 40, 2]],
  ['ronneberger2015 base 2, odd crops', presetOptions('ronneberger2015', { base: 2 }), [1, 188, 204, 1]],
  ['seed3d base 2, D ≠ H ≠ W', presetOptions('seed3d', { base: 2 }), [1, 16, 32, 48, 1]],
  ['cicek2016 base 1', presetOptions('cicek2016', { base: 1 }), [1, 92, 100, 108, 3]],
  ['3-D depth 2, no norm, transposed keep', { spatialDims: 3, base: 2, depth: 2, norm: 'none', upsample: 'transposed', transposedChannels: 'keep' }, [2, 12, 8, 20, 1]],
];

for (const backend of await testBackends()) {
  for (const [label, opts, shape] of SHAPES) {
    test(`[${backend}] ${label}: output shape equals the shape plan, no tensor leaks`, async () => {
      await tf.setBackend(backend);
      const m = new UNet(opts);
      const plan = checkInputSize(m.options, shape.slice(1, -1));
      const x = tf.randomNormal(shape, 0, 1, 'float32', 1);
      for (const training of [true, false]) {
        m.train(training);
        const y = assertNoLeak(() => m.forward(x));
        assert.deepEqual(y.shape, [shape[0], ...plan.output, m.options.classes]);
        assert.ok(Number.isFinite(tf.sum(y).dataSync()[0]));
        y.dispose();
      }
      // a whole training step's gradients leak nothing either
      m.train();
      assertNoLeak(() => tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(m.forward(x))) as tf.Scalar);
        assert.equal(Object.keys(grads).length, m.namedParameters().length);
        tf.dispose([value, ...Object.values(grads)]);
      }));
      x.dispose();
      m.dispose();
    });
  }

  test(`[${backend}] skip mask: a disabled skip changes the output, the same weights serve every mask`, async () => {
    await tf.setBackend(backend);
    // training-mode BatchNorm keeps every level's activations at unit scale, so each skip's share is visible
    const m = new UNet(presetOptions('seed2d', { base: 4 })).train();
    const x = tf.randomNormal([2, 32, 32, 1], 0, 1, 'float32', 2);
    const all = m.forward(x).dataSync();
    const outputs = [0, 1, 2, 3].map((k) => {
      m.setSkips([0, 1, 2, 3].map((i) => i !== k));
      return m.forward(x).dataSync();
    });
    outputs.forEach((o, k) => assert.ok(o.some((v, i) => Math.abs(v - all[i]) > 1e-3), `skip ${k + 1} matters`));
    m.setSkips([true, true, true, true]);
    assertClose(m.forward(x).dataSync(), all, 0, 0, 'restoring the mask restores the output');
    assert.throws(() => m.setSkips([true]), /need 4 entries/);
    // every skip off: the zeros leave the weights untouched and the run repeatable
    m.setSkips([false, false, false, false]);
    const noSkip1 = m.forward(x).dataSync(), noSkip2 = m.forward(x).dataSync();
    assertClose(noSkip1, noSkip2, 0, 0, 'repeatable without skips');
    assert.ok(noSkip1.some((v, i) => Math.abs(v - all[i]) > 1e-3));
    m.dispose();
  });

  test(`[${backend}] bad input is refused before any work, naming the rule`, async () => {
    await tf.setBackend(backend);
    const m = new UNet(presetOptions('seed2d', { base: 2 }));
    assert.throws(() => m.forward(tf.zeros([1, 32, 32])), /rank 3; a 2-D U-Net takes rank 4 \(\[B, H, W, C\]\)/);
    assert.throws(() => m.forward(tf.zeros([1, 32, 32, 3])), /3 channels; this U-Net takes 1/);
    assert.throws(() => m.forward(tf.zeros([1, 30, 32, 1])), /axis 0 size 30: .*nearest valid sizes: 16 or 32/);
    m.dispose();
  });
}

test('options are checked once, with the valid names', () => {
  assert.throws(() => new UNet({ norm: 'batchnorm' as never }), /unknown norm 'batchnorm'; did you mean 'batch'\?/);
  assert.throws(() => new UNet({ base: 0 }), /base must be an integer ≥ 1, got 0/);
  assert.throws(() => new UNet({ spatialDims: 4 as never }), /spatialDims must be 2 or 3/);
  assert.throws(() => new UNet({ depth: 2, skips: [true] }), /skips must have one entry per pooling step/);
  assert.throws(() => new UNet({ norm: 'group', base: 4, normGroups: 8 }), /4 channels do not split into 8 groups/);
});

test('the same seed builds the same weights, another seed other weights', () => {
  const a = new UNet({ base: 2, depth: 1, seed: 3 }), b = new UNet({ base: 2, depth: 1, seed: 3 }), c = new UNet({ base: 2, depth: 1, seed: 4 });
  const w = (m: UNet) => Array.from(m.namedParameters()[0][1].dataSync());
  assert.deepEqual(w(a), w(b));
  assert.notDeepEqual(w(a), w(c));
});
