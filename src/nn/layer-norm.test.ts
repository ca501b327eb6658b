import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../core/tf.js';
import { assertClose, assertNoLeak, numericalGradient, testBackends } from '../core/testing.js';
import { LayerNorm } from './layer-norm.js';
import { sinSeq } from './testing.js';

// PyTorch (float64): x = 2·sinSeq([2,3,4], .37, .1) + sinSeq([2,3,4], 1.3, .5), weight = 1 + sinSeq([4], .9, .3),
// bias = sinSeq([4], .6, .7), r = sinSeq([2,3,4], .29, .4); y = F.layer_norm(x, (4,), weight, bias, 1e-5);
// (y·r).sum().backward()
const Y = [-0.91235803, 3.5040387, 2.0342273, -0.19724816, 0.10124364, 2.9547985, 2.4907737, -1.0452623, 0.29486786, -0.4318284, 4.118908, -0.21271592, -0.005580437, -1.1722597, 0.97929261, 2.4120989, 0.27944193, -0.82781144, 0.061147842, 2.5199206, 2.1782464, 2.4192028, -0.3430294, -0.82283001];
const GX = [-0.50645924, -0.5085036, 0.59941852, 0.41554431, 0.13077868, 0.10675029, -0.1750779, -0.062451075, 2.387832, 0.80816485, -0.43290305, -2.7630938, 0.55111664, -0.17093327, -0.44012072, 0.059937343, -0.026120323, -0.13759154, 0.19016645, -0.026454591, -0.18878836, 0.18729605, 0.15224213, -0.15074982];
const GW = [-0.49150992, 3.5903905, 0.86005439, -4.382581];
const GB = [0.095560121, 0.26262691, 0.40776113, 0.5188423];

test('LayerNorm: PyTorch names, weight ones, bias zeros', () => {
  const ln = new LayerNorm(4);
  assert.deepEqual(ln.namedParameters().map(([n, v]) => [n, v.shape, [...v.dataSync()]]), [['weight', [4], [1, 1, 1, 1]], ['bias', [4], [0, 0, 0, 0]]]);
  assert.throws(() => ln.apply(tf.ones([2, 3])), /3 features.*normalises 4/);
  ln.dispose();
});

for (const backend of await testBackends()) {
  test(`[${backend}] LayerNorm over the last axis equals PyTorch's F.layer_norm, with its gradients`, async () => {
    await tf.setBackend(backend);
    const ln = new LayerNorm(4, 1e-5);
    ln.weight.assign(tf.add(sinSeq([4], 0.9, 0.3), 1));
    ln.bias.assign(sinSeq([4], 0.6, 0.7));
    const x = tf.add(tf.mul(sinSeq([2, 3, 4], 0.37, 0.1), 2), sinSeq([2, 3, 4], 1.3, 0.5));
    const r = sinSeq([2, 3, 4], 0.29, 0.4);
    const y = assertNoLeak(() => ln.apply(x));
    assertClose(y.dataSync(), Y, 1e-5, 1e-6, 'y');
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(ln.apply(x), r)) as tf.Scalar, [ln.weight, ln.bias]);
    assertClose(grads[ln.weight.name].dataSync(), GW, 1e-5, 1e-6, 'dL/dweight');
    assertClose(grads[ln.bias.name].dataSync(), GB, 1e-5, 1e-6, 'dL/dbias');
    const f = (v: tf.Tensor) => tf.sum(tf.mul(ln.apply(v), r));
    const gx = tf.grad(f)(x);
    assertClose(gx.dataSync(), GX, 1e-5, 1e-6, 'dL/dx');
    assertClose(gx.dataSync(), numericalGradient(f, x, 1e-2), 2e-2, 5e-3, 'dL/dx vs finite differences');
    assert.deepEqual(ln.apply(tf.ones([2, 4])).shape, [2, 4]);
    assertNoLeak(() => tf.tidy(() => { tf.grad(f)(x); }));
    ln.dispose();
  });
}
