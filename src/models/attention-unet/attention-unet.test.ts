import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, type Tensor } from '../../core/tf.js';
import { assertNoLeak, testBackends } from '../../core/testing.js';
import { variableGrads } from '../../core/grad.js';
import { assertVariantParity, readVariantFixture } from '../parity-testing.js';
import { architectures, createNet, geometryOf, paramsOf, presetSpec, resolveSpec, stagesOf } from '../registry.js';
import { Adam } from '../../train/adam.js';
import { AttentionUNet } from './attention-unet.js';
import { attentionUNet } from './index.js';
import { fromMonai, resolveOptions, type AttentionUNetOptions } from './options.js';

const FIXTURES = ['attention_unet2d', 'attention_unet3d'];

/** Conv biases that feed a normalisation: it cancels them, so in training no gradient reaches them (see normAfterConv). */
const foldedBias = (name: string) => (name.endsWith('.conv.bias') && name !== 'model.2.conv.bias') || name.endsWith('.attention.W.0.bias');

// (a) Parity with MONAI's AttentionUnet (../shared/reference/variants.py, bit-identical to MONAI @d388d1c6): eval and
// train outputs, the gradient of every parameter of sum(out²), every BatchNorm statistic after the train pass, no
// leaks, at the helper's tolerance 1e-4·max(1, max|ref|). No opt-in: the conv biases that feed a norm have an exact
// zero gradient here (no gradient reaches them) and PyTorch's round-off there is ≤ 2.4e-5.
for (const backend of await testBackends()) {
  for (const name of FIXTURES) {
    test(`[${backend}] parity with MONAI AttentionUnet (${name}): outputs, every gradient, BatchNorm statistics, no leaks`, async () => {
      await tf.setBackend(backend);
      const f = readVariantFixture(name);
      const net = createNet(resolveSpec('attention-unet', { ...fromMonai(f.options) }));
      const compared = assertVariantParity(net, f);
      assert.equal(compared, [...f.io.keys()].filter((k) => k.startsWith('grad.')).length, 'every parameter\'s gradient compared');
    });
  }
}

test('state-dict names: MONAI\'s keys, parameters in PyTorch\'s named_parameters order', () => {
  for (const name of FIXTURES) {
    const f = readVariantFixture(name);
    const net = new AttentionUNet(fromMonai(f.options));
    const grads = [...f.io.keys()].filter((k) => k.startsWith('grad.')).map((k) => k.slice(5));
    assert.deepEqual(net.namedParameters().map(([n]) => n), grads, `${name}: named_parameters order`);
    assert.deepEqual(net.stateEntries().map(([n]) => n).sort(), [...f.state.keys()].sort(), `${name}: the state dict's keys`);
    net.dispose();
  }
});

// (b) The pinned presets: weight-free count and the built network's, BatchNorm buffers apart (README).
test('pinned presets: 1,987,434 (2-D) and 5,909,130 (3-D) trainable parameters, by arithmetic and built; 26 BatchNorms, 2,952 statistics', () => {
  for (const [preset, params] of [['attention-unet2d', 1_987_434], ['attention-unet3d', 5_909_130]] as const) {
    const spec = presetSpec(preset);
    assert.equal(paramsOf(spec), params, `${preset}: params()`);
    const net = createNet(spec);
    assert.equal(net.parameterCount(), params, `${preset}: built`);
    const buffers = net.namedBuffers();
    assert.equal(buffers.filter(([n]) => n.endsWith('num_batches_tracked')).length, 26, `${preset}: BatchNorm layers`);
    assert.equal(buffers.filter(([n]) => /running_(mean|var)$/.test(n)).reduce((s, [, v]) => s + v.size, 0), 2952, `${preset}: running statistics`);
    net.dispose();
  }
  for (const [preset, overrides] of [['attention-unet-small2d', {}], ['attention-unet-small3d', {}], ['attention-unet2d', { gate: 'oktay' }], ['attention-unet3d', { gate: 'oktay', strides: [2, 1, 3, 2] }]] as const) {
    const spec = presetSpec(preset, overrides);
    const net = createNet(spec);
    assert.equal(paramsOf(spec), net.parameterCount(), `${preset} ${JSON.stringify(overrides)}: params() = built`);
    net.dispose();
  }
});

