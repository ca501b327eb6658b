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
import { linearPercentile } from '../metrics/hausdorff.js';

export interface PlanOptions {
  /** The memory the batch is sized for, in GB (nnU-Net's `gpu_memory_target_in_gb`). Default 8. */
  memoryGB?: number;
}

/** nnU-Net's constants (ExperimentPlanner.__init__). */
export const NNUNET = {
  anisotropyThreshold: 3,
  baseFeatures: 32,
  referenceVal3d: 560e6,
  referenceVal2d: 85e6,
  referenceGB: 8,
  referenceBatch3d: 2,
  referenceBatch2d: 12,
  minEdge: 4,
  minBatch: 2,
  maxFeatures2d: 512,
  maxFeatures3d: 320,
  maxDatasetCovered: 0.05,
  lowresThreshold: 0.25,
  lowresSpacingFactor: 1.03,
} as const;

const prod = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);
const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(4).replace(/\.?0+$/, ''));
const shp = (xs: readonly number[]) => xs.map(fmt).join('×');

/** Python's round(): to the nearest integer, halves to even (nnU-Net rounds patch, shapes and batch with it). */
export function pyRound(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** np.percentile (linear interpolation) of `values` at q ∈ [0, 100]. */
export const percentile = (values: readonly number[], q: number): number => linearPercentile(Float64Array.from(values), q);

/** Per-axis percentile of rows. */
const axisPercentile = (rows: readonly (readonly number[])[], q: number) => rows[0].map((_, a) => percentile(rows.map((r) => r[a]), q));

/** `determine_fullres_target_spacing`: the median, except a very anisotropic axis with few voxels takes its 10th percentile. */
export function targetSpacing(f: Fingerprint, log: string[]): number[] {
  const target = axisPercentile(f.spacings, 50);
  const size = axisPercentile(f.shapesAfterCrop, 50);
  log.push(`target spacing: per-axis median of the ${f.cases.length} cases' spacings = ${shp(target)} mm`);
  if (f.spatialDims === 2) {
    // nnU-Net reads a 2-D image as 1×H×W with spacing 999 on the pseudo-axis: that axis is always the worst one, so the
    // rule never touches the in-plane spacings.
    log.push("no anisotropy rule for 2-D images (nnU-Net's pseudo-axis of spacing 999 is the coarsest, never H or W)");
    return target;
  }
  const worst = target.indexOf(Math.max(...target));
  const others = target.map((_, i) => i).filter((i) => i !== worst);
  const maxOther = Math.max(...others.map((i) => target[i]));
  const anisoSpacing = target[worst] > NNUNET.anisotropyThreshold * maxOther;
  const anisoVoxels = size[worst] * NNUNET.anisotropyThreshold < Math.min(...others.map((i) => size[i]));
  if (anisoSpacing && anisoVoxels) {
    let t = percentile(f.spacings.map((s) => s[worst]), 10);
    if (t < maxOther) t = Math.max(maxOther, t) + 1e-5;
    log.push(`axis ${worst}: spacing ${fmt(target[worst])} > ${NNUNET.anisotropyThreshold} × ${fmt(maxOther)} and ${fmt(size[worst])} voxels × ${NNUNET.anisotropyThreshold} < ${fmt(Math.min(...others.map((i) => size[i])))} → target ${fmt(t)} (its 10th percentile, not below the other axes)`);
    target[worst] = t;
  } else {
    log.push(`no anisotropy rule: the coarsest axis ${worst} (${fmt(target[worst])} mm) is ${anisoSpacing ? '' : `not > ${NNUNET.anisotropyThreshold} × ${fmt(maxOther)}`}${!anisoSpacing && !anisoVoxels ? ' and ' : ''}${anisoVoxels ? '' : `its ${fmt(size[worst])} voxels × ${NNUNET.anisotropyThreshold} are not < ${fmt(Math.min(...others.map((i) => size[i])))}`}`);
  }
  return target;
}

/** `determine_normalization_scheme_and_whether_mask_is_used_for_norm`. */
export function normalizationFor(f: Fingerprint, log: string[]): ChannelNormalization[] {
  const useMask = f.medianRelativeSizeAfterCropping < 3 / 4;
  return f.channels.map((c, k) => {
    const ct = c.name.toLowerCase() === 'ct';
    // CTNormalization leaves pixels outside the mask alone (its flag is False); ZScoreNormalization uses the mask.
    const mask = useMask && !ct;
    log.push(`channel ${k} ('${c.name}'): ${ct ? `CT — clip to the foreground 0.5/99.5 percentiles [${fmt(c.foreground.percentile00_5)}, ${fmt(c.foreground.percentile99_5)}], then (x − ${fmt(c.foreground.mean)}) / ${fmt(c.foreground.std)}` : 'z-score per image'}; ${mask ? `inside the nonzero mask only (median size after cropping ${fmt(f.medianRelativeSizeAfterCropping)} < 0.75)` : `whole image (median size after cropping ${fmt(f.medianRelativeSizeAfterCropping)}${useMask ? '; CT ignores the mask' : ' ≥ 0.75'})`}`);
    return ct
      ? { scheme: 'ct' as const, useMask: false, ct: { mean: c.foreground.mean, std: c.foreground.std, lower: c.foreground.percentile00_5, upper: c.foreground.percentile99_5 } }
      : { scheme: 'zscore' as const, useMask: mask };
  });
}

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

/** `compute_new_shape`: the shape at `target` spacing. */
const newShape = (shape: readonly number[], spacing: readonly number[], target: readonly number[]) => shape.map((s, a) => pyRound((spacing[a] / target[a]) * s));

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
