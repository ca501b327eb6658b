import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../core/tf.js';
import { resolveOptions } from './options.js';
import { presetOptions } from './presets.js';
import { axisFlow, checkInputSize, nearestValidSizes, receptiveField, receptiveFieldAt, shapeReport } from './plan.js';
import { UNet } from './unet.js';

const resolved = (name: string, o = {}) => resolveOptions(presetOptions(name, o));

// Parameter counts: the papers' figures and the chapter's code run in PyTorch (../shared/reference).
const COUNTS: [string, object, number][] = [
  ['ronneberger2015', {}, 31_030_658],
  ['cicek2016', {}, 19_069_955],
  ['cicek2016', { normAffine: true, upBias: true }, 19_075_523], // the same module with every parameter counted
  ['seed2d', {}, 13_390_209],
  ['seed3d', {}, 10_041_155],
  // Transposed up-sampling: the chapter's module declares ConvTranspose(cin/2, cin/2) after a 16F bottleneck and
  // fails its own forward pass in PyTorch (it counts 29,643,841 / 21,883,747); unet-ts builds the runnable module,
  // ConvTranspose(cin, cin/2) as in Ronneberger 2015, whose counts PyTorch gives as below.
  ['seed2d', { upsample: 'transposed' }, 31_036_481],
];

for (const [name, o, want] of COUNTS) {
  test(`${name} ${JSON.stringify(o)} has ${want.toLocaleString('en')} parameters (shape plan and built model agree)`, () => {
    const opts = resolved(name, o);
    assert.equal(shapeReport(opts).params, want);
    const m = new UNet(opts);
    assert.equal(m.parameterCount(), want);
    m.dispose();
  });
}

test('ronneberger2015 at 572×572: every stage of Fig. 1, and the crop of every skip', () => {
  const r = checkInputSize(resolved('ronneberger2015'), [572, 572]);
  const table = r.stages.map((s) => [s.name, s.channels, s.size[0], s.crop?.[0]]);
  assert.deepEqual(table, [
    ['enc1', 64, 568, undefined], ['enc2', 128, 280, undefined], ['enc3', 256, 136, undefined], ['enc4', 512, 64, undefined],
    ['bottleneck', 1024, 28, undefined],
    ['dec1', 512, 52, 4], ['dec2', 256, 100, 16], ['dec3', 128, 196, 40], ['dec4', 64, 388, 88],
    ['out', 2, 388, undefined],
  ]);
  assert.deepEqual(r.output, [388, 388]);
});

test('cicek2016 at 132×132×116 → 44×44×28, per axis', () => {
  const r = checkInputSize(resolved('cicek2016'), [132, 132, 116]);
  assert.deepEqual(r.output, [44, 44, 28]);
  assert.deepEqual(r.stages.map((s) => s.channels), [64, 128, 256, 512, 256, 128, 64, 3]);
  assert.deepEqual(r.stages.find((s) => s.name === 'bottleneck')!.size, [9, 9, 7]);
  assert.deepEqual(r.stages.find((s) => s.name === 'dec1')!.crop, [4, 4, 4]);
});

test('seed presets keep the size, with channel widths of the chapter', () => {
  const r2 = checkInputSize(resolved('seed2d'), [256, 128]);
  assert.deepEqual(r2.output, [256, 128]);
  assert.deepEqual(r2.stages.map((s) => s.channels), [64, 128, 256, 512, 512, 256, 128, 64, 64, 1]);
  const r3 = checkInputSize(resolved('seed3d'), [32, 48, 64]);
  assert.deepEqual(r3.stages.find((s) => s.name === 'bottleneck')!.size, [2, 3, 4]);
  assert.deepEqual(r3.stages.map((s) => s.channels), [32, 64, 128, 256, 256, 128, 64, 32, 32, 3]);
});

test('an input that breaks a rule names the rule and the nearest valid sizes', () => {
  const o = resolved('ronneberger2015');
  assert.equal(axisFlow(o, 570).error, 'level 1 gives an odd size 279 to 2× max-pooling, which would drop a row and misalign the skip');
  assert.deepEqual(nearestValidSizes(o, 570), { below: 556, above: 572 });
  assert.throws(() => checkInputSize(o, [570, 572]), /axis 0 size 570: level 1 gives an odd size 279.*nearest valid sizes: 556 or 572/);
  assert.throws(() => checkInputSize(resolved('seed2d'), [100, 96]), /axis 0 size 100.*nearest valid sizes: 96 or 112/);
  assert.throws(() => checkInputSize(resolved('seed2d'), [96]), /has 1 axes; this 2-D network needs 2/);
  assert.deepEqual(nearestValidSizes(o, 100), { below: undefined, above: 188 });
});

/**
 * Receptive field measured on a built network: set every weight positive and the input positive, so that every
 * ReLU passes; raise one input pixel far above the rest (so it wins every max-pool window it is in) and see which
 * output pixels of that row change. The widest span of inputs that reaches one output is the receptive field.
 */
function measuredReceptiveField(m: UNet, size: number, outSize: number): number {
  for (const [, v] of m.namedParameters()) v.assign(tf.abs(v));
  m.eval();
  const row = Math.floor(size / 2);
  const base = tf.fill([1, size, size, 1], 1);
  const ref = m.forward(base).dataSync();
  const lo = new Array(outSize).fill(Infinity), hi = new Array(outSize).fill(-Infinity);
  const oRow = Math.floor(outSize / 2);
  for (let p = 0; p < size; p++) {
    const y = tf.tidy(() => {
      const bump = tf.buffer([1, size, size, 1]);
      bump.set(1e3, 0, row, p, 0);
      return m.forward(tf.add(base, bump.toTensor())).dataSync();
    });
    for (let x = 0; x < outSize; x++) {
      const i = oRow * outSize + x;
      if (y[i] !== ref[i]) { lo[x] = Math.min(lo[x], p); hi[x] = Math.max(hi[x], p); }
    }
  }
  return Math.max(...hi.map((h, x) => h - lo[x] + 1).filter(Number.isFinite));
}

test('receptive field: the exact interval count matches a measured network (interp and transposed)', () => {
  const interp = new UNet({ base: 2, depth: 2, norm: 'none', classes: 1 });
  // align_corners maps fine to coarse slightly off ×½, so the exact field is wider than the textbook rule's 50.
  assert.equal(receptiveField(interp.options), 50);
  assert.equal(receptiveFieldAt(interp.options, 64), 52);
  assert.equal(measuredReceptiveField(interp, 64, 64), 52);
  interp.dispose();
  const transposed = new UNet(presetOptions('ronneberger2015', { base: 2, depth: 2, classes: 1 }));
  const r = checkInputSize(transposed.options, [92, 92]);
  assert.equal(receptiveField(transposed.options), 44);
  assert.equal(receptiveFieldAt(transposed.options, 92), 44);
  assert.equal(measuredReceptiveField(transposed, 92, r.output[0]), 44);
  transposed.dispose();
  // depth 3: the crop offsets shift the skip paths off the pooling grid, two pixels past the textbook rule each side
  const deep = new UNet(presetOptions('ronneberger2015', { base: 1, depth: 3, classes: 1 }));
  const rd = checkInputSize(deep.options, [180, 180]);
  assert.equal(receptiveField(deep.options), 96);
  assert.equal(receptiveFieldAt(deep.options, 180), 100);
  assert.equal(measuredReceptiveField(deep, 180, rd.output[0]), 100);
  deep.dispose();
  assert.equal(receptiveField(resolved('ronneberger2015')), 200);
});
