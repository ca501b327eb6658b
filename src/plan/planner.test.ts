/**
 * The planner against nnU-Net v2's own numbers. Hippocampus (MSD Task04; documentation/explanation_plans_files.md and
 * benchmarking.md quote its plans): median 36×50×35 at 1 mm, 260 cases, 3 labels → 3d_fullres patch 40×56×40, batch 9,
 * 2d patch 56×40, batch 366. Worked by hand from the code (network_topology.py, default_experiment_planner.py):
 * 3-D pools while ≥ 8: 36,50,35 → 18,25,18 → 9,13,9 → 5,7,5: 3 pools per axis, padded to ×8 = 40×56×40; feature maps
 * (PlainConvUNet.compute_conv_feature_map_size) 7,616,000 (encoder) + 11,558,400 (decoder + 3·89,600 output) =
 * 19,174,400 → batch round(560e6 / 19,174,400 × 2) = 58; 5% of 36·50·35·260 voxels / 89,600 = 9.14 → 9.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plan, pyRound, targetSpacing } from './planner.js';
import { featureMapSize, poolAndConvProps, padShape } from './topology.js';
import type { Fingerprint } from './types.js';

const stats = { mean: 100, median: 95, std: 20, min: 0, max: 400, percentile00_5: 10, percentile99_5: 300 };
function fingerprint(n: number, spacing: number[], shape: number[], o: Partial<Fingerprint> = {}): Fingerprint {
  return {
    spatialDims: 3, cases: Array.from({ length: n }, (_, i) => `case_${i}`), spacings: Array.from({ length: n }, () => [...spacing]),
    shapesAfterCrop: Array.from({ length: n }, () => [...shape]), medianRelativeSizeAfterCropping: 1,
    channels: [{ name: 'MRI', foreground: stats }], labels: [0, 1, 2], classFrequencies: {}, samplesPerCase: 10000, seed: 0, ...o,
  };
}

test('topology rules: pooling, kernels and padding as network_topology.py', () => {
  const t = poolAndConvProps([1, 1, 1], [36, 50, 35]);
  assert.deepEqual(t.poolsPerAxis, [3, 3, 3]);
  assert.deepEqual(t.strides, [[1, 1, 1], [2, 2, 2], [2, 2, 2], [2, 2, 2]]);
  assert.deepEqual(t.kernels, [[3, 3, 3], [3, 3, 3], [3, 3, 3], [3, 3, 3]]);
  assert.deepEqual(t.patch, [40, 56, 40]);
  assert.deepEqual(padShape([40, 57], [8, 8]), [40, 64]);
  assert.equal(featureMapSize([40, 56, 40], t.strides, [32, 64, 128, 256], 3), 19_174_400);
});

test('hippocampus-like fingerprint: 3d_fullres 40×56×40, 4 stages, batch 9 (58 without the 5% cap); 2d 56×40, batch 366', () => {
  const p = plan(fingerprint(260, [1, 1, 1], [36, 50, 35]));
  const full = p.configurations['3d_fullres']!;
  assert.deepEqual([full.patch, full.batch, full.spacing], [[40, 56, 40], 9, [1, 1, 1]]);
  assert.deepEqual(full.network.options.strides, [[1, 1, 1], [2, 2, 2], [2, 2, 2], [2, 2, 2]]);
  assert.deepEqual(full.network.options.features, [32, 64, 128, 256]);
  assert.ok(full.explanation.some((l) => /batch 560000000 \/ 19174400 × 2 = 58; 5% of the dataset's 16380000 voxels allows 9; at least 2 → batch 9/.test(l)), full.explanation.join('\n'));
  const d2 = p.configurations['2d']!;
  assert.deepEqual([d2.patch, d2.batch], [[56, 40], 366]);
  assert.deepEqual(d2.network.options.features, [32, 64, 128, 256]);
  assert.equal(p.configurations['3d_lowres'], undefined); // the patch covers the whole median image
  assert.deepEqual(full.normalization, [{ scheme: 'zscore', useMask: false }]);
});

// The anisotropic numbers agree with the code: no line of default_experiment_planner.py or
// network_topology.py gives anything else for this fingerprint (the worked steps are in the comments below).
test('anisotropic fingerprint (5 × 0.8 × 0.8 mm, median 80×512×512, 40 cases): in-plane pooling first, kernels 1×3×3 there', () => {
  const p = plan(fingerprint(40, [5, 0.8, 0.8], [80, 512, 512], { channels: [{ name: 'CT', foreground: stats }], medianRelativeSizeAfterCropping: 0.6 }));
  const full = p.configurations['3d_fullres']!;
  const o = full.network.options;
  assert.deepEqual(o.strides.slice(0, 3), [[1, 1, 1], [1, 2, 2], [1, 2, 2]]);
  assert.deepEqual(o.kernels.slice(0, 2), [[1, 3, 3], [1, 3, 3]]);
  assert.equal(o.kernels[2][0], 3);
  // Initial patch 75×472×472 (∝ 1/spacing, 256³ voxels) pads to 80×512×512 (÷ 16, 128, 128: 4 and 7 pools); 15 shrink
  // steps of the axis largest relative to the median bring the feature maps (473,084,416 per sample) under 560e6.
  assert.deepEqual([full.patch, full.featureMapEstimate], [[32, 224, 224], 473_084_416]);
  assert.deepEqual(o.strides, [[1, 1, 1], [1, 2, 2], [1, 2, 2], [2, 2, 2], [2, 2, 2], [2, 2, 2]]);
  assert.equal(full.batch, 2);
  assert.deepEqual(full.normalization, [{ scheme: 'ct', useMask: false, ct: { mean: 100, std: 20, lower: 10, upper: 300 } }]);
  // 3d_lowres: the patch covers 32·224·224 / 80·512·512 = 7.7% < 25%; the in-plane axes (> 2× finer than 5 mm) grow
  // × 1.03 per step until the lowres patch covers ≥ 25%: 16 steps → 0.8·1.03^16 = 1.2838 mm, median 80×319×319, patch
  // 56×192×192 (its own shrink loop), batch 2; kept, since the image shrinks 2.6× (≥ 2).
  const low = p.configurations['3d_lowres']!;
  assert.deepEqual([low.patch, low.batch, low.medianShape, low.spacing.map((x) => +x.toFixed(4))], [[56, 192, 192], 2, [80, 319, 319], [5, 1.2838, 1.2838]]);
  assert.deepEqual(low.network.options.strides, [[1, 1, 1], [1, 2, 2], [2, 2, 2], [2, 2, 2], [2, 2, 2], [1, 2, 2]]);
  // 2d: 512×512 in-plane, 7 pools, feature maps 82,886,656 → batch round(85e6 / 82,886,656 × 12) = 12.
  const d2 = p.configurations['2d']!;
  assert.deepEqual([d2.patch, d2.batch, d2.featureMapEstimate, d2.network.options.features], [[512, 512], 12, 82_886_656, [32, 64, 128, 256, 512, 512, 512, 512]]);
  assert.equal(low.featureMapEstimate, 555_028_992);
});

test('anisotropy rule: a coarse axis with few slices takes its 10th-percentile spacing, not below the others', () => {
  const f = fingerprint(10, [5, 0.8, 0.8], [80, 512, 512]);
  f.spacings = f.spacings.map((s, i) => [i < 3 ? 2 : 5, 0.8, 0.8]);
  const log: string[] = [];
  const t = targetSpacing(f, log);
  assert.ok(Math.abs(t[0] - 2) < 1e-9, `target ${t}`); // 10th percentile of [2,2,2,5,…] = 2
  assert.match(log[1], /axis 0 \(z\): spacing 5 > 3 × 0.8 and 80 slices × 3 < 512 → target 2 \(its 10th percentile/);
  assert.deepEqual(targetSpacing(fingerprint(10, [1.5, 1, 1], [80, 100, 100]), []), [1.5, 1, 1]);
});

test("Python's round (halves to even) where nnU-Net rounds; 2-D datasets skip the anisotropy rule; many labels are flagged", () => {
  assert.deepEqual([0.5, 1.5, 2.5, -1.5, 2.4, 2.6].map(pyRound), [0, 2, 2, -2, 2, 3]);
  // A 2-D set with 3 × 0.5 mm pixels: nnU-Net's pseudo-axis (spacing 999) is the worst one, the in-plane spacing stays.
  const f = fingerprint(10, [3, 0.5], [40, 512], { spatialDims: 2 });
  const log: string[] = [];
  assert.deepEqual(targetSpacing(f, log), [3, 0.5]);
  assert.match(log[1], /no anisotropy rule for 2-D images/);
  const many = plan(fingerprint(10, [1, 1], [256, 256], { spatialDims: 2, labels: Array.from({ length: 40 }, (_, i) => i) }));
  assert.match(many.explanation[0], /^warning: 40 label values .* instance labels\?/);
});
