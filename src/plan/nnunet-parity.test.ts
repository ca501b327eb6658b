/**
 * Parity with nnU-Net v2's planner on 120 varied fingerprints (2-D and 3-D, anisotropic, 2…5 labels, 3…40 cases):
 * fixtures/nnunet-plans.json holds each fingerprint and the plan that scripts/nnunet_plan_crosscheck.py computes with
 * nnU-Net's own network_topology.py (get_pool_and_conv_props, pad_shape) and a line-by-line replica of
 * ExperimentPlanner (target spacing, transpose, compute_new_shape, the shrink loop, batch and 5% cap, 3d_lowres) and
 * of PlainConvUNet.compute_conv_feature_map_size — transposed back to the data's axis order. nnU-Net's 2d
 * configuration is compared where it slices along axis 0, as unet-ts does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../core/testing.js';
import { plan } from './planner.js';
import type { Fingerprint } from './types.js';

interface Expected { patch: number[]; batch: number; est: number; strides: number[][]; kernels: number[][] }
const fixture = JSON.parse(readFileSync(join(repoRoot, 'fixtures', 'nnunet-plans.json'), 'utf8')) as {
  cases: { fingerprint: Pick<Fingerprint, 'spatialDims' | 'cases' | 'spacings' | 'shapesAfterCrop' | 'labels'>; nnunet: Record<string, Expected> }[];
};
const stats = { mean: 0, median: 0, std: 1, min: 0, max: 1, percentile00_5: 0, percentile99_5: 1 };

test(`planner = nnU-Net v2 on ${fixture.cases.length} fingerprints: patch, batch, feature-map estimate, strides, kernels of every configuration`, () => {
  let compared = 0;
  fixture.cases.forEach(({ fingerprint, nnunet }, i) => {
    const f: Fingerprint = { ...fingerprint, medianRelativeSizeAfterCropping: 1, channels: [{ name: 'MR', foreground: stats }], classFrequencies: {}, samplesPerCase: 1, seed: 0 };
    const p = plan(f);
    const mine = Object.fromEntries(Object.entries(p.configurations).map(([k, c]) => [k, { patch: c!.patch, batch: c!.batch, est: c!.featureMapEstimate, strides: c!.network.options.strides, kernels: c!.network.options.kernels }]));
    if (!('2d' in nnunet)) delete mine['2d']; // nnU-Net slices along another (the coarsest) axis
    assert.deepEqual(mine, nnunet, `fingerprint ${i}: spacing ${f.spacings[0]}, shape ${f.shapesAfterCrop[0]}, ${f.cases.length} cases`);
    compared += Object.keys(nnunet).length;
  });
  assert.ok(compared >= 150, `${compared} configurations compared`);
});
