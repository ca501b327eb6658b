import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../core/tf.js';
import { assertClose, assertNoLeak, testBackends } from '../../core/testing.js';
import { createNet, geometryOf, paramsOf, presetSpec, presets, stagesOf } from '../registry.js';
import { unetpp } from './index.js';
import { resolveUNetPPOptions, type UNetPPOptions } from './options.js';
import { unetppParams, unetppStages } from './plan.js';
import { UNetPlusPlus } from './unetpp.js';

const resolve = (o: UNetPPOptions = {}) => resolveUNetPPOptions(o);

test('pinned presets: parameter counts by arithmetic and by building equal MONAI’s', () => {
  for (const [name, want] of [['unetpp2d', 2_410_312], ['unetpp3d', 6_979_976]] as const) {
    assert.equal(paramsOf(presetSpec(name)), want, `${name} params()`);
    const net = createNet(presetSpec(name));
    assert.equal(net.parameterCount(), want, `${name} built`);
    net.dispose();
  }
  // deep supervision changes no weight (all four heads are always built)
  assert.equal(unetppParams(resolve({ deepSupervision: true })), 2_410_312);
  for (const name of ['unetpp-small2d', 'unetpp-small3d']) {
    const net = createNet(presetSpec(name));
    assert.equal(net.parameterCount(), paramsOf(presetSpec(name)), `${name}: params() equals the built count`);
    assert.equal(presets.get(name).role, 'train');
    net.dispose();
  }
  assert.equal(presets.get('unetpp2d').role, 'reference');
});

test('params() equals the built count over odd widths, 3-D and channel counts', () => {
  for (const o of [{ features: [3, 5, 7, 9, 11, 13], inChannels: 2, classes: 3 }, { spatialDims: 3 as const, features: [2, 3, 4, 5, 6, 7] }, unetpp.tiny as UNetPPOptions]) {
    const net = new UNetPlusPlus(o);
    assert.equal(net.parameterCount(), unetppParams(net.options), JSON.stringify(o));
    net.dispose();
  }
});

test('state-dict names are MONAI’s, in its order', () => {
  const net = new UNetPlusPlus({ features: [2, 2, 2, 2, 2, 2] });
  const names = net.namedParameters().map(([n]) => n);
  assert.deepEqual(names.slice(0, 4), ['conv_0_0.conv_0.conv.weight', 'conv_0_0.conv_0.conv.bias', 'conv_0_0.conv_0.adn.N.weight', 'conv_0_0.conv_0.adn.N.bias']);
  assert.ok(names.includes('conv_4_0.convs.conv_1.adn.N.bias'));
  assert.ok(names.includes('upcat_0_4.upsample.deconv.weight'));
  assert.ok(names.includes('upcat_3_1.convs.conv_0.conv.weight'));
  assert.deepEqual(names.slice(-2), ['final_conv_0_4.weight', 'final_conv_0_4.bias']);
  assert.equal(net.namedBuffers().length, 0, 'InstanceNorm keeps no running statistics');
  net.dispose();
});

test('geometry: any size ≥ 16 per axis, output = input, refused sizes name the rule and the nearest sizes', () => {
  const g = unetpp.geometry(resolve());
  assert.equal(g.padding, 'same');
  assert.equal(g.stride, 1);
  assert.equal(g.fixed, undefined);
  assert.deepEqual(g.output([35, 36]), [35, 36]);
  assert.deepEqual(g.output([16, 32]), [16, 32]);
  assert.deepEqual(g.axis(17), { out: 17 });
  assert.match(g.axis(15).error!, /size 15 is below 16: four 2× max-poolings would leave no voxel at row 4/);
  assert.deepEqual(g.nearest(9), { below: undefined, above: 16 });
  assert.deepEqual(g.nearest(33), { below: 33, above: 33 });
  assert.throws(() => g.output([15, 40]), /axis 0 size 15: .*nearest valid sizes: 16/);
  assert.throws(() => g.output([40]), /has 1 axes; this 2-D U-Net\+\+ takes 2/);
  // MONAI refuses a single voxel at row 4 (InstanceNorm needs more than one), in eval as well
  assert.throws(() => g.output([16, 31]), /row 4 would be \[1,1\], a single voxel, and InstanceNorm needs more than one .*make one axis ≥ 32/);
  const g3 = geometryOf(presetSpec('unetpp3d'));
  assert.throws(() => g3.output([16, 16, 16]), /single voxel/);
  assert.deepEqual(g3.output([16, 17, 32]), [16, 17, 32]);
});

