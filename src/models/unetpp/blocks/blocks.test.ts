// U-Net++'s replicate padding against tfjs's own (autograd) formulations, values and gradients, on every backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, type Tensor } from '../../../core/tf.js';
import { assertClose, assertNoLeak, testBackends, valueAndGrads } from '../../../core/testing.js';
import { replicatePadEnd, replicatePadTo } from './replicate-pad.js';

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
}
