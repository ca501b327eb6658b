import * as tf from '@tensorflow/tfjs-core';
import './src/core/tf.ts';
import { registerOneDnnBackend } from './src/backends/onednn/index.ts';
console.log(registerOneDnnBackend());
await tf.setBackend('onednn');
const x = tf.randomNormal([2, 9, 11, 5], 0, 1, 'float32', 1), w = tf.randomNormal([3, 3, 5, 7], 0, 1, 'float32', 2);
const f = () => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, [2, 1], 'same', 'NHWC', [1, 1]);
const y1 = f().dataSync(); const g1 = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'valid'))))([x, w]).map(t => t.dataSync());
await tf.setBackend('cpu');
const y2 = f().dataSync(); const g2 = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'valid'))))([x, w]).map(t => t.dataSync());
const md = (a: ArrayLike<number>, b: ArrayLike<number>) => { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i])); return m; };
console.log('fwd', md(y1, y2), 'gx', md(g1[0], g2[0]), 'gw', md(g1[1], g2[1]));
// timing: 256x256x64 -> 64 conv
await tf.setBackend('onednn');
const X = tf.randomNormal([1, 256, 256, 64]), W = tf.randomNormal([3, 3, 64, 64]);
for (let i = 0; i < 3; i++) { const t = performance.now(); tf.conv2d(X as tf.Tensor4D, W as tf.Tensor4D, 1, 'same').dispose(); console.log('conv 256²×64→64', (performance.now() - t).toFixed(1), 'ms', (2*256*256*64*64*9/1e6/(performance.now()-t)).toFixed(1), 'GF/s'); }