// (c) Geometry.
test('geometry: same padding, stride = product of the strides, refused sizes name the level and the nearest valid sizes', () => {
  const g = geometryOf(presetSpec('attention-unet2d'));
  assert.equal(g.padding, 'same');
  assert.equal(g.stride, 16);
  assert.equal(g.fixed, undefined);
  assert.deepEqual(g.axis(256), { out: 256 });
  assert.deepEqual(g.output([96, 80]), [96, 80]);
  assert.match(g.axis(100).error!, /level 2 has size 25, not a multiple of its stride 2: the strided conv gives 13 and the transposed conv returns 26/);
  assert.deepEqual(g.nearest(100), { below: 96, above: 112 });
  assert.deepEqual(g.nearest(5), { above: 16 });
  assert.throws(() => g.output([100, 96]), /input 100x96 does not fit this Attention U-Net \(strides 2,2,2,2: every size must be a multiple of 16\): axis 0 size 100: .*nearest valid sizes: 96 or 112/);
  assert.throws(() => g.output([64]), /has 1 axes; this 2-D network needs 2/);
  const odd = attentionUNet.geometry(attentionUNet.resolve({ channels: [4, 8, 16, 32], strides: [2, 1, 3] }));
  assert.equal(odd.stride, 6);
  assert.deepEqual(odd.axis(18), { out: 18 });
  assert.match(odd.axis(8).error!, /level 2 has size 4, not a multiple of its stride 3/);
  assert.deepEqual(odd.nearest(8), { below: 6, above: 12 });
  assert.match(odd.axis(0).error!, /positive integer/);
});

test('forward refuses a wrong rank, channel count or size before any work, naming the rule', () => {
  const m = new AttentionUNet({ channels: [2, 4, 8], strides: [2, 2] });
  const bad = [tf.zeros([1, 32, 32]), tf.zeros([1, 32, 32, 3]), tf.zeros([1, 30, 32, 1])];
  assert.throws(() => m.forward(bad[0]), /rank 3; a 2-D Attention U-Net takes rank 4 \(\[B, H, W, C\]\)/);
  assert.throws(() => m.forward(bad[1]), /3 channels; this Attention U-Net takes 1/);
  assert.throws(() => m.forward(bad[2]), /axis 0 size 30: level 1 has size 15, not a multiple of its stride 2.*nearest valid sizes: 28 or 32/);
  tf.dispose(bad);
  m.dispose();
});

// (d) Shapes over 2-D, 3-D, odd strides and sizes, every option; (f) no leaks in forward or in a gradient step.
const SHAPES: [string, AttentionUNetOptions, number[]][] = [
  ['2-D, non-square', { channels: [2, 4, 8], strides: [2, 2] }, [2, 32, 48, 1]],
  ['2-D, a stride-1 level, kernels 5, dropout, 3 classes, 2 channels in', { channels: [4, 6, 8, 10], strides: [2, 1, 2], kernelSize: 5, upKernelSize: 5, dropout: 0.2, classes: 3, inChannels: 2 }, [1, 20, 12, 2]],
  ['2-D, strides 3, odd sizes, odd channels', { channels: [3, 5, 7], strides: [3, 3], classes: 1 }, [1, 27, 9, 1]],
  ['3-D, D ≠ H ≠ W', { spatialDims: 3, channels: [2, 4, 8], strides: [2, 2] }, [1, 8, 16, 12, 1]],
  ['3-D, odd sizes, strides 3 and 1, kernel 1', { spatialDims: 3, channels: [2, 4, 6], strides: [3, 1], kernelSize: 1, upKernelSize: 1 }, [2, 9, 3, 15, 1]],
  ['2-D, Oktay gates, strides 2, 1, 3', { channels: [2, 4, 6, 8], strides: [2, 1, 3], gate: 'oktay', classes: 3 }, [2, 12, 18, 1]],
  ['3-D, Oktay gates', { spatialDims: 3, channels: [2, 4, 8], strides: [2, 2], gate: 'oktay', dropout: 0.1 }, [1, 8, 12, 4, 1]],
];

