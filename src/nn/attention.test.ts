import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../core/tf.js';
import { assertClose, assertNoLeak, numericalGradient, testBackends } from '../core/testing.js';
import { multiHeadAttention } from './attention.js';
import { sinSeq } from './testing.js';

// PyTorch (float64), B = 2, N = 4, heads = 2, dim = 3: q = sinSeq([2,4,6], .37, .1), k = sinSeq(…, .53, .9),
// v = sinSeq(…, .71, .3), r = sinSeq(…, .29, .4); heads(t) = t.view(B, N, H, D).permute(0, 2, 1, 3);
// o = (softmax(heads(q) @ heads(k)ᵀ / √D) @ heads(v)).permute(0, 2, 1, 3).reshape(B, N, H·D); (o·r).sum().backward()
const Y = [0.29661189, 0.30877961, 0.17172148, 0.1291968, -0.062377598, -0.22380638, 0.28329615, 0.29465886, 0.16361995, 0.082164527, -0.062846777, -0.17748573, -0.21055387, 0.066926574, 0.31206299, 0.19527721, 0.061109974, -0.10259026, 0.36839705, 0.34108488, 0.14893449, 0.1075037, -0.085923488, -0.2378259, -0.21487671, -0.10791998, 0.05119191, 0.19389156, 0.20420872, 0.11583666, -0.28165536, -0.39152575, -0.31218105, 0.096517036, 0.22339507, 0.24231158, -0.17830465, 0.10021839, 0.33030827, 0.18801415, 0.26387552, 0.21221213, -0.24737716, -0.26126842, -0.14889485, 0.17439059, 0.19570451, 0.12243909];
const GQ = [0.033640512, 0.055293175, 0.061774173, -0.26935906, -0.032479797, 0.21331147, 0.10566139, 0.13897109, 0.13414908, 0.048207193, 0.011353607, -0.028615249, -0.0023533023, -0.027875069, -0.04574831, 0.27536559, 0.038341338, -0.20920324, -0.038745632, -0.05027698, -0.048013035, -0.12695278, -0.019539419, 0.093235285, 0.37379696, 0.40053339, 0.31736913, 0.072332109, 0.021086905, -0.035944249, -0.0058638646, -0.0106556, -0.012523589, -0.027672592, -0.030970336, -0.025770258, -0.095095365, -0.080945206, -0.044584827, -0.060942529, -0.012172958, 0.0399367, 0.12798997, 0.1425202, 0.11794491, 0.049178265, 0.034522417, 0.010394106];
const GK = [0.13854827, 0.15932299, 0.15853409, -0.015238895, -0.023716632, -0.028984433, -0.59654752, -0.57913896, -0.48334666, 0.64930437, 0.57198471, 0.4172496, -0.080638072, -0.11955131, -0.14228384, -0.47097488, -0.40270742, -0.27993539, 0.53863732, 0.53936728, 0.46709642, -0.16309059, -0.14556066, -0.10832977, 0.31977022, 0.50654141, 0.62475459, -0.47700726, -0.60013458, -0.64203649, -0.1180198, -0.045602002, 0.032987809, 0.43822342, 0.57084276, 0.62620121, -0.25468827, -0.54776706, -0.76670814, 0.38388535, 0.50216169, 0.5524728, 0.05293785, 0.086827653, 0.10896574, -0.34510151, -0.47286987, -0.53663752];
const GV = [0.18631137, 0.32159644, 0.43002426, 0.18433046, 0.21358948, 0.22501115, -0.21538098, -0.28656438, -0.33381614, -0.036558517, -0.02402875, -0.0094922882, 0.1921424, 0.32494013, 0.43060137, 0.14483243, 0.15884008, 0.15958264, -0.22006506, -0.29145557, -0.33850597, -0.00023959477, 0.023609188, 0.045486314, -0.20888453, -0.15125561, -0.080994997, 0.17399534, 0.18930741, 0.18880999, 0.31871554, 0.3099705, 0.27533912, 0.031353497, 0.017126888, 0.0014699734, -0.19983929, -0.14098962, -0.070365582, 0.24538115, 0.25699903, 0.24715434, 0.31526491, 0.30432054, 0.26796168, -0.021627169, -0.033003239, -0.041623135];

for (const backend of await testBackends()) {
  test(`[${backend}] multi-head attention equals PyTorch's (2 heads of 3), with the gradients of q, k, v`, async () => {
    await tf.setBackend(backend);
    const q = sinSeq([2, 4, 6], 0.37, 0.1), k = sinSeq([2, 4, 6], 0.53, 0.9), v = sinSeq([2, 4, 6], 0.71, 0.3);
    const r = sinSeq([2, 4, 6], 0.29, 0.4);
    const y = assertNoLeak(() => multiHeadAttention(q, k, v, 2));
    assert.deepEqual(y.shape, [2, 4, 6]);
    assertClose(y.dataSync(), Y, 1e-5, 1e-6, 'attention');
    const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(multiHeadAttention(a, b, c, 2), r));
    const [gq, gk, gv] = tf.grads(f)([q, k, v]);
    assertClose(gq.dataSync(), GQ, 1e-5, 1e-6, 'dL/dq');
    assertClose(gk.dataSync(), GK, 1e-5, 1e-6, 'dL/dk');
    assertClose(gv.dataSync(), GV, 1e-5, 1e-6, 'dL/dv');
    assertClose(gk.dataSync(), numericalGradient((t) => f(q, t, v), k, 1e-2), 1e-2, 2e-3, 'dL/dk vs finite differences');
    assertClose(gq.dataSync(), numericalGradient((t) => f(t, k, v), q, 1e-2), 1e-2, 2e-3, 'dL/dq vs finite differences');
    assertNoLeak(() => tf.tidy(() => { tf.grads(f)([q, k, v]); }));
  });

  test(`[${backend}] multi-head attention: one head is plain attention; heads are independent; shapes are checked`, async () => {
    await tf.setBackend(backend);
    const q = tf.randomNormal([1, 5, 4], 0, 1, 'float32', 1), k = tf.randomNormal([1, 3, 4], 0, 1, 'float32', 2), v = tf.randomNormal([1, 3, 4], 0, 1, 'float32', 3);
    const plain = tf.matMul(tf.softmax(tf.div(tf.matMul(q, k, false, true), 2)), v);
    assertClose(multiHeadAttention(q, k, v, 1).dataSync(), plain.dataSync(), 1e-5, 1e-6, 'one head');
    const two = multiHeadAttention(q, k, v, 2);
    const half = (t: tf.Tensor, h: number) => tf.slice(t, [0, 0, 2 * h], [-1, -1, 2]);
    for (const h of [0, 1]) assertClose(half(two, h).dataSync(), multiHeadAttention(half(q, h), half(k, h), half(v, h), 1).dataSync(), 1e-5, 1e-6, `head ${h}`);
    assert.throws(() => multiHeadAttention(q, k, v, 3), /4 channels do not split into 3 heads/);
    assert.throws(() => multiHeadAttention(q, tf.ones([1, 3, 2]), v, 2), /do not agree/);
  });
}
