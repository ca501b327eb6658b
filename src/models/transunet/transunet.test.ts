import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../core/tf.js';
import { assertClose, assertNoLeak, testBackends } from '../../core/testing.js';
import { variableGrads } from '../../core/grad.js';
import { Rng } from '../../core/rng.js';
import { Adam } from '../../train/adam.js';
import { assertVariantParity, readVariantFixture } from '../parity-testing.js';
import { architectures, createNet, paramsOf, presetSpec, stagesOf } from '../registry.js';
import { TransUNet } from './transunet.js';
import { resolveOptions, type TransUNetOptions } from './options.js';
import { transunetGeometry, transunetParams, transunetStages } from './plan.js';
import { ResNetV2 } from './blocks/resnet.js';
import { transunet } from './index.js';

/** variants.py's keyword arguments → our options. */
function fromPython(kw: Record<string, unknown>, inChannels: number): TransUNetOptions {
  return {
    imgSize: kw.img_size as number, classes: kw.num_classes as number, hiddenSize: kw.hidden_size as number, mlpDim: kw.mlp_dim as number,
    numHeads: kw.num_heads as number, numLayers: kw.num_layers as number, blockUnits: kw.block_units as number[],
    widthFactor: kw.width_factor as number, decoderChannels: kw.decoder_channels as number[], dropoutRate: kw.dropout_rate as number, inChannels,
  };
}

const TINY = transunet.tiny as TransUNetOptions;
const tiny = (o: TransUNetOptions = {}): TransUNetOptions => ({ ...TINY, ...o });

for (const backend of await testBackends()) {
  test(`[${backend}] parity with variants.py TransUNet (fixture transunet): eval, train, every gradient, BatchNorm statistics`, async () => {
    await tf.setBackend(backend);
    const f = readVariantFixture('transunet');
    const net = new TransUNet(fromPython(f.options, f.io.get('input')!.shape[1]!));
    const compared = assertVariantParity(net, f, { mapKey: transunet.foreignKey });
    assert.equal(compared, 114, 'the gradient of each of the 114 parameter tensors is compared');
  });
}

// ---------------------------------------------------------------------------------------------- parameter counts

test('pinned parameter counts: R50-ViT-B/16 at 224 with 9 classes is 105,277,081 (params(); too big to build in a test)', () => {
  assert.equal(paramsOf(presetSpec('transunet')), 105_277_081);
  assert.equal(transunetParams(resolveOptions({})), 105_277_081, 'the defaults are the pinned configuration');
  // upstream's own default head (config.n_classes = 2): README's 105,276,066
  assert.equal(transunetParams(resolveOptions({ classes: 2 })), 105_276_066);
  assert.equal(paramsOf(presetSpec('transunet-small')), 1_803_921);
});

test('params() equals the built network\'s parameterCount() (fixture widths with R50\'s (3,4,9) blocks, the train preset, tiny)', () => {
  const configs: TransUNetOptions[] = [
    { imgSize: 32, classes: 9, hiddenSize: 24, mlpDim: 48, numHeads: 2, numLayers: 2, blockUnits: [3, 4, 9], widthFactor: 0.5, decoderChannels: [16, 8, 8, 8] },
    presetSpec('transunet-small').options as TransUNetOptions,
    tiny(),
    tiny({ nSkip: 1, widthFactor: 1, imgSize: 48 }),
  ];
  for (const o of configs) {
    const net = new TransUNet(o);
    assert.equal(net.parameterCount(), transunetParams(resolveOptions(o)), JSON.stringify(o));
    net.dispose();
  }
});

// ---------------------------------------------------------------------------------------------- geometry