for (const backend of await testBackends()) {
  for (const [label, opts, shape] of SHAPES) {
    test(`[${backend}] ${label}: output [B, ...S, classes] in train and eval, every parameter trained, no leaks`, async () => {
      await tf.setBackend(backend);
      const m = new AttentionUNet(opts);
      const x = tf.randomNormal(shape, 0, 1, 'float32', 1);
      for (const training of [true, false]) {
        m.train(training);
        const y = assertNoLeak(() => m.forward(x));
        assert.deepEqual(y.shape, [shape[0], ...m.geometry.output(shape.slice(1, -1)), m.options.classes]);
        assert.ok(Number.isFinite(tf.sum(y).dataSync()[0]));
        y.dispose();
      }
      m.train();
      const named = m.namedParameters();
      assertNoLeak(() => tf.tidy(() => {
        const { value, grads } = variableGrads(() => tf.mean(tf.square(m.forward(x))) as tf.Scalar, named.map(([, v]) => v));
        const reached = new Set(Object.keys(grads));
        for (const [n, v] of named) assert.equal(reached.has(v.name), !foldedBias(n), `${n}: ${foldedBias(n) ? 'cancelled by its norm, no gradient' : 'has a gradient'}`);
        tf.dispose([value, ...Object.values(grads)]);
      }));
      x.dispose();
      m.dispose();
    });
  }

  test(`[${backend}] dropout: seeded (same seed, same masks), absent in eval, and it changes the training output`, async () => {
    await tf.setBackend(backend);
    const opts = { channels: [2, 4, 8], strides: [2, 2], dropout: 0.3, seed: 5 };
    const [a, b, c] = [new AttentionUNet(opts), new AttentionUNet(opts), new AttentionUNet({ ...opts, dropout: 0 })];
    const x = tf.randomNormal([1, 16, 16, 1], 0, 1, 'float32', 2);
    const run = (m: AttentionUNet, training: boolean) => { m.train(training); const y = m.forward(x); const v = Array.from(y.dataSync()); y.dispose(); return v; };
    // eval first: a training pass updates the BatchNorm statistics, differently with and without dropout
    assert.deepEqual(run(a, false), run(c, false), 'no dropout in eval; dropout leaves the initial weights as they are');
    assert.deepEqual(run(a, true), run(b, true), 'same seed, same masks');
    assert.notDeepEqual(run(a, true), run(c, true), 'dropout acts in training');
    tf.dispose(x);
    [a, b, c].forEach((m) => m.dispose());
  });
}

