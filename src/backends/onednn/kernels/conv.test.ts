import * as tf from '@tensorflow/tfjs-core';
import { compareBackends, nativeTest } from '../testing.js';

const rnd = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

// [x shape, filter shape, strides, pad, dilations]
const CASES2D: [number[], number[], [number, number], 'same' | 'valid', [number, number]][] = [
  [[2, 9, 11, 5], [3, 3, 5, 7], [1, 1], 'same', [1, 1]],
  [[1, 17, 13, 4], [3, 3, 4, 6], [2, 2], 'valid', [1, 1]],
  [[3, 12, 10, 3], [3, 3, 3, 8], [2, 1], 'same', [1, 1]],
  [[1, 15, 15, 2], [3, 3, 2, 4], [1, 1], 'valid', [2, 2]],
  [[2, 8, 8, 16], [1, 1, 16, 3], [1, 1], 'same', [1, 1]],
  [[1, 9, 7, 64], [3, 3, 64, 64], [1, 1], 'same', [1, 1]],  // 64 channels: every pass blocked under the AVX2 policy
];

for (const [xs, ws, strides, pad, dil] of CASES2D) {
  nativeTest(`Conv2D ${xs} * ${ws} stride ${strides} ${pad} dilation ${dil}: forward${dil[0] > 1 ? '' : ', ∂x, ∂w'}`, () =>
    compareBackends('conv2d', () => [rnd(xs, 1), rnd(ws, 2)], (x, w) => {
      const f = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad, 'NHWC', dil);
      if (dil[0] > 1) return f(x, w); // tfjs has no gradient for dilated convolutions
      const r = tf.randomNormal(f(x, w).shape, 0, 1, 'float32', 3);
      return [f(x, w), ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), r)))([x, w])];
    }));
}

const CASES3D: [number[], number[], [number, number, number], 'same' | 'valid'][] = [
  [[2, 5, 7, 6, 3], [3, 3, 3, 3, 4], [1, 1, 1], 'same'],
  [[1, 9, 8, 7, 2], [3, 3, 3, 2, 5], [2, 2, 2], 'valid'],
  [[1, 6, 6, 10, 4], [1, 1, 1, 4, 2], [1, 1, 1], 'same'],
];

for (const [xs, ws, strides, pad] of CASES3D) {
  nativeTest(`Conv3D ${xs} * ${ws} stride ${strides} ${pad}: forward, ∂x, ∂w`, () =>
    compareBackends('conv3d', () => [rnd(xs, 4), rnd(ws, 5)], (x, w) => {
      const f = (a: tf.Tensor, b: tf.Tensor) => tf.conv3d(a as tf.Tensor5D, b as tf.Tensor5D, strides, pad);
      const r = tf.randomNormal(f(x, w).shape, 0, 1, 'float32', 6);
      return [f(x, w), ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), r)))([x, w])];
    }));
}

nativeTest('conv2dTranspose (Conv2DBackpropInput as an op), stride 2', () =>
  compareBackends('conv2dTranspose', () => [rnd([2, 5, 6, 4], 7), rnd([2, 2, 3, 4], 8)], (x, w) =>
    tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [2, 10, 12, 3], 2, 'valid')));

nativeTest('BatchMatMul: plain, transposed, batched, broadcast', () =>
  compareBackends('matmul', () => [rnd([7, 5], 1), rnd([5, 9], 2), rnd([3, 4, 6], 3), rnd([3, 5, 6], 4), rnd([1, 6, 2], 5)], (a, b, c, d, e) => [
    tf.matMul(a, b), tf.matMul(b, a, true, true), tf.matMul(c, d, false, true), tf.matMul(c, e),
    ...tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.square(tf.matMul(p, q))))([a, b]),
  ]));

nativeTest('a bool → float32 cast feeds native kernels (gradient of tf.maximum)', () =>
  compareBackends('maximum grad', () => [rnd([4, 5], 9), rnd([4, 5], 10)], (a, b) =>
    tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.maximum(p, q), p)))([a, b])));