test('geometry: exactly imgSize × imgSize, same-size output, stride 16, the rule and the one valid size on refusal', () => {
  const g = transunetGeometry(resolveOptions({}));
  assert.equal(g.spatialDims, 2);
  assert.equal(g.padding, 'same');
  assert.equal(g.stride, 16);
  assert.deepEqual(g.fixed, [224, 224]);
  assert.equal(g.inChannels, 1);
  assert.equal(g.classes, 9);
  assert.deepEqual(g.output([224, 224]), [224, 224]);
  assert.deepEqual(g.axis(224), { out: 224 });
  assert.match(g.axis(240).error!, /exactly 224 \(imgSize: learned position embeddings for a 14×14 token grid\), got 240/);
  assert.ok(Number.isNaN(g.axis(240).out));
  assert.throws(() => g.output([256, 224]), /input 256x224 does not fit this TransUNet: axis 0 size 256: .*exactly 224.*; nearest valid size: 224$/);
  assert.throws(() => g.output([224, 225]), /axis 1 size 225/);
  assert.throws(() => g.output([224, 224, 224]), /3 spatial axes; TransUNet is 2-D and takes exactly 224x224/);
  assert.deepEqual(g.nearest(200), { below: undefined, above: 224 });
  assert.deepEqual(g.nearest(300), { below: 224, above: undefined });
  assert.deepEqual(g.nearest(224), { below: 224, above: 224 });
  const small = architectures.get('transunet').geometry(resolveOptions({ imgSize: 256, inChannels: 3, classes: 2 }));
  assert.deepEqual(small.fixed, [256, 256]);
  assert.equal(small.inChannels, 3);
});

for (const backend of await testBackends()) {
  test(`[${backend}] bad input is refused before any work, naming the rule`, async () => {
    await tf.setBackend(backend);
    const net = new TransUNet(tiny());
    const before = tf.memory().numTensors;
    const bad = (shape: number[]) => tf.tidy(() => net.forward(tf.zeros(shape)));
    assert.throws(() => bad([1, 32, 32]), /rank 3; TransUNet is 2-D and takes rank 4/);
    assert.throws(() => bad([1, 32, 32, 3]), /3 channels; this TransUNet takes 1/);
    assert.throws(() => bad([1, 48, 48, 1]), /axis 0 size 48: TransUNet takes exactly 32 .*nearest valid size: 32/);
    assert.throws(() => bad([1, 32, 16, 1]), /axis 1 size 16/);
    assert.equal(tf.memory().numTensors, before);
    net.dispose();
  });
}

// ---------------------------------------------------------------------------------------------- shapes, leaks

// imgSize 16 (a 1×1 token grid), 32, 48 (an odd 3×3 grid), 64; 1 and 3 input channels; every nSkip
const SHAPES: [string, TransUNetOptions, number][] = [
  ['tiny, 1 channel, 2 classes', tiny(), 2],
  ['imgSize 48 (odd 3×3 grid), RGB, nSkip 2, 3 heads', tiny({ imgSize: 48, inChannels: 3, classes: 4, hiddenSize: 12, numHeads: 3, nSkip: 2 }), 1],
  ['imgSize 16 (one token), nSkip 0, 1 class', tiny({ imgSize: 16, classes: 1, nSkip: 0 }), 3],
  ['imgSize 64, blocks (2,1,2), nSkip 1, 2 layers, dropout', tiny({ imgSize: 64, blockUnits: [2, 1, 2], nSkip: 1, numLayers: 2, dropoutRate: 0.2 }), 2],
];

