import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../core/tf.js';
import { Rng } from '../core/rng.js';
import { assertClose, assertNoLeak, numericalGradient, testBackends } from '../core/testing.js';
import { Linear } from './linear.js';
import { sinSeq } from './testing.js';

// PyTorch (float64): x = sinSeq([2,3,4], .37, .1), W = sinSeq([5,4], .53, .2), b = sinSeq([5], .71, .3),
// r = sinSeq([2,3,5], .29, .4); y = F.linear(x, W, b); (y·r).sum().backward()
const Y = [2.2395653, 0.22403175, -0.3049418, 2.6266222, -0.76502704, 2.2367831, 1.369874, -1.4984377, 2.7268091, 0.32387201, -1.2964899, 1.5644821, 1.8316613, -0.94447676, 0.82665553, -1.934443, 0.45393072, 3.6290481, -1.7104266, -0.17106712, 1.4831416, 0.057931622, 0.62489314, 1.8219594, -0.85478091, 2.7408505, 1.0966712, -1.7172769, 3.2284836, 0.018954866];
const GX = [0.68237176, 0.54237382, 0.25355618, -0.1048337, 0.37956578, 0.57515928, 0.61293721, 0.48253383, -0.59089431, -0.40375725, -0.10583491, 0.22112703, -0.52197458, -0.67246701, -0.63844401, -0.42924099, 0.46509554, 0.24168898, -0.048033627, -0.32457648, 0.63406518, 0.73071539, 0.62686764, 0.35101626];
const GW = [2.9119054, 3.0643439, 2.8020378, 2.1604891, 2.6843989, 3.1405315, 3.1716079, 2.773422, 2.2327122, 2.9544462, 3.2763098, 3.1547403, 1.5945667, 2.5216285, 3.1073998, 3.272599, 0.82325536, 1.878224, 2.6789838, 3.1171557];
const GB = [1.0898334, 1.3001692, 1.4019249, 1.3866026, 1.2554821];

test('Linear: PyTorch names, layout [out, in] and default init U(±1/√in)', () => {
  const l = new Linear(4, 5, true, new Rng(1));
  assert.deepEqual(l.namedParameters().map(([n, v]) => [n, v.shape]), [['weight', [5, 4]], ['bias', [5]]]);
  for (const v of [l.weight, l.bias!]) for (const x of v.dataSync()) assert.ok(Math.abs(x) <= 0.5, `${x} outside ±1/√4`);
  assert.equal(l.parameterCount(), 25);
  assert.deepEqual(new Linear(4, 5, false, new Rng(1)).namedParameters().map(([n]) => n), ['weight']);
  assert.throws(() => new Linear(0, 5, true, new Rng(1)), /positive integers/);
  l.dispose();
});

for (const backend of await testBackends()) {
  test(`[${backend}] Linear on a rank-3 tensor equals PyTorch's F.linear, with its gradients`, async () => {
    await tf.setBackend(backend);
    const l = new Linear(4, 5, true, new Rng(1));
    l.weight.assign(sinSeq([5, 4], 0.53, 0.2));
    l.bias!.assign(sinSeq([5], 0.71, 0.3));
    const x = sinSeq([2, 3, 4], 0.37, 0.1);
    const r = sinSeq([2, 3, 5], 0.29, 0.4);
    const y = assertNoLeak(() => l.apply(x));
    assert.deepEqual(y.shape, [2, 3, 5]);
    assertClose(y.dataSync(), Y, 1e-6, 1e-6, 'y');
    const loss = () => tf.sum(tf.mul(l.apply(x), r)) as tf.Scalar;
    const { grads } = tf.variableGrads(loss, [l.weight, l.bias!]);
    assertClose(grads[l.weight.name].dataSync(), GW, 1e-6, 1e-6, 'dL/dW');
    assertClose(grads[l.bias!.name].dataSync(), GB, 1e-6, 1e-6, 'dL/db');
    const f = (v: tf.Tensor) => tf.sum(tf.mul(l.apply(v), r));
    const gx = tf.grad(f)(x);
    assertClose(gx.dataSync(), GX, 1e-6, 1e-6, 'dL/dx');
    assertClose(gx.dataSync(), numericalGradient(f, x, 1e-2), 1e-2, 2e-3, 'dL/dx vs finite differences');
    assert.deepEqual(l.apply(tf.ones([3, 4])).shape, [3, 5]);
    assert.deepEqual(l.apply(tf.ones([1, 2, 3, 2, 4])).shape, [1, 2, 3, 2, 5]);
    assert.throws(() => l.apply(tf.ones([3, 3])), /3 features.*takes 4/);
    assertNoLeak(() => tf.tidy(() => { tf.grad(f)(x); }));
    l.dispose();
  });
}
