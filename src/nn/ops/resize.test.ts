import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../core/tf.js';
import { assertClose, assertNoLeak, numericalGradient, testBackends } from '../../core/testing.js';
import { registerOneDnnBackend } from '../../backends/onednn/register.js';
import { linearTaps, resizeLinear, upsample2x } from './resize.js';

// Run on the native backend too when its addon is built: there resizeLinear is the fused UnetResizeLinear kernel.
registerOneDnnBackend();

/** Brute-force trilinear interpolation with PyTorch's formulas, one output voxel at a time. */
function trilinearBrute(x: Float32Array, [d, h, w, c]: number[], [od, oh, ow]: number[], alignCorners: boolean): Float32Array {
  const taps = [linearTaps(d, od, alignCorners), linearTaps(h, oh, alignCorners), linearTaps(w, ow, alignCorners)];
  const out = new Float32Array(od * oh * ow * c);
  const at = (z: number, y: number, xx: number, ch: number) => x[((z * h + y) * w + xx) * c + ch];
  for (let z = 0; z < od; z++) for (let y = 0; y < oh; y++) for (let xx = 0; xx < ow; xx++) for (let ch = 0; ch < c; ch++) {
    let v = 0;
    for (const [iz, wz] of [[taps[0].i0[z], 1 - taps[0].w[z]], [taps[0].i1[z], taps[0].w[z]]])
      for (const [iy, wy] of [[taps[1].i0[y], 1 - taps[1].w[y]], [taps[1].i1[y], taps[1].w[y]]])
        for (const [ix, wx] of [[taps[2].i0[xx], 1 - taps[2].w[xx]], [taps[2].i1[xx], taps[2].w[xx]]])
          v += wz * wy * wx * at(iz, iy, ix, ch);
    out[((z * oh + y) * ow + xx) * c + ch] = v;
  }
  return out;
}

for (const backend of await testBackends()) {
  test(`[${backend}] align_corners ×2 of [0, 3] gives 0, 1, 2, 3 (hand-computed)`, async () => {
    await tf.setBackend(backend);
    const y = upsample2x(tf.tensor4d([0, 3, 0, 3], [1, 2, 2, 1]), true);
    assert.deepEqual(y.shape, [1, 4, 4, 1]);
    assertClose(y.dataSync(), [0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]);
    // half-pixel centres (align_corners = false): 0, 0.75, 2.25, 3
    assertClose(upsample2x(tf.tensor4d([0, 3], [1, 1, 2, 1]), false).dataSync(), [0, 0.75, 2.25, 3, 0, 0.75, 2.25, 3]);
  });

  test(`[${backend}] trilinear matches brute force on odd sizes, both corner modes`, async () => {
    await tf.setBackend(backend);
    const shape = [1, 3, 5, 4, 2];
    const x = tf.randomNormal(shape, 0, 1, 'float32', 3);
    for (const ac of [true, false]) {
      for (const size of [[6, 10, 8], [5, 7, 3]]) {
        const y = assertNoLeak(() => resizeLinear(x, size, ac));
        assert.deepEqual(y.shape, [1, ...size, 2]);
        assertClose(y.dataSync(), trilinearBrute(x.dataSync() as Float32Array, shape.slice(1), size, ac), 1e-5, 1e-6, `trilinear ac=${ac} ${size}`);
        y.dispose();
      }
    }
    x.dispose();
  });

  test(`[${backend}] trilinear gradient matches finite differences`, async () => {
    await tf.setBackend(backend);
    const x = tf.randomNormal([1, 2, 3, 2, 2], 0, 1, 'float32', 5);
    const r = tf.randomNormal([1, 4, 6, 4, 2], 0, 1, 'float32', 6);
    const f = (v: tf.Tensor) => tf.sum(tf.mul(upsample2x(v, true), r));
    const g = tf.grad(f)(x);
    assertClose(g.dataSync(), numericalGradient(f, x), 2e-3, 2e-3, 'trilinear grad');
    // and the gradient pass leaks nothing
    assertNoLeak(() => tf.tidy(() => { tf.grad(f)(x); }));
  });

  test(`[${backend}] a size-1 axis (a 1-voxel bottleneck): values by brute force, gradient by finite differences`, async () => {
    await tf.setBackend(backend);
    const shape = [1, 1, 2, 1, 3];
    const x = tf.randomNormal(shape, 0, 1, 'float32', 7);
    const y = assertNoLeak(() => resizeLinear(x, [2, 4, 2], true));
    assertClose(y.dataSync(), trilinearBrute(x.dataSync() as Float32Array, shape.slice(1), [2, 4, 2], true), 1e-5, 1e-6, 'size-1 trilinear');
    const r = tf.randomNormal([1, 2, 4, 2, 3], 0, 1, 'float32', 8);
    const f = (v: tf.Tensor) => tf.sum(tf.mul(upsample2x(v, true), r));
    assertClose(tf.grad(f)(x).dataSync(), numericalGradient(f, x), 2e-3, 2e-3, 'size-1 trilinear grad');
    const x2 = tf.randomNormal([2, 1, 1, 2], 0, 1, 'float32', 9), r2 = tf.randomNormal([2, 2, 2, 2], 0, 1, 'float32', 10);
    const f2 = (v: tf.Tensor) => tf.sum(tf.mul(upsample2x(v, true), r2));
    assertClose(tf.grad(f2)(x2).dataSync(), numericalGradient(f2, x2), 2e-3, 2e-3, 'size-1 bilinear grad');
  });
}

test('bilinear gradient of a non-square image has the image shape (tfjs-backend-cpu ResizeBilinearGrad fix)', async () => {
  await tf.setBackend('cpu');
  const x = tf.randomNormal([1, 3, 5, 2], 0, 1, 'float32', 9);
  const r = tf.randomNormal([1, 6, 10, 2], 0, 1, 'float32', 10);
  const f = (v: tf.Tensor) => tf.sum(tf.mul(upsample2x(v, true), r));
  const g = tf.grad(f)(x);
  assert.deepEqual(g.shape, [1, 3, 5, 2]);
  assertClose(g.dataSync(), numericalGradient(f, x), 2e-3, 2e-3, 'bilinear grad');
});