// (e) Options.
test('resolve: defaults filled once, idempotent and JSON; bad options refused naming the option, the value and the rule', () => {
  const r = resolveOptions({});
  assert.deepEqual(r, { spatialDims: 2, inChannels: 1, classes: 2, channels: [16, 32, 64, 128, 256], strides: [2, 2, 2, 2], kernelSize: 3, upKernelSize: 3, dropout: 0, gate: 'monai', seed: 0 });
  assert.deepEqual(resolveOptions(r), r);
  assert.deepEqual(JSON.parse(JSON.stringify(r)), r);
  assert.deepEqual(resolveOptions({ channels: [4, 8, 16] }).strides, [2, 2], 'strides default to 2 per step down');
  const bad: [AttentionUNetOptions, RegExp][] = [
    [{ channel: [4, 8] } as AttentionUNetOptions, /option 'channel' is not an option of attention-unet; did you mean 'channels'\?/],
    [{ channels: [16] }, /option channels must have at least 2 entries/],
    [{ channels: [1, 8] }, /option channels\[0\] must be an integer ≥ 2, got 1/],
    [{ channels: [4, 8, 16], strides: [2] }, /option strides must have one entry per step down \(channels has 3 entries, so 2\), got \[2\]/],
    [{ strides: [2, 0, 2, 2] }, /option strides\[1\] must be an integer ≥ 1, got 0/],
    [{ kernelSize: 4 }, /option kernelSize must be odd .*got 4/],
    [{ upKernelSize: 2 }, /option upKernelSize must be odd .*got 2/],
    [{ dropout: 1 }, /option dropout must be a number in \[0, 1\), got 1/],
    [{ dropout: -0.1 }, /option dropout must be a number in \[0, 1\], got -0.1/],
    [{ spatialDims: 4 as 2 }, /option spatialDims must be 2 or 3, got 4/],
    [{ classes: 0 }, /option classes must be an integer ≥ 1, got 0/],
    [{ seed: 1.5 }, /option seed must be an integer ≥ 0, got 1.5/],
    [{ gate: 'okay' as 'oktay' }, /unknown gate 'okay'; did you mean 'oktay'\?/],
  ];
  for (const [o, re] of bad) assert.throws(() => resolveOptions(o), re);
  assert.deepEqual(fromMonai({ spatial_dims: 3, in_channels: 1, out_channels: 2, channels: [4, 8], strides: [2], kernel_size: 3, up_kernel_size: 3, dropout: 0.1 }),
    { spatialDims: 3, inChannels: 1, classes: 2, channels: [4, 8], strides: [2], kernelSize: 3, upKernelSize: 3, dropout: 0.1 });
  assert.throws(() => fromMonai({ act: 'relu' }), /argument 'act' has no counterpart here/);
});

test('create(resolve(x)) equals create(resolve(resolve(x))): same weights from the same seed', () => {
  const o = attentionUNet.resolve({ channels: [2, 4, 8], seed: 3 });
  const [a, b] = [attentionUNet.create(o), attentionUNet.create(attentionUNet.resolve({ ...o }))];
  assert.deepEqual(a.spec, b.spec);
  const wa = a.namedParameters(), wb = b.namedParameters();
  wa.forEach(([n, v], i) => assert.deepEqual(Array.from(v.dataSync()), Array.from(wb[i][1].dataSync()), n));
  assert.notDeepEqual(Array.from(attentionUNet.create(attentionUNet.resolve({ channels: [2, 4, 8], seed: 4 })).namedParameters()[0][1].dataSync()), Array.from(wa[0][1].dataSync()), 'another seed, other weights');
  a.dispose(); b.dispose();
});

