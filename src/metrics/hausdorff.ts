/**
 * Hausdorff distances between two binary masks in 2-D or 3-D, with voxel spacing.
 *
 * Surface of a mask: its voxels with at least one face neighbour (4-connectivity in 2-D, 6 in 3-D) outside the mask;
 * outside the image counts as outside the mask, so mask voxels on the image border are surface (medpy's convention).
 * Directed distances: from every surface voxel of A to the nearest surface voxel of B (through the EDT of B's
 * surface), and back. The q-th percentile uses the nearest rank: the ⌈q/100 · n⌉-th smallest of the n distances.
 * HD_q = max(directed_q(A→B), directed_q(B→A)); q = 100 is the classic Hausdorff distance. `directed: true` gives
 * directed_q(A→B) alone (A = the first argument, the prediction: MONAI's `directed=True`).
 * Empty masks: 0 when both are empty, Infinity when exactly one is.
 *
 * `semantics: 'monai'` follows `monai.metrics.compute_hausdorff_distance` instead: both masks empty → NaN (left out of
 * MONAI's means and counted in `not_nans`); exactly one empty → Infinity (as here); the percentile interpolates
 * linearly between ranks (`torch.quantile`: HD95 of the distances {0, 0, 1} is 0.9, the nearest rank gives 1);
 * percentile 100 is the maximum and so is percentile 0 (MONAI treats a falsy percentile as "none": the maximum).
 * Surfaces are the same in both (MONAI: the mask XOR its binary erosion with the face-connected structure, outside
 * the image counting as background). Distance metrics (MONAI's `distance_metric`): 'euclidean' (default, with
 * spacing), 'chessboard' and 'taxicab' (chamfer distances in voxel steps; MONAI ignores the spacing for these, so
 * 'monai' semantics ignore it too, while 'unet-ts' refuses a non-unit spacing rather than ignore it silently).
 */
import { chamferDistance, checkSpacing, shapeSize, squaredEdt, type DistanceMetric } from './edt.js';
import { checkSemantics, type Semantics } from './semantics.js';

/** Surface voxels (face neighbour outside the mask or the image) of a binary mask, as a 0/1 array. */
export function surface(mask: ArrayLike<number>, shape: readonly number[]): Uint8Array {
  const n = shapeSize(shape, 'surface');
  if (mask.length !== n) throw new Error(`surface: mask length ${mask.length} must equal the shape's size ${n} ([${shape}])`);
  const strides = shape.map((_, a) => shape.slice(a + 1).reduce((x, y) => x * y, 1));
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (mask[i] === 0) continue;
    for (let a = 0; a < shape.length && !out[i]; a++) {
      const c = Math.floor(i / strides[a]) % shape[a];
      if (c === 0 || c === shape[a] - 1 || mask[i - strides[a]] === 0 || mask[i + strides[a]] === 0) out[i] = 1;
    }
  }
  return out;
}

/** The nearest-rank q-th percentile (0 < q ≤ 100) of `values` (sorted in place). */
export function nearestRankPercentile(values: Float64Array, q: number): number {
  if (!(q > 0 && q <= 100)) throw new Error(`percentile ${q} must be in (0, 100]`);
  if (values.length === 0) throw new Error('nearestRankPercentile: no values');
  values.sort();
  return values[Math.max(1, Math.ceil((q / 100) * values.length)) - 1];
}

/**
 * The q-th percentile (0 ≤ q ≤ 100) by linear interpolation between closest ranks, as `torch.quantile` /
 * numpy's default: position (q/100)·(n − 1) in the sorted values (sorted in place).
 */
export function linearPercentile(values: Float64Array, q: number): number {
  if (!(q >= 0 && q <= 100)) throw new Error(`percentile ${q} must be in [0, 100]`);
  if (values.length === 0) throw new Error('linearPercentile: no values');
  values.sort();
  const pos = (q / 100) * (values.length - 1), lo = Math.floor(pos), hi = Math.ceil(pos);
  if (lo === hi || values[hi] === values[lo]) return values[lo];
  return values[lo] + (values[hi] - values[lo]) * (pos - lo);
}

