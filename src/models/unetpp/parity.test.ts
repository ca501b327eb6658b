// Parity with MONAI's BasicUNetPlusPlus (../shared/reference/variants.py): fixtures unetpp2d (deep supervision, odd
// size 35×36: the replicate padding on rows 0 and 1) and unetpp3d (odd size 16×17×32, no deep supervision: heads
// 1 … 3 get no gradient), on cpu and onednn. Eval output, train output (per head), every gradient of sum(out²), leaks.
//
// One documented opt-in: the bias of every conv in front of an InstanceNorm (`….conv_0.conv.bias`, `….conv_1.conv.bias`).
// The norm subtracts each channel's mean, so the bias cancels exactly and its gradient is exactly zero; this port
// gives exactly zero (src/nn/ops/instance-norm-act.ts: `cancelledBias`), PyTorch gives float32 round-off of zero (up to 1.2e-4 in
// unetpp2d, 1.5e-5 of the layer's largest weight gradient), which the helper's 1e-4·max(1, max|ref|) rule cannot
// absorb for a tensor whose reference is all round-off. Those gradients are checked instead to be zero here and
// within 1e-4 × max(1, max|∂weight|) of zero in the reference, the same rule at the scale of the layer's gradients.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../core/tf.js';
import { testBackends } from '../../core/testing.js';
import { assertVariantParity, readVariantFixture, type VariantFixture } from '../parity-testing.js';
import { UNetPlusPlus } from './unetpp.js';
import type { UNetPPOptions } from './options.js';

/** MONAI's constructor arguments (the fixture's metadata) as this network's options. */
function fixtureOptions(f: VariantFixture): UNetPPOptions {
  const o = f.options as { spatial_dims: 2 | 3; in_channels: number; out_channels: number; features: number[]; deep_supervision?: boolean; dropout?: number };
  return { spatialDims: o.spatial_dims, inChannels: o.in_channels, classes: o.out_channels, features: o.features, deepSupervision: o.deep_supervision ?? false, dropout: o.dropout ?? 0 };
}

const CANCELLED_BIAS = /\.conv_[01]\.conv\.bias$/;
const maxAbs = (a: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
};

for (const backend of await testBackends()) {
  for (const name of ['unetpp2d', 'unetpp3d']) {
    test(`[${backend}] ${name}: outputs, every gradient and no leaks match MONAI's BasicUNetPlusPlus`, async () => {
      await tf.setBackend(backend);
      const f = readVariantFixture(name);
      const net = new UNetPlusPlus(fixtureOptions(f));
      let cancelled = 0;
      const compared = assertVariantParity(net, f, {
        skipGrad: (key, got, want) => {
          if (!CANCELLED_BIAS.test(key)) return false;
          const weightGrad = f.io.get(`grad.${key.replace(/bias$/, 'weight')}`)!.data;
          assert.equal(maxAbs(got), 0, `${name} ∂/∂${key}: exactly zero (the InstanceNorm cancels the bias)`);
          assert.ok(maxAbs(want) <= 1e-4 * Math.max(1, maxAbs(weightGrad)), `${name} ∂/∂${key}: the reference is round-off of zero (${maxAbs(want)})`);
          cancelled++;
          return true;
        },
      });
      const grads = [...f.io.keys()].filter((k) => k.startsWith('grad.')).length;
      assert.equal(cancelled, 30, 'one cancelled bias per ConvNormAct: 15 TwoConvs × 2');
      assert.equal(compared + cancelled, grads, 'every parameter gradient checked');
    });
  }
}