test('stages: the topology with gates, sizes at an input, every parameter in exactly one stage', () => {
  const spec = presetSpec('attention-unet2d');
  const stages = stagesOf(spec, [64, 48]);
  assert.deepEqual(stages.map((s) => s.name), ['input', 'enc1', 'enc2', 'enc3', 'enc4', 'bottleneck', 'up1', 'gate1', 'dec1', 'up2', 'gate2', 'dec2', 'up3', 'gate3', 'dec3', 'up4', 'gate4', 'dec4', 'out']);
  const by = new Map(stages.map((s) => [s.name, s]));
  assert.deepEqual(by.get('bottleneck')!.size, [4, 3]);
  assert.deepEqual([by.get('bottleneck')!.level, by.get('bottleneck')!.channels, by.get('bottleneck')!.module], [4, 256, 'model.1.submodule.1.submodule.1.submodule.1.submodule']);
  assert.deepEqual(by.get('gate1')!, { ...by.get('gate1')!, kind: 'gate', level: 3, size: [8, 6], from: ['enc4', 'up1'], module: 'model.1.submodule.1.submodule.1.submodule.1.attention' });
  assert.deepEqual([by.get('dec4')!.from, by.get('dec4')!.size, by.get('dec4')!.inChannels], [['up4', 'gate4'], [64, 48], 32]);
  assert.deepEqual(by.get('out')!.from, ['dec4']);
  assert.equal(stages.reduce((n, s) => n + s.params, 0), 1_987_434);
  const net = createNet(spec);
  // every stage's module is a subtree of its own (a level's step down and deeper levels are stages of their own)
  for (const s of stages.filter((st) => st.module !== '—')) {
    const own = net.namedParameters().filter(([n]) => n.startsWith(`${s.module}.`));
    assert.ok(own.length > 0, `${s.name}: module ${s.module} is in the state dict`);
    assert.equal(own.reduce((p, [, v]) => p + v.size, 0), s.params, `${s.name}: the parameters of ${s.module}`);
  }
  net.dispose();
  assert.deepEqual(stagesOf(spec, [100, 96]).find((s) => s.name === 'bottleneck')!.size, [], 'no sizes for an input that does not fit');
  assert.deepEqual(stagesOf(spec, []).find((s) => s.name === 'out')!.size, [256, 256], 'the default input without one');
  // Oktay's gates read the coarser level's output (before up-sampling), not the up-sampled feature
  const oktay = stagesOf(presetSpec('attention-unet2d', { gate: 'oktay' }), [64, 48]);
  assert.deepEqual(oktay.find((st) => st.name === 'gate1')!.from, ['enc4', 'bottleneck']);
  assert.deepEqual(oktay.find((st) => st.name === 'gate2')!.from, ['enc3', 'dec1']);
  assert.equal(oktay.reduce((n, st) => n + st.params, 0), paramsOf(presetSpec('attention-unet2d', { gate: 'oktay' })));
});

test('registry: the architecture, its presets (a train preset first among train), tiny network trains 2 Adam steps', () => {
  assert.equal(architectures.get('attention-unet'), attentionUNet as never);
  const trainPresets = Object.entries(attentionUNet.presets).filter(([, p]) => p.role === 'train').map(([n]) => n);
  assert.deepEqual(trainPresets, ['attention-unet-small2d', 'attention-unet-small3d']);
  const spec = presetSpec('attention-unet-small2d', attentionUNet.tiny);
  const net = createNet(spec).train();
  const x = tf.randomNormal([2, 16, 16, 1], 0, 1, 'float32', 3);
  const target = tf.cast(tf.greater(x, 0), 'float32');
  const opt = new Adam({ lr: 1e-2 });
  const params = net.namedParameters().map(([, v]) => v);
  const before = params.map((p) => p.dataSync().slice());
  const losses: number[] = [];
  for (let i = 0; i < 2; i++) {
    // as src/train/step.ts: parameters the loss does not reach (the folded biases) are left as they are
    const { value, grads } = variableGrads(() => tf.tidy(() => tf.losses.sigmoidCrossEntropy(target, net.forward(x))) as tf.Scalar, params);
    const reached = params.filter((p) => grads[p.name] !== undefined);
    opt.step(reached, reached.map((p) => grads[p.name]));
    losses.push(value.dataSync()[0]);
    tf.dispose([value, ...Object.values(grads)]);
  }
  assert.ok(losses.every(Number.isFinite));
  const moved = params.filter((p, i) => p.dataSync().some((v, j) => v !== before[i][j])).length;
  assert.equal(moved, net.namedParameters().filter(([n]) => !foldedBias(n)).length, 'every reached parameter moved');
  tf.dispose([x, target]);
  opt.dispose?.();
  net.dispose();
});

// (f) Leaks across the whole life of a network: build, run, dispose.
test('a network built, run and disposed leaves no tensor behind', () => {
  const before = tf.memory().numTensors;
  const m = new AttentionUNet({ spatialDims: 3, channels: [2, 4], strides: [2] });
  const x: Tensor = tf.ones([1, 4, 4, 4, 1]);
  tf.dispose([m.forward(x), x]);
  m.eval();
  const x2 = tf.ones([1, 4, 4, 4, 1]);
  tf.dispose([m.forward(x2), x2]);
  m.dispose();
  assert.equal(tf.memory().numTensors, before);
});
