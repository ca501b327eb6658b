import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../core/tf.js';
import { assertClose, numericalGradient } from '../../core/testing.js';

// [alignCorners, halfPixelCenters]: PyTorch's align_corners=true, align_corners=false (half-pixel) and tfjs's legacy
// asymmetric mapping.
const MODES: [boolean, boolean][] = [[true, false], [false, true], [false, false]];

for (const [alignCorners, halfPixel] of MODES) {
  for (const [inHW, outHW] of [[[3, 5], [6, 10]], [[5, 4], [3, 7]], [[4, 4], [1, 2]]] as [number, number][][]) {
    test(`[cpu] ResizeBilinearGrad matches finite differences: ${inHW} → ${outHW}, alignCorners=${alignCorners}, halfPixelCenters=${halfPixel}`, async () => {
      await tf.setBackend('cpu');
      const x = tf.randomNormal([2, ...inHW, 3], 0, 1, 'float32', 11);
      const r = tf.randomNormal([2, ...outHW, 3], 0, 1, 'float32', 12);
      const f = (v: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeBilinear(v as tf.Tensor4D, outHW as [number, number], alignCorners, halfPixel), r));
      const g = tf.grad(f)(x);
      assert.deepEqual(g.shape, x.shape);
      assertClose(g.dataSync(), numericalGradient(f, x), 2e-3, 2e-3, 'bilinear grad');
      tf.dispose([x, r, g]);
    });
  }
}
