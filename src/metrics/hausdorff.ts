/**
 * Hausdorff distances between two binary masks in 2-D or 3-D, with voxel spacing.
 *
 * Surface of a mask: its voxels with at least one face neighbour (4-connectivity in 2-D, 6 in 3-D) outside the mask;
 * outside the image counts as outside the mask, so mask voxels on the image border are surface (medpy's convention).
 * Directed distances: from every surface voxel of A to the nearest surface voxel of B (through the EDT of B's
 * surface), and back. The q-th percentile uses the nearest rank: the ⌈q/100 · n⌉-th smallest of the n distances.
 * HD_q = max(directed_q(A→B), directed_q(B→A)); q = 100 is the classic Hausdorff distance.
 * Empty masks: 0 when both are empty, Infinity when exactly one is.
 */
import { checkSpacing, shapeSize, squaredEdt } from './edt.js';

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

export interface HausdorffOptions {
  /** Voxel size per axis; default 1. */
  spacing?: readonly number[];
  /** Percentile q of the directed distances; default 95 (HD95). 100 gives the maximum. */
  percentile?: number;
}

/** Distances from every surface voxel of `from` to the nearest surface voxel of `to` (both non-empty). */
function directed(fromSurf: Uint8Array, toSurf: Uint8Array, shape: readonly number[], spacing: number[]): Float64Array {
  const d2 = squaredEdt(toSurf, shape, spacing);
  const out: number[] = [];
  for (let i = 0; i < fromSurf.length; i++) if (fromSurf[i]) out.push(Math.sqrt(d2[i]));
  return Float64Array.from(out);
}

/** Percentile Hausdorff distance (default HD95) between binary masks a and b (nonzero = inside); see the file comment. */
export function hausdorffDistance(a: ArrayLike<number>, b: ArrayLike<number>, shape: readonly number[], options: HausdorffOptions = {}): number {
  const n = shapeSize(shape, 'hausdorffDistance');
  if (a.length !== n || b.length !== n) throw new Error(`hausdorffDistance: mask lengths ${a.length}, ${b.length} must equal the shape's size ${n} ([${shape}])`);
  const sp = checkSpacing(shape, options.spacing, 'hausdorffDistance');
  const q = options.percentile ?? 95;
  if (!(q > 0 && q <= 100)) throw new Error(`hausdorffDistance: percentile ${q} must be in (0, 100]`);
  const sa = surface(a, shape), sb = surface(b, shape);
  const emptyA = !sa.some((v) => v), emptyB = !sb.some((v) => v);
  if (emptyA && emptyB) return 0;
  if (emptyA || emptyB) return Infinity;
  return Math.max(nearestRankPercentile(directed(sa, sb, shape, sp), q), nearestRankPercentile(directed(sb, sa, shape, sp), q));
}

/** HD95: hausdorffDistance with percentile 95. */
export function hd95(a: ArrayLike<number>, b: ArrayLike<number>, shape: readonly number[], spacing?: readonly number[]): number {
  return hausdorffDistance(a, b, shape, { spacing, percentile: 95 });
}
