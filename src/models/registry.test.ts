/**
 * The seam: every registered architecture answers the registry's questions consistently — its weight-free parameter
 * count equals the built network's, its geometry matches what the network outputs, its stages form a graph, its
 * spec round-trips through `resolve` — and unknown names are refused with the nearest one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../core/tf.js';
import { architectures, createNet, geometryOf, paramsOf, presetSpec, presets, resolveSpec, stagesOf } from './registry.js';

test('unknown architectures and presets are refused with the nearest name and the valid ones', () => {
  assert.throws(() => resolveSpec('unte'), /unknown architecture 'unte'; did you mean 'unet'\? Valid architectures: unet/);
  assert.throws(() => presetSpec('seed2'), /unknown preset 'seed2'; did you mean 'seed2d'\?/);
  assert.throws(() => resolveSpec('unet', { bse: 16 }), /option 'bse' is not an option of unet; did you mean 'base'\?/);
});

test('every preset resolves; each names a registered architecture', () => {
  for (const name of presets.names()) {
    const p = presets.get(name);
    assert.ok(architectures.has(p.arch), `${name}: architecture ${p.arch}`);
    const spec = presetSpec(name);
    assert.deepEqual(resolveSpec(spec.arch, { ...spec.options }), spec, `${name}: resolve is idempotent`);
    assert.equal(JSON.parse(JSON.stringify(spec)).arch, spec.arch, `${name}: the spec is JSON`);
  }
});

for (const name of architectures.names()) {
  test(`${name}: tiny network — params() equals the built count, geometry equals the output, stages form a graph, no leaks`, () => {
    const a = architectures.get(name);
    const first = Object.keys(a.presets)[0];
    const spec = presetSpec(first, a.tiny);
    const before = tf.memory().numTensors;
    const net = createNet(spec);
    assert.equal(paramsOf(spec), net.parameterCount(), 'weight-free count = built count');
    const g = geometryOf(spec);
    // The smallest cube it takes from 2 strides up (each axis's rule and the joint ones, e.g. U-Net++'s deepest map).
    const takes = (n: number) => { try { g.output(Array<number>(g.spatialDims).fill(n)); return true; } catch { return false; } };
    let n = g.stride * 2;
    while (!g.fixed && !takes(n)) n++;
    const input = g.fixed ? [...g.fixed] : Array<number>(g.spatialDims).fill(n);
    net.eval();
    const x = tf.zeros([1, ...input, g.inChannels]);
    const y = net.forward(x);
    assert.deepEqual(y.shape, [1, ...g.output(input), g.classes]);
    tf.dispose([x, y]);
    const stages = stagesOf(spec, input);
    const names = new Set(stages.map((s) => s.name));
    assert.equal(names.size, stages.length, 'stage names are unique');
    for (const s of stages) for (const f of s.from) assert.ok(names.has(f), `${s.name} reads ${f}, a stage`);
    assert.ok(stages.some((s) => s.kind === 'input') && stages.some((s) => s.kind === 'output'), 'an input and an output stage');
    assert.equal(stages.reduce((n, s) => n + s.params, 0), net.parameterCount(), 'the stages hold every parameter');
    net.dispose();
    assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
  });
}
