// SGD (PyTorch's formulation) against hand-computed steps, on every backend (onednn updates in place natively).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../core/tf.js';
import { assertClose, testBackends } from '../core/testing.js';
import { Sgd } from './sgd.js';

/** PyTorch's torch.optim.SGD on one parameter, in float64: d = g + wd·p; b = μ·b + d (b = d first); p −= lr·(d + μ·b | b). */
function reference(p0: number[], grads: number[][], lr: number, mu: number, wd: number, nesterov: boolean): number[] {
  const p = [...p0];
  let b: number[] | undefined;
  for (const g of grads) {
    const d = g.map((v, i) => v + wd * p[i]);
    b = b ? b.map((v, i) => mu * v + d[i]) : [...d];
    for (let i = 0; i < p.length; i++) p[i] -= lr * (nesterov ? d[i] + mu * b[i] : b[i]);
  }
  return p;
}

for (const backend of await testBackends()) {
  test(`[${backend}] Sgd: three steps equal PyTorch's (Nesterov and plain, weight decay); the state round-trips; no leak`, async () => {
    await tf.setBackend(backend);
    const p0 = [0.5, -1, 2, 0.25, -0.75];
    const grads = [[0.1, -0.2, 0.3, 0, 1], [-0.5, 0.25, 0, 0.1, -1], [0.2, 0.2, -0.2, -0.4, 0.5]];
    for (const nesterov of [true, false]) {
      const init = tf.tensor(p0);
      const p = tf.variable(init, true, `p-${backend}-${nesterov}`);
      init.dispose(); // the variable is its storage's sole owner, as a model's parameters are
      const opt = new Sgd({ momentum: 0.99, nesterov, weightDecay: 3e-5 });
      const before = tf.memory().numTensors;
      const storage = p.dataId;
      for (const g of grads.slice(0, 2)) tf.tidy(() => opt.step([p], [tf.tensor(g)], 0.01));
      assert.equal(p.dataId === storage, backend === 'onednn', 'onednn updates the parameter in place (native), other backends assign');
      assert.equal(tf.memory().numTensors, before + 1, 'one momentum buffer, nothing else kept');
      // a checkpoint's state loaded into a fresh optimiser continues exactly
      const resumed = new Sgd({ momentum: 0.99, nesterov, weightDecay: 3e-5 });
      resumed.loadState([['p', p]], opt.stateTensors([['p', p]]), opt.t);
      tf.tidy(() => resumed.step([p], [tf.tensor(grads[2])], 0.01));
      assertClose(p.dataSync(), reference(p0, grads, 0.01, 0.99, 3e-5, nesterov), 1e-6, 1e-6, `nesterov ${nesterov}`);
      opt.dispose();
      resumed.dispose();
      p.dispose();
    }
  });
}