for (const backend of await testBackends()) {
  for (const [label, opts, batch] of SHAPES) {
    test(`[${backend}] ${label}: logits [B, n, n, classes] in train and eval, a training step leaks nothing`, async () => {
      await tf.setBackend(backend);
      const net = new TransUNet(opts);
      const o = net.options;
      const x = tf.randomNormal([batch, o.imgSize, o.imgSize, o.inChannels], 0, 1, 'float32', 1);
      for (const training of [true, false]) {
        net.train(training);
        const y = assertNoLeak(() => net.forward(x));
        assert.deepEqual(y.shape, [batch, o.imgSize, o.imgSize, o.classes]);
        assert.ok(Number.isFinite(tf.sum(y).dataSync()[0]!));
        y.dispose();
      }
      net.train();
      assertNoLeak(() => tf.tidy(() => {
        const { value, grads } = variableGrads(() => tf.mean(tf.square(net.forward(x))) as tf.Scalar);
        assert.equal(Object.keys(grads).length, net.namedParameters().length, 'every parameter gets a gradient');
        tf.dispose([value, ...Object.values(grads)]);
      }));
      x.dispose();
      net.dispose();
    });
  }

  test(`[${backend}] the trunk's maps have the sizes stages() reports (block 1 one short of n/4, its skip padded to n/4)`, async () => {
    await tf.setBackend(backend);
    for (const n of [32, 48]) {
      const o = resolveOptions(tiny({ imgSize: n }));
      const byName = new Map(transunetStages(o, []).map((s) => [s.name, s]));
      const trunk = new ResNetV2(o.blockUnits, 32, new Rng(0));
      const x = tf.randomNormal([1, n, n, 3]);
      const out = trunk.apply(x);
      assert.deepEqual(out.x.shape, [1, ...byName.get('block3')!.size, byName.get('block3')!.channels]);
      assert.deepEqual(out.skips.map((s) => s.shape), [[1, n / 8, n / 8, 256], [1, n / 4, n / 4, 128], [1, n / 2, n / 2, 32]]);
      assert.deepEqual(byName.get('block1')!.size, [n / 4 - 1, n / 4 - 1]);
      assert.deepEqual(byName.get('root')!.size, [n / 2, n / 2]);
      tf.dispose([x, out.x, ...out.skips]);
      trunk.dispose();
    }
  });

  test(`[${backend}] one channel is repeated to three; dropout acts in train mode only, repeatably from the seed`, async () => {
    await tf.setBackend(backend);
    const a = new TransUNet(tiny({ dropoutRate: 0.3, seed: 7 })).eval();
    const b = new TransUNet(tiny({ inChannels: 3, dropoutRate: 0.3, seed: 7 })).eval();
    const x = tf.randomNormal([2, 32, 32, 1], 0, 1, 'float32', 2);
    const y1 = a.forward(x), y3 = b.forward(tf.concat([x, x, x], 3));
    assertClose(y1.dataSync(), y3.dataSync(), 0, 0, 'same weights, repeated channel');
    const c = new TransUNet(tiny({ dropoutRate: 0.3, seed: 7 })).train();
    const t1 = a.train().forward(x), t2 = c.forward(x);
    assertClose(t1.dataSync(), t2.dataSync(), 0, 0, 'the same seed draws the same masks');
    assert.ok(t1.dataSync().some((v, i) => Math.abs(v - y1.dataSync()[i]!) > 1e-4), 'dropout changes the train-mode output');
    const t3 = a.forward(x);
    assert.ok(t3.dataSync().some((v, i) => Math.abs(v - t1.dataSync()[i]!) > 1e-4), 'each call draws new masks');
    tf.dispose([x, y1, y3, t1, t2, t3]);
    [a, b, c].forEach((n) => n.dispose());
  });

  test(`[${backend}] tiny trains two Adam steps: finite losses, every parameter moves`, async () => {
    await tf.setBackend(backend);
    const net = createNet({ arch: 'transunet', options: transunet.resolve(transunet.tiny) as unknown as Record<string, unknown> });
    const params = net.namedParameters().map(([, v]) => v);
    const before = params.map((p) => p.dataSync().slice());
    const x = tf.randomNormal([2, 32, 32, 1], 0, 1, 'float32', 3);
    const target = tf.randomUniform([2, 32, 32, 2], 0, 1, 'float32', 4);
    const adam = new Adam({ lr: 1e-3 });
    for (let i = 0; i < 2; i++) {
      const { value, grads } = variableGrads(() => tf.mean(tf.square(tf.sub(net.forward(x), target))) as tf.Scalar);
      assert.ok(Number.isFinite(value.dataSync()[0]!));
      adam.step(params, params.map((p) => grads[p.name]!));
      tf.dispose([value, ...Object.values(grads)]);
    }
    params.forEach((p, i) => assert.ok(p.dataSync().some((v, j) => v !== before[i]![j]), `${net.namedParameters()[i]![0]} moved`));
    tf.dispose([x, target]);
    net.dispose();
  });
}

// ---------------------------------------------------------------------------------------------- options, stages, presets

test('resolve rejects bad options, naming the option, the value and the rule', () => {
  assert.throws(() => resolveOptions({ hiddensize: 8 } as never), /option 'hiddensize' is not an option of transunet; did you mean 'hiddenSize'\?/);
  assert.throws(() => resolveOptions({ imgSize: 100 }), /option imgSize must be a multiple of 16 .*got 100; nearest valid: 96 or 112/);
  assert.throws(() => resolveOptions({ imgSize: 8 }), /option imgSize must be an integer ≥ 16, got 8/);
  assert.throws(() => resolveOptions({ numHeads: 5 }), /option numHeads must divide hiddenSize \(768\), got 5/);
  assert.throws(() => resolveOptions({ widthFactor: 0.25 }), /widthFactor must give a ResNet width .* multiple of 32 .*got 0.25 \(width 16\)/);
  assert.throws(() => resolveOptions({ inChannels: 2 }), /option inChannels must be 1 or 3/);
  assert.throws(() => resolveOptions({ blockUnits: [3, 4] }), /option blockUnits must be a list of 3 integers, got \[3,4\]/);
  assert.throws(() => resolveOptions({ blockUnits: [3, 0, 9] }), /option blockUnits\[1\] must be an integer ≥ 1, got 0/);
  assert.throws(() => resolveOptions({ decoderChannels: [256, 128, 64] }), /option decoderChannels must be a list of 4 integers/);
  assert.throws(() => resolveOptions({ nSkip: 4 }), /option nSkip must be an integer in \[0, 3\], got 4/);
  assert.throws(() => resolveOptions({ dropoutRate: 1 }), /option dropoutRate must be a number in \[0, 0.99\], got 1/);
  assert.throws(() => resolveOptions({ classes: 0 }), /option classes must be an integer ≥ 1, got 0/);
});

