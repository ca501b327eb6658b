// Parity with nnU-Net v2's PlainConvUNet (MIC-DKFZ/dynamic-network-architectures, scripts/nnunet_reference.py):
// fixture nnunet3d_tiny — 3-D, kernels [1,3,3],[3,3,3],[3,3,3] (the mixed kernel pads per axis), strides
// [1,1,1],[1,2,2],[2,2,2] (anisotropic strided convs and transposed convs), features 4/8/16, 2 classes, deep
// supervision (two heads at two resolutions), batch 2, input 6×12×16. Eval and train outputs per head, every gradient
// of Σ sum(out²), no leaks, on cpu and onednn.
//
// As for U-Net++: the conv bias in front of each InstanceNorm cancels exactly; this port gives its gradient as exactly
// zero, PyTorch float32 round-off of zero; those are checked to be zero here and round-off in the reference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../core/tf.js';
import { testBackends } from '../../core/testing.js';
import { assertVariantParity, readVariantFixture } from '../parity-testing.js';
import { NnUNet } from './nnunet.js';
import { nnunetForeignKey } from './index.js';

const CANCELLED_BIAS = /\.convs\.\d+\.conv\.bias$/;
const maxAbs = (a: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
};

for (const backend of await testBackends()) {
  test(`[${backend}] nnunet3d_tiny: outputs, every gradient and no leaks match nnU-Net's PlainConvUNet`, async () => {
    await tf.setBackend(backend);
    const f = readVariantFixture('nnunet3d_tiny');
    const o = f.options as { spatial_dims: 3; in_channels: number; classes: number; features: number[]; kernels: number[][]; strides: number[][]; convs_per_stage: number; deep_supervision: boolean };
    const net = new NnUNet({ spatialDims: o.spatial_dims, inChannels: o.in_channels, classes: o.classes, features: o.features, kernels: o.kernels, strides: o.strides, convsPerStage: o.convs_per_stage, deepSupervision: o.deep_supervision });
    let cancelled = 0;
    const compared = assertVariantParity(net, f, {
      skipGrad: (key, got, want) => {
        if (!CANCELLED_BIAS.test(key)) return false;
        const weightGrad = f.io.get(`grad.${key.replace(/bias$/, 'weight')}`)!.data;
        assert.equal(maxAbs(got), 0, `∂/∂${key}: exactly zero`);
        assert.ok(maxAbs(want) <= 1e-4 * Math.max(1, maxAbs(weightGrad)), `∂/∂${key}: the reference is round-off of zero (${maxAbs(want)})`);
        cancelled++;
        return true;
      },
    });
    const grads = [...f.io.keys()].filter((k) => k.startsWith('grad.')).length;
    assert.equal(cancelled, 10, 'one cancelled bias per conv unit: (3 encoder + 2 decoder stages) × 2');
    assert.equal(compared + cancelled, grads, 'every parameter gradient checked');
  });
}

test('nnU-Net checkpoint names map onto this network’s', () => {
  assert.equal(nnunetForeignKey('decoder.encoder.stages.1.0.convs.0.all_modules.0.weight'), 'encoder.stages.1.0.convs.0.conv.weight');
  assert.equal(nnunetForeignKey('encoder.stages.0.0.convs.1.all_modules.1.bias'), 'encoder.stages.0.0.convs.1.norm.bias');
  assert.equal(nnunetForeignKey('decoder.seg_layers.1.weight'), 'decoder.seg_layers.1.weight');
});