test('stages: every node x_i_j, the four heads and the output, weight-free, with params summing to the total', () => {
  for (const o of [resolve(), resolve({ spatialDims: 3, deepSupervision: true, inference: 'fast', pruneLevel: 2 })]) {
    const stages = unetppStages(o, o.spatialDims === 2 ? [35, 36] : [16, 17, 32]);
    assert.equal(stages.reduce((n, s) => n + s.params, 0), unetppParams(o));
    const names = stages.map((s) => s.name);
    assert.equal(new Set(names).size, names.length, 'unique names');
    stages.forEach((s, k) => s.from.forEach((f) => assert.ok(names.slice(0, k).includes(f), `${s.name} comes after ${f}`)));
    assert.equal(stages.filter((s) => s.kind === 'decoder').length, 10);
    assert.equal(stages.filter((s) => s.kind === 'head').length, 4);
    const x13 = stages.find((s) => s.name === 'x_1_3')!;
    assert.deepEqual([x13.level, x13.column, x13.module], [1, 3, 'upcat_1_3']);
    assert.deepEqual(x13.from, ['x_2_2', 'x_1_0', 'x_1_1', 'x_1_2']);
    assert.equal(x13.inChannels, 3 * o.features[1] + o.features[2] / 2);
    assert.deepEqual(stages.find((s) => s.name === 'x_4_0')!.size, o.spatialDims === 2 ? [2, 2] : [1, 1, 2]);
    assert.deepEqual(stages.find((s) => s.name === 'x_4_0')!.kind, 'bottleneck');
    const out = stages[stages.length - 1];
    assert.deepEqual(out.from, o.deepSupervision ? ['head2'] : ['head4']);
  }
  assert.deepEqual(stagesOf(presetSpec('unetpp-small2d'), []).find((s) => s.name === 'x_0_0')!.size, [], 'no input size: sizes empty');
  assert.deepEqual(stagesOf(presetSpec('unetpp-small2d'), [256, 256]).at(-1)!.from, ['head1', 'head2', 'head3', 'head4']);
});