test('resolved options are JSON and a fixed point; create(resolve(x)) equals create(resolve(resolve(x)))', () => {
  const r = resolveOptions(tiny());
  assert.deepEqual(JSON.parse(JSON.stringify(r)), r);
  assert.deepEqual(resolveOptions(r), r);
  const a = createNet({ arch: 'transunet', options: r }), b = createNet({ arch: 'transunet', options: resolveOptions(r) });
  assert.deepEqual(a.spec, b.spec);
  const pa = a.namedParameters(), pb = b.namedParameters();
  assert.deepEqual(pa.map(([n]) => n), pb.map(([n]) => n));
  pa.forEach(([n, v], i) => assert.deepEqual(v.dataSync(), pb[i]![1].dataSync(), n));
  const c = new TransUNet(tiny({ seed: 1 }));
  assert.notDeepEqual(c.namedParameters()[1]![1].dataSync(), pa[1]![1].dataSync(), 'another seed, other weights');
  [a, b, c].forEach((n) => n.dispose());
});

test('stages: the topology at imgSize (trunk, tokens, conv_more, decoder with skips, head), params summing to params()', () => {
  for (const o of [resolveOptions({}), resolveOptions(tiny({ nSkip: 2 }))]) {
    const stages = transunetStages(o, []);
    const names = stages.map((s) => s.name);
    assert.equal(new Set(names).size, names.length, 'unique names');
    stages.forEach((s, i) => s.from.forEach((f) => assert.ok(names.indexOf(f) >= 0 && names.indexOf(f) < i, `${s.name} reads ${f} from an earlier stage`)));
    assert.equal(stages.reduce((n, s) => n + s.params, 0), transunetParams(o));
    assert.deepEqual(stages.map((s) => s.kind), ['input', 'encoder', 'encoder', 'encoder', 'encoder', 'tokens', ...Array(o.numLayers).fill('tokens'), 'bottleneck', 'decoder', 'decoder', 'decoder', 'decoder', 'output']);
    const dec = stages.filter((s) => s.kind === 'decoder');
    assert.deepEqual(dec.map((s) => s.from.slice(1)), [['block2'], ['block1'], ['root'], []].map((f, i) => (i < o.nSkip ? f : [])));
    assert.deepEqual(dec.map((s) => s.level), [3, 2, 1, 0]);
    assert.deepEqual(stages.at(-1)!.size, [o.imgSize, o.imgSize]);
    assert.deepEqual(stages.find((s) => s.name === 'embed')!.size, [o.imgSize / 16, o.imgSize / 16]);
  }
  const viaRegistry = stagesOf(presetSpec('transunet'), [224, 224]);
  assert.equal(viaRegistry.find((s) => s.name === 'conv_more')!.channels, 512);
  assert.equal(viaRegistry.find((s) => s.name === 'dec1')!.inChannels, 512 + 512);
  assert.throws(() => stagesOf(presetSpec('transunet'), [256, 256]), /exactly 224/);
});

test('presets: the pinned reference (pretraining named as missing) and a CPU-trainable one', () => {
  const p = transunet.presets;
  assert.equal(p.transunet!.role, 'reference');
  assert.match(p.transunet!.description, /ImageNet-21k/);
  assert.equal(p['transunet-small']!.role, 'train');
  assert.deepEqual(p['transunet-small']!.defaultInput, [256, 256]);
  for (const [name, preset] of Object.entries(p)) {
    const r = transunet.resolve(preset.options);
    assert.deepEqual(transunet.geometry(r).fixed, preset.defaultInput, `${name}: its default input is the one size it takes`);
  }
  assert.ok(architectures.names().includes('transunet'));
});
