/**
 * nnU-Net v2's experiment planner (nnunetv2/experiment_planning/experiment_planners/default_experiment_planner.py,
 * `ExperimentPlanner`), from a fingerprint to the configurations `3d_fullres`, `3d_lowres` (when the full-resolution
 * patch covers < 25% of the median image) and `2d`, each decision recorded with its rule and numbers.
 *
 * Differences, deliberate: axes stay in the data's order (nnU-Net transposes the coarsest axis first; the 2-D
 * configuration here always slices along the first axis, D, and says so when D is not the coarsest); 2-D datasets
 * (PNG, TIFF) get the `2d` configuration only, as nnU-Net gives a dataset of one slice per case.
 */
import type { Fingerprint, Plans, PlanConfiguration, ChannelNormalization } from './types.js';
import { featureMapSize, featuresPerStage, poolAndConvProps } from './topology.js';
import { NNUNET } from './constants.js';
import { fmt, shp } from './explain.js';
import { normalizationFor } from './normalization.js';
import { axisPercentile, newShape, pyRound, targetSpacing } from './spacing.js';

export { NNUNET } from './constants.js';
export { normalizationFor } from './normalization.js';
export { percentile, pyRound, targetSpacing } from './spacing.js';

export interface PlanOptions {
  /** The memory the batch is sized for, in GB (nnU-Net's `gpu_memory_target_in_gb`). Default 8. */
  memoryGB?: number;
}

const prod = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);

/** `get_plans_for_configuration`: patch, topology and batch for one spacing and median shape. */
export function planConfiguration(name: string, spacing: readonly number[], medianShape: readonly number[], approxVoxels: number, f: Fingerprint, memoryGB: number, normalization: ChannelNormalization[], log: string[]): PlanConfiguration {
  const dims = spacing.length as 2 | 3;
  const classes = f.labels.length;
  const inv = spacing.map((s) => 1 / s);
  const edge = dims === 3 ? 256 : 2048;
  const scale = (edge ** dims / prod(inv)) ** (1 / dims);
  const initial = inv.map((v) => pyRound(v * scale));
  const clipped = initial.map((p, a) => Math.min(p, medianShape[a]));
  log.push(`${name}: initial patch ∝ 1/spacing with ${edge}^${dims} voxels = ${shp(initial)}, clipped to the median shape ${shp(medianShape.map((m) => Math.round(m * 100) / 100))} → ${shp(clipped)}`);
  const maxFeatures = dims === 3 ? NNUNET.maxFeatures3d : NNUNET.maxFeatures2d;
  let topo = poolAndConvProps(spacing, clipped, NNUNET.minEdge);
  let features = featuresPerStage(topo.strides.length, maxFeatures, NNUNET.baseFeatures);
  log.push(`${name}: pool an axis while its map stays ≥ ${2 * NNUNET.minEdge} and its spacing is within 2× of the finest → pools per axis ${topo.poolsPerAxis.join(', ')}, ${topo.strides.length} stages; patch padded to a multiple of ${topo.divisibleBy.join('×')} → ${shp(topo.patch)}`);
  let estimate = featureMapSize(topo.patch, topo.strides, features, classes);
  const reference = (dims === 2 ? NNUNET.referenceVal2d : NNUNET.referenceVal3d) * (memoryGB / NNUNET.referenceGB);
  const refBatch = dims === 2 ? NNUNET.referenceBatch2d : NNUNET.referenceBatch3d;
  let shrinks = 0;
  while ((estimate / refBatch) * 2 > reference) {
    const ratios = topo.patch.map((p, a) => p / medianShape[a]);
    const axis = ratios.lastIndexOf(Math.max(...ratios)); // np.argsort(...)[-1]: the last of equal ratios
    const tmp = [...topo.patch];
    tmp[axis] -= topo.divisibleBy[axis];
    const div = poolAndConvProps(spacing, tmp, NNUNET.minEdge).divisibleBy;
    const patch = [...topo.patch];
    patch[axis] -= div[axis];
    topo = poolAndConvProps(spacing, patch, NNUNET.minEdge);
    features = featuresPerStage(topo.strides.length, maxFeatures, NNUNET.baseFeatures);
    estimate = featureMapSize(topo.patch, topo.strides, features, classes);
    shrinks++;
  }
  if (shrinks) log.push(`${name}: ${shrinks} shrink step(s) of the axis largest relative to the median shape until the feature maps fit the budget (${fmt(reference / 1e6)}e6 × ${refBatch} / 2 at ${memoryGB} GB) → patch ${shp(topo.patch)}, ${topo.strides.length} stages`);
  const byMemory = pyRound((reference / estimate) * refBatch);
  const byCoverage = pyRound((approxVoxels * NNUNET.maxDatasetCovered) / prod(topo.patch));
  const batch = Math.max(Math.min(byMemory, byCoverage), NNUNET.minBatch);
  log.push(`${name}: feature maps ${fmt(estimate)} per sample → batch ${fmt(reference)} / ${fmt(estimate)} × ${refBatch} = ${byMemory}; 5% of the dataset's ${fmt(approxVoxels)} voxels allows ${byCoverage}; at least ${NNUNET.minBatch} → batch ${batch}`);
  log.push(`${name}: features ${features.join('/')}, strides ${topo.strides.map((s) => `[${s}]`).join(' ')}, kernels ${topo.kernels.map((k) => `[${k}]`).join(' ')}`);
  return {
    spatialDims: dims, spacing: [...spacing], medianShape: [...medianShape], patch: topo.patch, batch, normalization,
    network: { arch: 'nnunet', options: { spatialDims: dims, inChannels: f.channels.length, classes, features, kernels: topo.kernels, strides: topo.strides, convsPerStage: 2, deepSupervision: true } },
    featureMapEstimate: estimate,
    explanation: log.filter((l) => l.startsWith(`${name}:`)),
  };
}