export interface HausdorffOptions {
  /** Voxel size per axis; default 1. */
  spacing?: readonly number[];
  /**
   * Percentile q of the directed distances; default 95 (HD95). 100 gives the maximum. Nearest rank with 'unet-ts'
   * semantics (q in (0, 100]); linear interpolation with 'monai' (MONAI's `percentile`, q in [0, 100], 0 = maximum).
   */
  percentile?: number;
  /** Only the distances from the first mask (prediction) to the second (truth): MONAI's `directed`. Default false. */
  directed?: boolean;
  /** MONAI's `distance_metric`: 'euclidean' (default), 'chessboard' or 'taxicab' (voxel steps). */
  distanceMetric?: DistanceMetric;
  /** Empty-mask and percentile rules (see the file comment). Default 'unet-ts'. */
  semantics?: Semantics;
}

/** Distances from every surface voxel of `from` to the nearest surface voxel of `to` (both non-empty). */
function directed(fromSurf: Uint8Array, toSurf: Uint8Array, shape: readonly number[], spacing: number[], metric: DistanceMetric): Float64Array {
  const d = metric === 'euclidean' ? squaredEdt(toSurf, shape, spacing).map(Math.sqrt) : chamferDistance(toSurf, shape, metric);
  const out: number[] = [];
  for (let i = 0; i < fromSurf.length; i++) if (fromSurf[i]) out.push(d[i]);
  return Float64Array.from(out);
}

/** Percentile Hausdorff distance (default HD95) between binary masks a and b (nonzero = inside); see the file comment. */
export function hausdorffDistance(a: ArrayLike<number>, b: ArrayLike<number>, shape: readonly number[], options: HausdorffOptions = {}): number {
  const n = shapeSize(shape, 'hausdorffDistance');
  if (a.length !== n || b.length !== n) throw new Error(`hausdorffDistance: mask lengths ${a.length}, ${b.length} must equal the shape's size ${n} ([${shape}])`);
  const sp = checkSpacing(shape, options.spacing, 'hausdorffDistance');
  const monai = checkSemantics(options.semantics, 'hausdorffDistance') === 'monai';
  const metric = options.distanceMetric ?? 'euclidean';
  if (!['euclidean', 'chessboard', 'taxicab'].includes(metric)) throw new Error(`hausdorffDistance: distanceMetric '${metric}' must be euclidean, chessboard or taxicab`);
  if (metric !== 'euclidean' && !monai && sp.some((s) => s !== 1)) {
    throw new Error(`hausdorffDistance: distanceMetric '${metric}' counts voxel steps and cannot use spacing [${sp}]; use 'euclidean', or semantics 'monai' (which ignores the spacing, as MONAI does)`);
  }
  const q = options.percentile ?? 95;
  if (monai ? !(q >= 0 && q <= 100) : !(q > 0 && q <= 100)) throw new Error(`hausdorffDistance: percentile ${q} must be in ${monai ? '[0, 100]' : '(0, 100]'}`);
  const pct = (d: Float64Array) => (monai ? (q === 0 ? linearPercentile(d, 100) : linearPercentile(d, q)) : nearestRankPercentile(d, q));
  const sa = surface(a, shape), sb = surface(b, shape);
  const emptyA = !sa.some((v) => v), emptyB = !sb.some((v) => v);
  if (emptyA && emptyB) return monai ? NaN : 0;
  if (emptyA || emptyB) return Infinity;
  const ab = pct(directed(sa, sb, shape, sp, metric));
  return options.directed ? ab : Math.max(ab, pct(directed(sb, sa, shape, sp, metric)));
}

/** HD95: hausdorffDistance with percentile 95. */
export function hd95(a: ArrayLike<number>, b: ArrayLike<number>, shape: readonly number[], spacing?: readonly number[], semantics?: Semantics): number {
  return hausdorffDistance(a, b, shape, { spacing, percentile: 95, semantics });
}