test('resolve: defaults once, idempotent, JSON; bad options name the option, the value and the rule', () => {
  const r = resolve();
  assert.deepEqual(r, { spatialDims: 2, inChannels: 1, classes: 2, features: [32, 32, 64, 128, 256, 32], deepSupervision: false, dropout: 0, inference: 'accurate', pruneLevel: 4, seed: 0 });
  const o = { spatialDims: 3 as const, features: [4, 4, 8, 8, 16, 4], deepSupervision: true, inference: 'fast' as const, pruneLevel: 2, dropout: 0.2, seed: 7 };
  assert.deepEqual(resolve(resolve(o)), resolve(o));
  assert.deepEqual(JSON.parse(JSON.stringify(resolve(o))), resolve(o));
  // the same weights from the once- and twice-resolved options
  const a = unetpp.create(unetpp.resolve({ features: [2, 2, 2, 2, 2, 2], seed: 3 }));
  const b = unetpp.create(unetpp.resolve(unetpp.resolve({ features: [2, 2, 2, 2, 2, 2], seed: 3 }) as Record<string, unknown>));
  a.namedParameters().forEach(([n, v], i) => assert.deepEqual(v.dataSync(), b.namedParameters()[i][1].dataSync(), n));
  const c = new UNetPlusPlus({ features: [2, 2, 2, 2, 2, 2], seed: 4 });
  assert.notDeepEqual(a.namedParameters()[0][1].dataSync(), c.namedParameters()[0][1].dataSync());
  [a, b, c].forEach((m) => m.dispose());

  assert.throws(() => resolve({ featurs: [1] } as never), /option 'featurs' is not an option of unetpp; did you mean 'features'\?/);
  assert.throws(() => resolve({ features: [32, 32, 64, 128, 256] }), /features must be a list of 6 integers/);
  assert.throws(() => resolve({ features: [32, 32, 1, 128, 256, 32] }), /features\[2\] must be ≥ 2 \(row 1's transposed up-convolution halves it to 0 channels\), got 1/);
  assert.throws(() => resolve({ features: [32, 0, 64, 128, 256, 32] }), /features\[1\] must be an integer ≥ 1, got 0/);
  assert.throws(() => resolve({ spatialDims: 1 as never }), /spatialDims must be 2 or 3, got 1/);
  assert.throws(() => resolve({ classes: 0 }), /classes must be an integer ≥ 1, got 0/);
  assert.throws(() => resolve({ dropout: 1 }), /dropout must be a probability in \[0, 1\)/);
  assert.throws(() => resolve({ dropout: -0.1 }), /dropout must be a number in \[0, 1\], got -0.1/);
  assert.throws(() => resolve({ deepSupervision: 'yes' as never }), /deepSupervision must be true or false, got "yes"/);
  assert.throws(() => resolve({ inference: 'fastest' as never, deepSupervision: true }), /unknown inference mode 'fastest'; did you mean 'fast'\?/);
  assert.throws(() => resolve({ inference: 'fast' }), /inference 'fast' needs deepSupervision: true/);
  assert.throws(() => resolve({ pruneLevel: 5 }), /pruneLevel must be an integer in \[1, 4\], got 5/);
});

// Shape table: 2-D and 3-D, odd and non-square sizes, every inference mode; heads; train and eval; gradients; leaks.
const SHAPES: [string, UNetPPOptions, number[]][] = [
  ['2-D, multiple of 16', { features: [2, 2, 4, 4, 8, 2] }, [2, 32, 48, 1]],
  ['2-D odd 35×37, 3 classes, 2 channels, deep supervision', { features: [2, 2, 4, 4, 8, 3], classes: 3, inChannels: 2, deepSupervision: true }, [1, 35, 37, 2]],
  ['2-D 17×32 (odd on row 0 only), fast L1', { features: [2, 2, 2, 2, 2, 2], deepSupervision: true, inference: 'fast', pruneLevel: 1 }, [2, 17, 32, 1]],
  ['2-D 47×33, fast L3, dropout', { features: [2, 2, 2, 4, 4, 2], deepSupervision: true, inference: 'fast', pruneLevel: 3, dropout: 0.3 }, [1, 47, 33, 1]],
  ['3-D odd 16×17×33', { spatialDims: 3, features: [2, 2, 2, 2, 4, 2] }, [1, 16, 17, 33, 1]],
  ['3-D 19×16×32, deep supervision, B 2', { spatialDims: 3, features: [2, 2, 2, 2, 2, 2], deepSupervision: true }, [2, 19, 16, 32, 1]],
];

for (const backend of await testBackends()) {
  for (const [label, opts, shape] of SHAPES) {
    test(`[${backend}] ${label}: output [B, ...S, classes], heads, gradients, no leaks`, async () => {
      await tf.setBackend(backend);
      const m = new UNetPlusPlus(opts);
      const want = [shape[0], ...m.geometry.output(shape.slice(1, -1)), m.options.classes];
      const x = tf.randomNormal(shape, 0, 1, 'float32', 1);
      for (const training of [true, false]) {
        m.train(training);
        const y = assertNoLeak(() => m.forward(x));
        assert.deepEqual(y.shape, want);
        assert.ok(Number.isFinite(tf.sum(y).dataSync()[0]));
        y.dispose();
        if (m.heads) {
          const hs = assertNoLeak(() => m.heads!(x));
          assert.equal(hs.length, 4);
          hs.forEach((h) => assert.deepEqual(h.shape, want));
          tf.dispose(hs);
        }
      }
      assert.equal(m.heads === undefined, !m.options.deepSupervision, 'heads exactly with deep supervision');
      // a training step through the heads (deep supervision) or forward: every parameter that runs gets a gradient
      m.train();
      assertNoLeak(() => tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => {
          const outs = m.heads ? m.heads(x) : [m.forward(x)];
          return tf.addN(outs.map((o) => tf.mean(tf.square(o)))) as tf.Scalar;
        });
        const unused = m.options.deepSupervision ? 0 : 6; // heads 1 … 3 without deep supervision (MONAI: no gradient)
        assert.equal(Object.keys(grads).length, m.namedParameters().length - unused);
        tf.dispose([value, ...Object.values(grads)]);
      }));
      x.dispose();
      m.dispose();
    });
  }

  test(`[${backend}] inference: 'fast' L is head L of the full network exactly (the pruned nodes are the same), 'accurate' the heads' mean`, async () => {
    await tf.setBackend(backend);
    const base = { features: [2, 3, 4, 4, 6, 3], deepSupervision: true, seed: 5 } as const;
    const full = new UNetPlusPlus(base).eval();
    const x = tf.randomNormal([2, 35, 33, 1], 0, 1, 'float32', 2);
    const heads = full.heads!(x).map((h) => h.dataSync());
    const mean = heads[0].map((_, i) => (heads[0][i] + heads[1][i] + heads[2][i] + heads[3][i]) / 4);
    assertClose(full.forward(x).dataSync(), mean, 1e-6, 1e-6, 'accurate = mean of the heads');
    for (const level of [1, 2, 3, 4]) {
      const fast = new UNetPlusPlus({ ...base, inference: 'fast', pruneLevel: level }).eval();
      assertClose(fast.forward(x).dataSync(), heads[level - 1], 0, 0, `fast L${level} = head ${level}`);
      fast.dispose();
    }
    // without deep supervision, forward is head 4 (MONAI)
    const plain = new UNetPlusPlus({ ...base, deepSupervision: false }).eval();
    assertClose(plain.forward(x).dataSync(), heads[3], 0, 0, 'head 4');
    x.dispose();
    full.dispose();
    plain.dispose();
  });

  test(`[${backend}] dropout: random in training from the seed, off in eval`, async () => {
    await tf.setBackend(backend);
    const o = { features: [2, 2, 2, 2, 2, 2], dropout: 0.5, seed: 1 };
    const x = tf.randomNormal([1, 32, 32, 1], 0, 1, 'float32', 3);
    const a = new UNetPlusPlus(o), b = new UNetPlusPlus(o);
    const a1 = a.forward(x).dataSync(), a2 = a.forward(x).dataSync(), b1 = b.forward(x).dataSync();
    assert.ok(a1.some((v, i) => v !== a2[i]), 'a new mask each call');
    assertClose(a1, b1, 0, 0, 'the same seed draws the same masks');
    a.eval();
    assertClose(a.forward(x).dataSync(), a.forward(x).dataSync(), 0, 0, 'eval is deterministic');
    x.dispose(); a.dispose(); b.dispose();
  });

  test(`[${backend}] bad input is refused before any work, naming the rule`, async () => {
    await tf.setBackend(backend);
    const m = new UNetPlusPlus({ features: [2, 2, 2, 2, 2, 2] });
    assert.throws(() => m.forward(tf.zeros([1, 32, 32])), /rank 3; a 2-D U-Net\+\+ takes rank 4 \(\[B, H, W, C\]\)/);
    assert.throws(() => m.forward(tf.zeros([1, 32, 32, 3])), /3 channels; this U-Net\+\+ takes 1/);
    assert.throws(() => m.forward(tf.zeros([1, 12, 32, 1])), /axis 0 size 12: size 12 is below 16.*nearest valid sizes: 16/);
    m.dispose();
  });
}

