import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, type Tensor } from '../../../core/tf.js';
import { Rng } from '../../../core/rng.js';
import { assertClose, testBackends, toChannelsLast } from '../../../core/testing.js';
import { loadStateDict } from '../../../io/weights.js';
import type { SafeTensor } from '../../../io/safetensors.js';
import { GridAttentionGate } from './grid-attention-gate.js';

/** sin(a·i + b) over a tensor's flat (PyTorch, NCHW) index: the same numbers the PyTorch script below makes. */
const seq = (shape: number[], a: number, b: number): SafeTensor => ({
  dtype: 'F32', shape, data: Float32Array.from({ length: shape.reduce((p, q) => p * q, 1) }, (_, i) => Math.sin(a * i + b)),
});

/*
 * The expected numbers, from PyTorch 2 (CPU) with the gate written after the reference implementation's
 * 'concatenation' mode (ozan-oktay/Attention-Gated-Networks, models/layers/grid_attention_layer.py):
 *
 *   theta = Conv2d(2, 1, 2, 2, 0, bias=False); phi = Conv2d(3, 1, 1); psi = Conv2d(1, 1, 1)
 *   W = Sequential(Conv2d(2, 2, 1), BatchNorm2d(2))
 *   forward(x, g): f = relu(theta(x) + phi(g)); a = sigmoid(psi(f))
 *                  a = F.interpolate(a, size=x.shape[2:], mode='bilinear', align_corners=False); return W(a * x)
 *   every float entry k of the state_dict (in its order) = sin(1.3 i + k); x = sin(0.7 i + 0.1) [1, 2, 4, 6];
 *   g = sin(0.9 i + 0.2) [1, 3, 2, 3]; r = sin(0.5 i + 0.3) [1, 2, 4, 6]; train mode; (W(..) * r).sum().backward()
 */
const Y = [0.94533, 0.251212, -0.00282127, 0.273144, 0.874935, 1.47362, 2.0841, 2.09993, 1.63274, 0.951043, 0.410984, 0.210999, 0.338518, 0.885723, 1.51242, 1.91895, 1.92227, 1.53999, 0.951175, 0.431046, 0.215877, 0.402722, 0.91113, 1.50958, -0.678681, 0.411672, 1.23714, 1.40146, 0.902632, 0.112215, -0.8585, -1.4194, -1.27312, -0.545132, 0.349769, 1.00572, 1.30323, 0.906841, 0.0973284, -0.727561, -1.18174, -1.07794, -0.463866, 0.354006, 1.01078, 1.20487, 0.841569, 0.0736272];
const DX = [-1.07013, -0.510212, 0.21402, 0.787809, 0.829409, 0.768721, 0.636142, 0.243861, -0.192527, -0.643209, -0.697483, -0.701483, -0.633053, -0.420316, -0.156192, 0.117395, 0.361774, 0.411993, 0.602557, 0.534877, 0.32034, -0.0112789, -0.464938, -0.645843, -0.31891, 0.218534, 0.606271, 0.923486, 0.789793, 0.527701, 0.131125, -0.323985, -0.55206, -0.77462, -0.742105, -0.552025, -0.297232, 0.0259105, 0.307003, 0.496906, 0.686473, 0.496911, 0.365461, 0.125543, -0.161101, -0.440454, -0.78458, -0.774915];
const DTHETA = [0.23339, 0.117089, -0.0313291, 0.137194, -0.0229004, 0.144228, -0.207598, -0.250934]; // PyTorch layout [1, 2, 2, 2]
const DPHI = [0.220934, 0.147533, -0.0336579];
const DPSI_BIAS = [0.00442418];
const RUNNING_MEAN = [0.339745, -0.603274];

const toNchw = (t: Tensor) => tf.transpose(t, [0, 3, 1, 2]);

for (const backend of await testBackends()) {
  test(`[${backend}] GridAttentionGate (Oktay 2018) equals PyTorch's reference form: output, dx, dθ, dφ, dψ-bias, BatchNorm statistics`, async () => {
    await tf.setBackend(backend);
    const gate = new GridAttentionGate(2, 3, 2, 1, 2, new Rng(0));
    const names = ['theta.weight', 'phi.weight', 'phi.bias', 'psi.weight', 'psi.bias', 'W.0.weight', 'W.0.bias', 'W.1.weight', 'W.1.bias', 'W.1.running_mean', 'W.1.running_var'];
    const shapes = [[1, 2, 2, 2], [1, 3, 1, 1], [1], [1, 1, 1, 1], [1], [2, 2, 1, 1], [2], [2], [2], [2], [2]];
    const state = new Map<string, SafeTensor>(names.map((n, k) => [n, seq(shapes[k], 1.3, k)]));
    state.set('W.1.num_batches_tracked', { dtype: 'I64', shape: [], data: new Int32Array([0]) });
    loadStateDict(gate, state, 'formula weights');
    gate.train();
    const [x, g, r] = [toChannelsLast(seq([1, 2, 4, 6], 0.7, 0.1)), toChannelsLast(seq([1, 3, 2, 3], 0.9, 0.2)), toChannelsLast(seq([1, 2, 4, 6], 0.5, 0.3))];
    const params = new Map(gate.namedParameters());
    const xv = tf.variable(x, true, `gate-x-${backend}`);
    const watched = [xv, params.get('theta.weight')!, params.get('phi.weight')!, params.get('psi.bias')!];
    let y: Tensor | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const out = gate.apply(g, xv);
      y = tf.keep(toNchw(out));
      return tf.sum(tf.mul(out, r)) as tf.Scalar;
    }, watched);
    assertClose(y!.dataSync(), Y, 1e-5, 1e-5, 'output');
    assertClose(toNchw(grads[xv.name]).dataSync(), DX, 1e-5, 1e-5, 'dx');
    assertClose(tf.transpose(grads[watched[1].name], [3, 2, 0, 1]).dataSync(), DTHETA, 1e-5, 1e-5, 'dθ');
    assertClose(grads[watched[2].name].dataSync(), DPHI, 1e-5, 1e-5, 'dφ');
    assertClose(grads[watched[3].name].dataSync(), DPSI_BIAS, 1e-4, 1e-6, 'dψ bias');
    assertClose(new Map(gate.namedBuffers()).get('W.1.running_mean')!.dataSync(), RUNNING_MEAN, 1e-5, 1e-5, 'running mean');
    tf.dispose([x, g, r, xv, y!, value, ...Object.values(grads)]);
    gate.dispose();
  });
}

test('GridAttentionGate in 3-D, stride 3 and stride 1: shapes and gradients reach every parameter but the folded W bias', async () => {
  await tf.setBackend('cpu');
  for (const [s, size] of [[3, 6], [1, 4]]) {
    const gate = new GridAttentionGate(3, 4, 2, 1, s, new Rng(1)).train();
    const x = tf.randomNormal([1, size, size, 2 * size, 2], 0, 1, 'float32', 1);
    const g = tf.randomNormal([1, size / s, size / s, (2 * size) / s, 4], 0, 1, 'float32', 2);
    const named = gate.namedParameters();
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(gate.apply(g, x))) as tf.Scalar, named.map(([, v]) => v));
    assert.deepEqual(named.filter(([, v]) => !grads[v.name]).map(([n]) => n), ['W.0.bias'], `stride ${s}: only W's conv bias (cancelled by its BatchNorm) gets no gradient`);
    tf.dispose([x, g, value, ...Object.values(grads)]);
    gate.dispose();
  }
});