nativeTest('column broadcasting ([..., K] with [..., 1]) and softmax-style reductions', () =>
  compareBackends('column broadcast', () => [rnd([3, 5, 4], 11), rnd([3, 5, 1], 12)], (a, c) => [
    tf.sub(a, c), tf.mul(c, a), tf.div(a, tf.add(tf.abs(c), 1)), tf.add(c, a), tf.logSoftmax(a), tf.softmax(a),
    ...tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.sub(p, q), tf.div(p, tf.add(tf.abs(q), 1)))))([a, c]),
  ]));

nativeTest('relu and its gradient (Step), leaky steps left to tfjs; transposes of every rank the up-convs use', () =>
  compareBackends('relu/step/transpose', () => [rnd([3, 7, 5], 13), rnd([2, 3, 4, 5], 14), rnd([2, 3, 2, 2, 3, 4], 15)], (a, b, c) => [
    tf.relu(a), tf.step(a), tf.step(a, 0.3), tf.grad((p: tf.Tensor) => tf.sum(tf.mul(tf.relu(p), p)))(a),
    tf.transpose(b, [0, 2, 1, 3]), tf.transpose(c, [0, 3, 1, 4, 2, 5]), tf.transpose(a),
    tf.grad((p: tf.Tensor) => tf.sum(tf.mul(tf.transpose(p, [0, 2, 1, 3]), tf.transpose(p, [0, 2, 1, 3]))))(b),
  ]));

// Native kernels keep a reordered copy of an input while the same tensor comes again (by serial); a new tensor in a
// recycled array (the backend's pool hands a freed array back) must not see the previous tensor's copy. Each round
// disposes its gradients, so the next round's dy of the same shape lands in the same arrays with other values.
nativeTest('Conv2D/Conv3D gradients over rounds whose tensors reuse freed arrays (reordered copies are not stale)', () =>
  compareBackends('conv rounds', () => [rnd([1, 12, 10, 8], 20), rnd([3, 3, 8, 8], 21), rnd([1, 6, 5, 4, 8], 22), rnd([3, 3, 3, 8, 8], 23)], (x, w, x3, w3) => {
    const out: tf.Tensor[] = [];
    for (let round = 0; round < 3; round++) {
      const g = tf.tidy(() => {
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.relu(tf.conv2d(tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')), b as tf.Tensor4D, 1, 'same'));
        const f3 = (a: tf.Tensor, b: tf.Tensor) => tf.conv3d(tf.relu(tf.conv3d(a as tf.Tensor5D, b as tf.Tensor5D, 1, 'same')), b as tf.Tensor5D, 1, 'same');
        const r = tf.randomNormal(x.shape, 0, 1, 'float32', 30 + round);
        const r3 = tf.randomNormal(x3.shape, 0, 1, 'float32', 40 + round);
        return [...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), r)))([x, w]),
          ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f3(a, b), r3)))([x3, w3])];
      });
      out.push(...g.map((t) => tf.tensor(t.dataSync(), t.shape)));  // a copy, so g's arrays go back to the pool
      tf.dispose(g);
    }
    return out;
  }));

// The sharpest case of the above: dy1 is staged (reordered) by a backward pass, disposed, and dy2 is born in dy1's
// freed array; a copy recognised by its array alone would feed dy1's values to dy2's pass.
nativeTest('a staged copy of dy is not reused for a new tensor in the same recycled array', () =>
  compareBackends('recycled dy', () => [rnd([1, 12, 10, 8], 24), rnd([1, 12, 10, 8], 25), rnd([3, 3, 8, 8], 26)], (a, b, w) => {
    const back = (dy: tf.Tensor) => tf.conv2dTranspose(dy as tf.Tensor4D, w as tf.Tensor4D, [1, 12, 10, 8], 1, 'same');
    const dy1 = tf.mul(a, 2);
    const r1 = back(dy1);
    dy1.dispose();
    const dy2 = tf.mul(b, 2);  // on onednn: dy1's array, from the pool
    return [r1, back(dy2)];
  }));
