/**
 * Target spacing and shapes at it (nnU-Net v2's ExperimentPlanner.determine_fullres_target_spacing and
 * default_resampling.compute_new_shape), with numpy's percentile and Python's round as nnU-Net uses them.
 */
import type { Fingerprint } from './types.js';
import { linearPercentile } from '../metrics/hausdorff.js';
import { axisName, fmt, shp } from './explain.js';
import { NNUNET } from './constants.js';

/** Python's round(): to the nearest integer, halves to even (nnU-Net rounds patch, shapes and batch with it). */
export function pyRound(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** np.percentile (linear interpolation) of `values` at q ∈ [0, 100]. */
export const percentile = (values: readonly number[], q: number): number => linearPercentile(Float64Array.from(values), q);

/** Per-axis percentile of rows. */
export const axisPercentile = (rows: readonly (readonly number[])[], q: number) => rows[0].map((_, a) => percentile(rows.map((r) => r[a]), q));

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
    log.push(`axis ${axisName(worst, 3)}: spacing ${fmt(target[worst])} > ${NNUNET.anisotropyThreshold} × ${fmt(maxOther)} and ${fmt(size[worst])} slices × ${NNUNET.anisotropyThreshold} < ${fmt(Math.min(...others.map((i) => size[i])))} → target ${fmt(t)} (its 10th percentile, not below the other axes)`);
    target[worst] = t;
  } else {
    log.push(`no anisotropy rule: the coarsest axis ${axisName(worst, 3)} (${fmt(target[worst])} mm) is ${anisoSpacing ? '' : `not > ${NNUNET.anisotropyThreshold} × ${fmt(maxOther)}`}${!anisoSpacing && !anisoVoxels ? ' and ' : ''}${anisoVoxels ? '' : `its ${fmt(size[worst])} voxels × ${NNUNET.anisotropyThreshold} are not < ${fmt(Math.min(...others.map((i) => size[i])))}`}`);
  }
  return target;
}

/** `compute_new_shape`: the shape at `target` spacing. */
export const newShape = (shape: readonly number[], spacing: readonly number[], target: readonly number[]) => shape.map((s, a) => pyRound((spacing[a] / target[a]) * s));