/** nnU-Net v2's `plan_experiment` on a fingerprint (see the file comment). */
export function plan(f: Fingerprint, options: PlanOptions = {}): Plans & { explanation: string[] } {
  const memoryGB = options.memoryGB ?? 8;
  if (!(memoryGB > 0 && Number.isFinite(memoryGB))) throw new Error(`plan: memoryGB ${memoryGB} — rule: a positive number of GB`);
  const log: string[] = [];
  if (f.labels.length > 32) {
    log.push(`warning: ${f.labels.length} label values (${f.labels.slice(0, 5).join(', ')}, …, ${f.labels[f.labels.length - 1]}) become ${f.labels.length} classes — instance labels? Plan on semantic labels (--labels-dir, --label-map)`);
  }
  const normalization = normalizationFor(f, log);
  const target = targetSpacing(f, log);
  const shapes = f.shapesAfterCrop.map((s, i) => newShape(s, f.spacings[i], target));
  const median = axisPercentile(shapes, 50);
  const approx = prod(median) * f.cases.length;
  log.push(`median shape at that spacing ${shp(median)}; ${f.cases.length} cases ≈ ${fmt(approx)} voxels`);
  const configurations: Plans['configurations'] = {};
  if (f.spatialDims === 3) {
    const full = planConfiguration('3d_fullres', target, median, approx, f, memoryGB, normalization, log);
    configurations['3d_fullres'] = full;
    const medianVoxels0 = prod(median);
    let medianVoxels = medianVoxels0, inPatch = prod(full.patch);
    let low: PlanConfiguration | undefined;
    const lowSpacing = [...target];
    if (inPatch / medianVoxels < NNUNET.lowresThreshold) {
      log.push(`3d_lowres: the full-resolution patch covers ${fmt((100 * inPatch) / medianVoxels)}% < ${100 * NNUNET.lowresThreshold}% of the median image; spacing × ${NNUNET.lowresSpacingFactor} (the finer axes first while they are > 2× finer) until it covers ${100 * NNUNET.lowresThreshold}%`);
    }
    let steps = 0;
    while (inPatch / medianVoxels < NNUNET.lowresThreshold) {
      const maxS = Math.max(...lowSpacing);
      if (lowSpacing.some((s) => maxS / s > 2)) { for (let a = 0; a < lowSpacing.length; a++) if (maxS / lowSpacing[a] > 2) lowSpacing[a] *= NNUNET.lowresSpacingFactor; }
      else for (let a = 0; a < lowSpacing.length; a++) lowSpacing[a] *= NNUNET.lowresSpacingFactor;
      const lowMedian = median.map((m, a) => (target[a] / lowSpacing[a]) * m);
      medianVoxels = prod(lowMedian);
      const sink: string[] = [];
      low = planConfiguration('3d_lowres', lowSpacing, lowMedian.map((m) => pyRound(m)), medianVoxels * f.cases.length, f, memoryGB, normalization, sink);
      inPatch = prod(low.patch);
      steps++;
      if (steps > 2000) break;
      if (inPatch / medianVoxels >= NNUNET.lowresThreshold) log.push(...sink);
    }
    if (low && medianVoxels0 / medianVoxels < 2) {
      log.push(`3d_lowres dropped: its median image (${fmt(medianVoxels)} voxels) is not 2× smaller than full resolution's (${fmt(medianVoxels0)})`);
      low = undefined;
    }
    if (low) {
      low.explanation = log.filter((l) => l.startsWith('3d_lowres'));
      configurations['3d_lowres'] = low;
    }
  }
  const axes2d = f.spatialDims === 3 ? [1, 2] : [0, 1];
  if (f.spatialDims === 3) {
    const coarsest = target.indexOf(Math.max(...target));
    log.push(`2d: slices along axis 0 (D)${coarsest !== 0 && target[coarsest] !== target[0] ? `; note: axis ${coarsest} is the coarsest, where nnU-Net would slice` : ''}`);
  }
  configurations['2d'] = planConfiguration('2d', axes2d.map((a) => target[a]), axes2d.map((a) => median[a]), approx, f, memoryGB, normalization, log);
  const common = log.filter((l) => !/^(2d|3d_fullres|3d_lowres):/.test(l));
  for (const c of Object.values(configurations)) c!.explanation = [...common, ...c!.explanation];
  return { format: 'unet-ts-plans', version: 1, memoryGB, labels: [...f.labels], configurations, fingerprint: f, explanation: log };
}
