/** UNETR: parameter counts (pinned and built), geometry, shapes in 2-D and 3-D, options, leaks, a tiny training run. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../core/tf.js';
import { testBackends } from '../../core/testing.js';
import { variableGrads } from '../../core/grad.js';
import { Adam } from '../../train/adam.js';
import { trainStep } from '../../train/step.js';
import { architectures, createNet, geometryOf, presetSpec, resolveSpec, stagesOf } from '../registry.js';
import { unetr } from './index.js';
import { UNETR } from './unetr.js';
import { resolveOptions, type ResolvedUNETROptions, type UNETROptions } from './options.js';
import { unetrParams, unetrStages } from './plan.js';

const small = (o: UNETROptions): UNETROptions => ({ featureSize: 2, hiddenSize: 8, mlpDim: 8, numHeads: 2, ...o });

test('pinned preset unetr = MONAI UNETR(1, 3, (96, 96, 96)): 92,783,859 parameters (params(); too big to build here)', () => {
  assert.equal(unetrParams(resolveOptions(presetSpec('unetr').options)), 92_783_859);
  assert.equal(architectures.get('unetr').params(unetr.resolve(unetr.presets.unetr.options)), 92_783_859);
});

// Counts from variants.py (`n_params(UNETR(...))`; the first four are the README's verification table).
const counted: [string, UNETROptions, number][] = [
  ['3-D feature 8, hidden 96, 3 heads, MLP 192, 32³', { spatialDims: 3, classes: 3, imgSize: [32, 32, 32], featureSize: 8, hiddenSize: 96, mlpDim: 192, numHeads: 3 }, 1_993_627],
  ['2-D, same widths, 64²', { spatialDims: 2, classes: 3, imgSize: [64, 64], featureSize: 8, hiddenSize: 96, mlpDim: 192, numHeads: 3 }, 1_190_923],
  ['2-D perceptron, BatchNorm, basic blocks, qkv bias, 2 in, 48×64', { spatialDims: 2, inChannels: 2, classes: 2, imgSize: [48, 64], featureSize: 8, hiddenSize: 96, mlpDim: 192, numHeads: 3, projType: 'perceptron', norm: 'batch', resBlock: false, qkvBias: true }, 1_208_514],
  ['3-D perceptron, convBlock false, 32×32×48', { spatialDims: 3, classes: 2, imgSize: [32, 32, 48], featureSize: 8, hiddenSize: 96, mlpDim: 192, numHeads: 3, projType: 'perceptron', convBlock: false }, 1_911_058],
  ['train preset unetr-small2d', presetSpec('unetr-small2d').options as UNETROptions, 4_738_289],
  ['train preset unetr-small', presetSpec('unetr-small').options as UNETROptions, 7_172_403],
];
for (const [label, o, want] of counted) {
  test(`parameters, ${label}: params() = built = PyTorch's ${want.toLocaleString('en')}`, () => {
    const r = resolveOptions(o);
    assert.equal(unetrParams(r), want);
    const net = new UNETR(r);
    assert.equal(net.parameterCount(), want);
    if (r.norm === 'batch') assert.equal(net.namedBuffers().length, 3 * 16, 'BatchNorm buffers (16 layers)');
    const stages = unetrStages(r, []);
    assert.equal(stages.reduce((n, s) => n + s.params, 0), want, 'stages add up to the count');
    net.dispose();
  });
}

test('state-dict names are MONAI’s (variants.py keys, cross-attention excluded)', () => {
  const net = new UNETR(small({ spatialDims: 2, imgSize: [32, 32] }));
  const names = net.namedParameters().map(([n]) => n);
  for (const k of ['vit.patch_embedding.position_embeddings', 'vit.patch_embedding.patch_embeddings.weight', 'vit.blocks.11.attn.qkv.weight',
    'vit.blocks.0.attn.out_proj.bias', 'vit.blocks.3.mlp.linear2.weight', 'vit.norm.weight', 'encoder1.layer.conv3.conv.weight',
    'encoder2.blocks.1.1.conv2.conv.weight', 'encoder2.blocks.0.0.conv.weight', 'encoder4.transp_conv_init.conv.weight',
    'decoder5.conv_block.conv3.conv.weight', 'out.conv.conv.bias']) assert.ok(names.includes(k), k);
  assert.ok(!names.includes('vit.blocks.0.attn.qkv.bias'), 'qkv has no bias by default');
  assert.ok(!names.some((n) => n.includes('cross_attn')));
  net.dispose();
});

test('geometry: fixed input imgSize, same padding, stride 16; other sizes refused with the rule and the one valid size', () => {
  const g = geometryOf(resolveSpec('unetr', { spatialDims: 3, imgSize: [32, 64, 48] }));
  assert.deepEqual([g.padding, g.stride, g.fixed, g.spatialDims, g.inChannels, g.classes], ['same', 16, [32, 64, 48], 3, 1, 2]);
  assert.deepEqual(g.output([32, 64, 48]), [32, 64, 48]);
  assert.deepEqual(g.axis(64, 1), { out: 64 });
  assert.match(g.axis(48, 1).error!, /must be exactly 64/);
  assert.deepEqual(g.nearest(50, 1), { below: undefined, above: 64 });
  assert.deepEqual(g.nearest(80, 1), { below: 64, above: undefined });
  assert.deepEqual(g.nearest(64, 1), { below: 64, above: 64 });
  assert.throws(() => g.output([32, 48, 48]), /axis 1 size 48: must be exactly 64 \(imgSize: the position embeddings are learned for 2×4×3 patches of 16\); nearest valid size: 64/);
  assert.throws(() => g.output([32, 64]), /2 axes; this 3-D UNETR needs 3/);
  assert.throws(() => g.axis(32, 3), /axis 3 is not an axis/);
});

test('stages: topology (tokens, skips from blocks 4/7/10, bottleneck = LN of block 12, decoder cat [up, skip]) and sizes', () => {
  const s = stagesOf(presetSpec('unetr'), [96, 96, 96]);
  const by = new Map(s.map((x) => [x.name, x]));
  assert.equal(s.filter((x) => x.kind === 'tokens').length, 13);
  assert.deepEqual(by.get('block12')!.size, [6, 6, 6]);
  assert.deepEqual(by.get('bottleneck')!.from, ['block12']);
  assert.deepEqual(['encoder2', 'encoder3', 'encoder4'].map((n) => by.get(n)!.from[0]), ['block4', 'block7', 'block10']);
  assert.deepEqual(['encoder2', 'encoder3', 'encoder4'].map((n) => [by.get(n)!.level, by.get(n)!.size[0], by.get(n)!.channels]), [[1, 48, 32], [2, 24, 64], [3, 12, 128]]);
  assert.deepEqual(['decoder5', 'decoder4', 'decoder3', 'decoder2'].map((n) => by.get(n)!.from), [['bottleneck', 'encoder4'], ['decoder5', 'encoder3'], ['decoder4', 'encoder2'], ['decoder3', 'encoder1']]);
  assert.deepEqual(by.get('out')!.size, [96, 96, 96]);
  for (const st of s) for (const f of st.from) assert.ok(by.has(f), `${st.name} ← ${f}`);
  assert.throws(() => stagesOf(presetSpec('unetr'), [96, 96, 80]), /must be exactly 96/);
});

// Shape table: 2-D and 3-D, square and not, one and several channels and classes (forward in eval mode).
const shapes: [UNETROptions, number][] = [
  [{ spatialDims: 2, imgSize: [16, 16] }, 2],
  [{ spatialDims: 2, imgSize: [32, 48], inChannels: 3, classes: 4 }, 1],
  [{ spatialDims: 2, imgSize: [80, 16], projType: 'perceptron', norm: 'batch' }, 2],
  [{ spatialDims: 3, imgSize: [16, 16, 16] }, 2],
  [{ spatialDims: 3, imgSize: [16, 32, 48], inChannels: 2, classes: 3, resBlock: false, convBlock: false }, 1],
  [{ spatialDims: 3, imgSize: [32, 16, 16], projType: 'perceptron', qkvBias: true }, 1],
];
for (const backend of await testBackends()) {
  for (const [o, batch] of shapes) {
    test(`[${backend}] shape: ${o.spatialDims}-D ${(o.imgSize as number[]).join('×')}, ${o.inChannels ?? 1} in → ${o.classes ?? 2} out, batch ${batch}${o.projType ? `, ${o.projType}` : ''}`, async () => {
      await tf.setBackend(backend);
      const net = new UNETR(small(o));
      const r = net.options;
      const x = tf.randomNormal([batch, ...r.imgSize, r.inChannels], 0, 1, 'float32', 3);
      const before = tf.memory().numTensors;
      const y = net.eval().forward(x);
      assert.deepEqual(y.shape, [batch, ...r.imgSize, r.classes]);
      y.dispose();
      assert.equal(tf.memory().numTensors, before, 'no leak');
      tf.dispose(x);
      net.dispose();
    });
  }

  test(`[${backend}] forward refuses a wrong size, rank or channel count before any work`, async () => {
    await tf.setBackend(backend);
    const net = new UNETR(small({ spatialDims: 2, imgSize: [32, 48] }));
    assert.throws(() => net.forward(tf.zeros([1, 32, 32, 1])), /axis 1 size 32: must be exactly 48/);
    assert.throws(() => net.forward(tf.zeros([1, 32, 48])), /rank 3; a 2-D UNETR takes rank 4/);
    assert.throws(() => net.forward(tf.zeros([1, 32, 48, 2])), /2 channels; this UNETR takes 1/);
    net.dispose();
  });

  test(`[${backend}] a training step (forward, backward, every parameter's gradient) leaves no tensor behind`, async () => {
    await tf.setBackend(backend);
    const net = new UNETR(small({ spatialDims: 3, imgSize: [16, 32, 16], norm: 'batch' }));
    const x = tf.randomNormal([2, 16, 32, 16, 1], 0, 1, 'float32', 5);
    const vars = net.namedParameters().map(([, v]) => v);
    const before = tf.memory().numTensors;
    const { value, grads } = variableGrads(() => tf.tidy(() => tf.mean(tf.square(net.train().forward(x)))) as tf.Scalar, vars);
    assert.equal(Object.keys(grads).length, vars.length, 'every parameter gets a gradient');
    for (const v of vars) assert.deepEqual(grads[v.name].shape, v.shape);
    tf.dispose([value, ...Object.values(grads)]);
    assert.equal(tf.memory().numTensors, before, 'no leak');
    tf.dispose(x);
    net.dispose();
  });
}

test('tiny: the smallest network of the family trains 2 iterations (loss finite, weights move)', async () => {
  await tf.setBackend('cpu');
  const spec = resolveSpec('unetr', unetr.tiny);
  const net = createNet(spec);
  const r = spec.options as ResolvedUNETROptions;
  const x = tf.randomNormal([2, ...r.imgSize, r.inChannels], 0, 1, 'float32', 7);
  const y = tf.cast(tf.greater(tf.randomUniform([2, ...r.imgSize], 0, 1, 'float32', 8), 0.5), 'float32');
  const opt = new Adam({ lr: 1e-2 });
  const w0 = net.namedParameters()[0][1].dataSync().slice();
  const ce = (logits: tf.Tensor, t: tf.Tensor) => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.cast(t, 'int32'), r.classes), logits) as tf.Scalar;
  for (let i = 0; i < 2; i++) {
    const loss = trainStep(net, opt, ce, { x, y });
    assert.ok(Number.isFinite(loss.dataSync()[0]));
    loss.dispose();
  }
  assert.notDeepEqual(net.namedParameters()[0][1].dataSync(), w0);
  tf.dispose([x, y]);
  net.dispose();
});

test('resolve: defaults, JSON round trip, create(resolve(x)) = create(resolve(resolve(x)))', () => {
  const r = resolveOptions({});
  assert.deepEqual(r, {
    spatialDims: 3, inChannels: 1, classes: 2, imgSize: [96, 96, 96], featureSize: 16, hiddenSize: 768, mlpDim: 3072, numHeads: 12,
    projType: 'conv', norm: 'instance', convBlock: true, resBlock: true, qkvBias: false, seed: 0,
  });
  assert.deepEqual(JSON.parse(JSON.stringify(r)), r);
  assert.deepEqual(resolveOptions({ spatialDims: 2, imgSize: 32 }).imgSize, [32, 32]);
  const o = small({ spatialDims: 2, imgSize: [32, 16], seed: 4 });
  const a = unetr.create(unetr.resolve(o as Record<string, unknown>)), b = unetr.create(unetr.resolve(unetr.resolve(o as Record<string, unknown>)));
  assert.deepEqual(a.spec, b.spec);
  const pa = a.namedParameters(), pb = b.namedParameters();
  assert.deepEqual(pa.map(([n]) => n), pb.map(([n]) => n));
  pa.forEach(([n, v], i) => assert.deepEqual(v.dataSync(), pb[i][1].dataSync(), n));
  a.dispose(); b.dispose();
});

test('resolve rejects bad options, naming the option, the value and the rule', () => {
  const bad: [UNETROptions | Record<string, unknown>, RegExp][] = [
    [{ spatialDims: 1 }, /option spatialDims must be 2 or 3, got 1/],
    [{ imgSize: [96, 96] }, /option imgSize must be a list of 3 integers, got \[96,96\]/],
    [{ imgSize: [96, 96, 8] }, /option imgSize\[2\] must be an integer ≥ 16, got 8/],
    [{ imgSize: [96, 100, 96] }, /option imgSize\[1\] must be a multiple of the patch size 16, got 100; nearest: 96 or 112/],
    [{ hiddenSize: 100, numHeads: 12 }, /option hiddenSize must be a multiple of numHeads \(12\), got 100/],
    [{ numHeads: 0 }, /option numHeads must be an integer ≥ 1, got 0/],
    [{ featureSize: 1.5 }, /option featureSize must be an integer ≥ 1, got 1.5/],
    [{ mlpDim: -1 }, /option mlpDim must be an integer ≥ 1, got -1/],
    [{ projType: 'convolution' }, /unknown projType 'convolution'; did you mean 'conv'\?/],
    [{ norm: 'group' }, /unknown norm 'group'.*instance, batch/],
    [{ resBlock: 'yes' }, /option resBlock must be true or false, got "yes"/],
    [{ hidden_size: 768 }, /option 'hidden_size' is not an option of unetr; did you mean 'hiddenSize'\?/],
    [{ seed: -1 }, /option seed must be an integer ≥ 0, got -1/],
  ];
  for (const [o, re] of bad) assert.throws(() => resolveOptions(o as UNETROptions), re, JSON.stringify(o));
});
