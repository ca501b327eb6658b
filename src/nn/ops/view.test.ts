import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, type Tensor } from '../../core/tf.js';
import { assertClose, assertNoLeak, testBackends } from '../../core/testing.js';
import { join, view } from './view.js';

/** Data buffers the tape keeps for the backward pass besides f's result. */
function keptBuffers(f: (x: Tensor) => Tensor, x: Tensor): number {
  let kept = 0;
  const g = tf.grad((a: Tensor) => {
    const before = tf.memory().numDataBuffers;
    const y = tf.tidy(() => f(a)); // intermediates go at the end of the tidy unless the tape keeps them
    kept = tf.memory().numDataBuffers - before - 1;
    return tf.sum(y);
  })(x);
  g.dispose();
  return kept;
}

for (const backend of await testBackends()) {
  test(`[${backend}] view and join equal reshape and concat, value and gradient, and keep nothing for the gradient`, async () => {
    await tf.setBackend(backend);
    const x = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 1), y = tf.randomNormal([2, 3, 2], 0, 1, 'float32', 2);
    const w = tf.randomNormal([2, 3, 6], 0, 1, 'float32', 3);
    const loss = (cat: (a: Tensor[]) => Tensor, re: (a: Tensor) => Tensor) => (a: Tensor, b: Tensor) => tf.sum(tf.mul(re(cat([a, b])), tf.reshape(w, [6, 6])));
    const got = assertNoLeak(() => tf.grads(loss((a) => join(a, -1), (a) => view(a, [6, 6])))([x, y]));
    const want = tf.grads(loss((a) => tf.concat(a, -1), (a) => tf.reshape(a, [6, 6])))([x, y]);
    got.forEach((g, i) => assertClose(g.dataSync(), want[i].dataSync(), 0, 0, `gradient ${i}`));
    assert.deepEqual(view(x, [4, 6]).shape, [4, 6]);
    assert.equal(join([x], 1), x);
    // under a tape, tf.reshape keeps its input (here −a, transposed next) until the backward pass; view does not
    const big = tf.randomNormal([64, 64]);
    const chain = (re: (a: Tensor, s: number[]) => Tensor) => (a: Tensor) => tf.transpose(re(tf.neg(a), [32, 128]));
    assert.equal(keptBuffers(chain((a, s) => tf.reshape(a, s)), big), 1);
    assert.equal(keptBuffers(chain(view), big), 0);
    tf.dispose([x, y, w, big, ...got, ...want]);
  });
}
