/** Mirroring TTA: the flip sets, flip-equivariance of the averaged prediction (alone and inside slidingWindow), leaks. */
import { createNet, presetSpec } from '../models/registry.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, type Tensor } from '../core/tf.js';
import { assertClose, assertNoLeak, testBackends } from '../core/testing.js';
import { mirrorAxes, predictProbabilities } from './tta.js';
import { slidingWindow } from './sliding-window.js';

test('mirrorAxes: every subset of the spatial axes, identity first (4 in 2-D, 8 in 3-D)', () => {
  assert.deepEqual(mirrorAxes(2), [[], [1], [2], [1, 2]]);
  assert.deepEqual(mirrorAxes(3), [[], [1], [2], [1, 2], [3], [1, 3], [2, 3], [1, 2, 3]]);
});

const flipData = (t: Tensor, axes: number[]) => tf.tidy(() => tf.reverse(t, axes).dataSync());

for (const backend of await testBackends()) {
  test(`[${backend}] TTA makes the prediction flip-equivariant (2-D and 3-D) and differs from a single pass`, async () => {
    await tf.setBackend(backend);
    for (const [opts, shape] of [[presetSpec('seed2d', { base: 4, classes: 2 }), [1, 32, 32, 1]], [presetSpec('seed3d', { base: 2 }), [1, 16, 16, 16, 1]]] as const) {
      const m = createNet(opts).eval();
      const x = tf.randomNormal([...shape], 0, 1, 'float32', 7);
      const p = assertNoLeak(() => predictProbabilities(m, x, true));
      const single = predictProbabilities(m, x);
      assert.ok(tf.tidy(() => tf.max(tf.abs(tf.sub(p, single))).dataSync()[0]) > 1e-4, 'TTA changes the prediction');
      for (let a = 1; a < shape.length - 1; a++) {
        const xf = tf.reverse(x, [a]);
        const pf = predictProbabilities(m, xf, true);
        assertClose(flipData(pf, [a]), p.dataSync(), 1e-5, 1e-6, `${shape.length - 2}-D, flipped axis ${a}`);
        tf.dispose([xf, pf]);
      }
      tf.dispose([x, p, single]);
      m.dispose();
    }
  });

  test(`[${backend}] slidingWindow with tta: flip-equivariant over a symmetric window layout, no leaks`, async () => {
    await tf.setBackend(backend);
    const m = createNet(presetSpec('seed2d', { base: 4, classes: 2 })).eval();
    const x = tf.randomNormal([1, 64, 48, 1], 0, 1, 'float32', 8); // starts 0, 16, 32 and 0, 16: symmetric
    const before = tf.memory().numTensors;
    const p = await slidingWindow(m, x, { window: 32, tta: true });
    assert.equal(tf.memory().numTensors, before, 'no leaks');
    const xf = tf.reverse(x, [1, 2]);
    const pf = await slidingWindow(m, xf, { window: 32, tta: true });
    const back = tf.tidy(() => tf.reverse(tf.tensor(pf.data, [1, 64, 48, 2]), [1, 2]).dataSync());
    assertClose(back, p.data, 1e-5, 1e-6, 'flipped both axes');
    tf.dispose([x, xf]);
    m.dispose();
  });
}
