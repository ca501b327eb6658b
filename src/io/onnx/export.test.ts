import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend, tf } from '../../core/tf.js';
import { repoRoot } from '../../core/testing.js';
import { architectures, createNet, geometryOf, presetSpec } from '../../models/registry.js';
import type { SegmentationNet } from '../../models/types.js';
import { exportOnnx } from './export.js';
import { decodeModel } from './proto.js';
import { ONNX_PROTO } from './onnx-proto.js';
import { channelsFirst, exportCases, exportSizes, maxAbsDiff, perturb, runOrt, seededInput, session } from './testing.js';

await initBackend('cpu');
const TOL = 1e-4;

const cases = exportCases();

test('every architecture has a preset in the export table', () => {
  assert.deepEqual([...new Set(cases.map(([, s]) => s.arch))].sort(), architectures.names().sort());
});

/** The file's metadata and its input's dims (numbers, or names for dynamic axes). */
function inspect(bytes: Uint8Array): { meta: Record<string, string>; input: (number | string)[] } {
  const m = decodeModel(bytes) as { metadata_props: { key: string; value: string }[]; graph: { input: { type: { tensor_type: { shape: { dim: { dim_value?: number; dim_param?: string }[] } } } }[] } };
  return {
    meta: Object.fromEntries(m.metadata_props.map((e) => [e.key, e.value])),
    input: m.graph.input[0].type.tensor_type.shape.dim.map((d) => d.dim_param ?? d.dim_value ?? 0),
  };
}

let seed = 1;
for (const [name, spec] of cases) {
  const g = geometryOf(spec);
  // Padded networks that take more than one size export with dynamic spatial axes; valid-padded and fixed-size ones
  // (UNETR, TransUNet) at the size given.
  const dynamic = g.padding === 'same' && !g.fixed;
  test(`${name} (${spec.arch}, ${g.spatialDims}-D, ${dynamic ? 'dynamic' : 'fixed'} size): onnxruntime-web equals forward to ${TOL}, batch 2 and 3, two sizes where the net takes them`, async () => {
    const net = createNet(spec);
    net.eval();
    perturb(net, seed++);
    try {
      const [first, second] = exportSizes(net);
      const check = async (bytes: Uint8Array, sizes: number[][]) => {
        const s = await session(bytes);
        for (const size of sizes) {
          for (const batch of [2, 3]) {
            const x = seededInput([batch, ...size, net.geometry.inChannels], seed * 10 + batch);
            const y = tf.tidy(() => channelsFirst(net.forward(x)));
            const out = await runOrt(s, x);
            assert.deepEqual(out.dims, y.shape, `${name} at [${size}] batch ${batch}: output dims`);
            const diff = maxAbsDiff(out.data, y.dataSync());
            console.log(`# ${name} [${size}] batch ${batch}: max |onnx − unet-ts| = ${diff.toExponential(2)} (|y| ≤ ${tf.tidy(() => tf.max(tf.abs(y)).dataSync()[0]).toFixed(2)})`);
            assert.ok(diff <= TOL, `${name} at [${size}] batch ${batch}: max abs difference ${diff} > ${TOL}`);
            tf.dispose([x, y]);
          }
        }
        await s.release();
      };
      const before = tf.memory().numTensors;
      const bytes = exportOnnx(net, { size: first });
      assert.equal(tf.memory().numTensors, before, 'the export leaves no tensors behind');
      const { meta, input } = inspect(bytes);
      assert.equal(meta['unet.dynamic_size'], String(dynamic), meta['unet.fixed_size_reason']);
      if (dynamic) {
        // One file, several sizes: the traced one and others on the graph's grid (2-D: each axis a different number of
        // steps up, and double; 3-D, to keep the test short: the last axis one step up).
        const step = Number(meta['unet.size_multiple']);
        assert.deepEqual(input, ['batch', net.geometry.inChannels, ...(g.spatialDims === 2 ? ['height', 'width'] : ['depth', 'height', 'width'])]);
        const more = g.spatialDims === 2 ? [first.map((v, i) => v + step * (i + 1)), first.map((v) => 2 * v)] : [first.map((v, i) => (i === 2 ? v + step : v))];
        await check(bytes, [first, ...more]);
      } else {
        assert.deepEqual(input, ['batch', net.geometry.inChannels, ...first]);
        await check(bytes, [first]);
        if (second) await check(exportOnnx(net, { size: second }), [second]);
      }
    } finally {
      net.dispose();
    }
  });
}

