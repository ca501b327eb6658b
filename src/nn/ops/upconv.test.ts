import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../core/tf.js';
import { assertClose, assertNoLeak, testBackends } from '../../core/testing.js';
import { convTransposeTiled } from './upconv.js';

for (const backend of await testBackends()) {
  test(`[${backend}] 2-D tiled transposed conv equals tfjs conv2dTranspose (k = s = 2)`, async () => {
    await tf.setBackend(backend);
    const x = tf.randomNormal([2, 3, 5, 4], 0, 1, 'float32', 1);
    const w = tf.randomNormal([2, 2, 6, 4], 0, 1, 'float32', 2);
    const b = tf.randomNormal([6], 0, 1, 'float32', 3);
    const y = assertNoLeak(() => convTransposeTiled(x, w, b));
    const ref = tf.add(tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [2, 6, 10, 6], 2, 'valid'), b);
    assert.deepEqual(y.shape, [2, 6, 10, 6]);
    assertClose(y.dataSync(), ref.dataSync(), 1e-5);
  });

  test(`[${backend}] 3-D tiled transposed conv matches its defining sum, and has a gradient`, async () => {
    await tf.setBackend(backend);
    const [B, D, H, W, ci, co] = [1, 2, 3, 2, 3, 2];
    const x = tf.randomNormal([B, D, H, W, ci], 0, 1, 'float32', 4);
    const w = tf.randomNormal([2, 2, 2, co, ci], 0, 1, 'float32', 5);
    const y = convTransposeTiled(x, w);
    assert.deepEqual(y.shape, [B, 2 * D, 2 * H, 2 * W, co]);
    const xv = x.dataSync(), wv = w.dataSync(), yv = y.dataSync();
    for (let d = 0; d < 2 * D; d++) for (let h = 0; h < 2 * H; h++) for (let ww = 0; ww < 2 * W; ww++) for (let o = 0; o < co; o++) {
      let s = 0;
      for (let c = 0; c < ci; c++) {
        const xi = ((Math.floor(d / 2) * H + Math.floor(h / 2)) * W + Math.floor(ww / 2)) * ci + c;
        const wi = ((((d % 2) * 2 + (h % 2)) * 2 + (ww % 2)) * co + o) * ci + c;
        s += xv[xi] * wv[wi];
      }
      const yi = ((d * 2 * H + h) * 2 * W + ww) * co + o;
      assert.ok(Math.abs(yv[yi] - s) < 1e-5, `y[${d},${h},${ww},${o}] = ${yv[yi]}, want ${s}`);
    }
    const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(convTransposeTiled(a, b))))([x, w]);
    assert.deepEqual(gx.shape, x.shape);
    assert.deepEqual(gw.shape, w.shape);
  });
}
