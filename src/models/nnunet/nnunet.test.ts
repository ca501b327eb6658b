import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../core/tf.js';
import { NnUNet } from './nnunet.js';
import { resolveNnUNetOptions } from './options.js';
import { nnunetGeometry, nnunetParams, nnunetStages, strideProduct } from './plan.js';
import { paramsOf, presetSpec } from '../registry.js';

const tiny = { spatialDims: 3 as const, features: [4, 8, 16], kernels: [[1, 3, 3], [3, 3, 3], [3, 3, 3]], strides: [[1, 1, 1], [1, 2, 2], [2, 2, 2]], classes: 2 };

test('params(): equals the built network and PyTorch’s count for the parity config (20,188)', () => {
  const o = resolveNnUNetOptions(tiny);
  assert.equal(nnunetParams(o), 20188);
  const net = new NnUNet(tiny);
  assert.equal(net.parameterCount(), 20188);
  net.dispose();
});

test('geometry: multiples of the product of strides per axis, with the nearest sizes named', () => {
  const o = resolveNnUNetOptions(tiny);
  assert.deepEqual(strideProduct(o), [2, 4, 4]);
  const g = nnunetGeometry(o);
  assert.deepEqual(g.output([6, 12, 16]), [6, 12, 16]);
  assert.equal(g.axis(12, 1).out, 12);
  assert.match(g.axis(10, 1).error!, /not a multiple of 4/);
  assert.deepEqual(g.nearest(10, 1), { below: 8, above: 12 });
  assert.throws(() => g.output([6, 10, 16]), /axis 1: .*nearest valid sizes: 8 or 12/);
  assert.throws(() => resolveNnUNetOptions({ ...tiny, kernels: [[2, 3, 3], [3, 3, 3], [3, 3, 3]] }), /kernels\[0\]\[0\] must be odd/);
  assert.throws(() => resolveNnUNetOptions({ ...tiny, strides: [[1, 1, 1]] }), /strides must be a list of 3/);
});

test('heads highest resolution first, at their stages’ sizes; forward is head 0; no leaks', () => {
  const net = new NnUNet(tiny);
  const before = tf.memory().numTensors;
  const x = tf.randomNormal([1, 4, 8, 8, 1]);
  const hs = net.heads!(x);
  assert.deepEqual(hs.map((h) => h.shape), [[1, 4, 8, 8, 2], [1, 4, 4, 4, 2]]);
  const y = net.forward(x);
  assert.deepEqual(y.shape, [1, 4, 8, 8, 2]);
  tf.dispose([x, y, ...hs]);
  assert.equal(tf.memory().numTensors, before);
  net.dispose();
});

test('stages: encoder, decoder, heads; parameters sum to params()', () => {
  const o = resolveNnUNetOptions(tiny);
  const st = nnunetStages(o, [6, 12, 16]);
  assert.deepEqual(st.filter((s) => s.kind === 'encoder' || s.kind === 'bottleneck').map((s) => s.size), [[6, 12, 16], [6, 6, 8], [3, 3, 4]]);
  assert.equal(st.reduce((a, s) => a + s.params, 0), nnunetParams(o));
});

test('presets: nnunet2d and nnunet3d resolve through the registry', () => {
  assert.ok(paramsOf(presetSpec('nnunet3d')) > 1e6);
  assert.ok(paramsOf(presetSpec('nnunet2d')) > 1e6);
  const net = new NnUNet({ ...presetSpec('nnunet2d', { features: [2, 4] }).options });
  const y = net.forward(tf.zeros([1, 8, 8, 1]));
  assert.deepEqual(y.shape, [1, 8, 8, 2]);
  y.dispose();
  net.dispose();
});