test('channelsLast keeps [N, H, W, C]; a fixed batch is written as a number; metadata round-trips', async () => {
  const net = createNet(presetSpec('small2d', { base: 4, depth: 2, classes: 3 }));
  net.eval();
  perturb(net, 99);
  try {
    const bytes = exportOnnx(net, { size: [16, 24], channelsLast: true, batch: 2, dynamicSize: false, metadata: { 'unet.classes': '3', 'unet.normalize': '{"kind":"zscore"}' } });
    const m = decodeModel(bytes) as { opset_import: { version: number }[]; ir_version: number; metadata_props: { key: string; value: string }[]; graph: { input: { type: { tensor_type: { shape: { dim: { dim_value?: number; dim_param?: string }[] } } } }[] } };
    assert.equal(m.opset_import[0].version, 17);
    assert.equal(m.ir_version, 8);
    assert.deepEqual(m.graph.input[0].type.tensor_type.shape.dim.map((d) => d.dim_value ?? d.dim_param), [2, 16, 24, 1]);
    assert.deepEqual(Object.fromEntries(m.metadata_props.map((p) => [p.key, p.value])), { 'unet.classes': '3', 'unet.normalize': '{"kind":"zscore"}', 'unet.dynamic_size': 'false', 'unet.fixed_size_reason': 'fixed by request' });
    const s = await session(bytes);
    const x = seededInput([2, 16, 24, 1], 5);
    const y = net.forward(x);
    const out = await runOrt(s, x, true);
    assert.deepEqual(out.dims, [2, 16, 24, 3]);
    assert.ok(maxAbsDiff(out.data, y.dataSync()) <= TOL);
    await assert.rejects(runOrt(s, seededInput([3, 16, 24, 1], 6), true), /dim|shape|Got invalid dimensions/i, 'a fixed batch refuses another');
    tf.dispose([x, y]);
    // Channels-last with dynamic axes: the sizes are read from the input's axes 1 and 2, not 2 and 3.
    const dyn = await session(exportOnnx(net, { size: [16, 24], channelsLast: true }));
    for (const shape of [[3, 16, 24, 1], [1, 32, 40, 1]]) {
      const xi = seededInput(shape, 7);
      const yi = net.forward(xi);
      const oi = await runOrt(dyn, xi, true);
      assert.deepEqual(oi.dims, yi.shape);
      assert.ok(maxAbsDiff(oi.data, yi.dataSync()) <= TOL, `channels-last at [${shape}]`);
      tf.dispose([xi, yi]);
    }
  } finally {
    net.dispose();
  }
});

test('errors name the option, the value and the rule', () => {
  const net = createNet(presetSpec('small2d', { base: 4, depth: 2 }));
  try {
    assert.throws(() => exportOnnx(net, { size: [16, 16], opset: 18 }), /unet: error: --opset 18: the exporter writes opset 17 only/);
    assert.throws(() => exportOnnx(net, { size: [16, 16, 16] }), /unet: error: export size \[16,16,16\] has 3 axes; this 2-D network needs 2/);
    assert.throws(() => exportOnnx(net, { size: [18, 16] }), /18/);
    assert.throws(() => exportOnnx(net, { size: [16, 16], batch: 0 }), /--batch 0: the batch size must be an integer ≥ 1/);
    const valid = createNet(presetSpec('ronneberger2015', { base: 2, depth: 1 }));
    assert.throws(() => exportOnnx(valid, { size: [20, 20], dynamicSize: true }), /a dynamic size needs a padded network that takes more than one size \(this one: padding valid\)/);
    valid.dispose();
  } finally {
    net.dispose();
  }
});

test('the trace puts back every kernel it stands in for, and the engine hook, also when the forward pass throws', () => {
  const names = ['Conv2D', 'Conv3D', 'Conv2DBackpropInput', 'Conv3DBackpropInputV2'];
  const before = names.map((k) => tf.getKernel(k, 'cpu')?.kernelFunc);
  const runKernel = tf.engine().runKernel;
  const net = createNet(presetSpec('seed3d', { base: 2, depth: 2 }));
  try {
    exportOnnx(net, { size: [8, 8, 8] });
    assert.deepEqual(names.map((k) => tf.getKernel(k, 'cpu')?.kernelFunc), before);
    assert.equal(tf.getKernel('UnetResizeLinear', 'cpu'), undefined);
    assert.equal(tf.engine().runKernel, runKernel);
    const throwing: SegmentationNet = { ...net, geometry: net.geometry, spec: net.spec, forward: () => { throw new Error('boom'); } };
    assert.throws(() => exportOnnx(throwing, { size: [8, 8, 8] }), /boom/);
    assert.deepEqual(names.map((k) => tf.getKernel(k, 'cpu')?.kernelFunc), before);
    assert.equal(tf.engine().runKernel, runKernel);
  } finally {
    net.dispose();
  }
});

test('a kernel without an ONNX mapping is refused by name', () => {
  const fake: SegmentationNet = {
    geometry: { spatialDims: 2, inChannels: 1, classes: 1, padding: 'same', stride: 1, axis: (s) => ({ out: s }), output: (i) => [...i], nearest: (s) => ({ below: s, above: s }) },
    spec: { arch: 'fake', options: {} },
    forward: (x) => tf.cumsum(x, 1),
  };
  assert.throws(() => exportOnnx(fake, { size: [4, 4] }), /unet: error: ONNX export: no ONNX mapping for the tfjs kernel\(s\) Cumsum/);
});

test('the schema string is the vendored onnx.proto3 (rerun scripts/build-onnx-schema.mjs after updating it)', () => {
  assert.equal(ONNX_PROTO, readFileSync(join(repoRoot, 'src/io/onnx/onnx.proto3'), 'utf8'));
  assert.match(ONNX_PROTO, /SPDX-License-Identifier: Apache-2.0/);
});