test('tiny: the smallest network with every block (deep supervision, dropout) trains two Adam steps', async () => {
  const { Adam } = await import('../../train/adam.js');
  const { variableGrads } = await import('../../core/grad.js');
  const net = unetpp.create(unetpp.resolve(unetpp.tiny));
  const x = tf.randomNormal([2, 32, 32, 1], 0, 1, 'float32', 4);
  const target = tf.oneHot(tf.cast(tf.greater(tf.sum(x, -1), 0), 'int32'), 2);
  const params = net.namedParameters().map(([, v]) => v);
  const opt = new Adam({ lr: 1e-2 });
  const losses: number[] = [];
  for (let i = 0; i < 2; i++) {
    const { value, grads } = variableGrads(() => tf.tidy(() => {
      const hs = net.heads!(x); // training averages the heads' losses
      return tf.div(tf.addN(hs.map((h) => tf.losses.softmaxCrossEntropy(target, h))), hs.length) as tf.Scalar;
    }), params);
    assert.equal(Object.keys(grads).length, params.length, 'every parameter has a gradient with deep supervision');
    opt.step(params, params.map((p) => grads[p.name]));
    losses.push(value.dataSync()[0]);
    tf.dispose([value, ...Object.values(grads)]);
  }
  assert.ok(losses.every(Number.isFinite));
  tf.dispose([x, target]);
  net.dispose();
});
