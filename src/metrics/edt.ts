/**
 * Exact squared Euclidean distance transform in linear time: the 1-D lower envelope of parabolas of Felzenszwalb &
 * Huttenlocher ("Distance Transforms of Sampled Functions", 2012) applied separably along each axis, with anisotropic
 * voxel spacing. Any number of dimensions (2-D and 3-D in practice), row-major (last axis fastest).
 */

/** Size of a shape, checking every extent is a positive integer. */
export function shapeSize(shape: readonly number[], what: string): number {
  if (shape.length === 0) throw new Error(`${what}: shape [] must have at least one axis`);
  let n = 1;
  for (const s of shape) {
    if (!Number.isInteger(s) || s < 1) throw new Error(`${what}: shape [${shape}] must hold positive integers`);
    n *= s;
  }
  return n;
}

/** Spacing per axis (default 1), checking it is positive and matches the shape. */
export function checkSpacing(shape: readonly number[], spacing: readonly number[] | undefined, what: string): number[] {
  const sp = spacing ? [...spacing] : shape.map(() => 1);
  if (sp.length !== shape.length) throw new Error(`${what}: spacing [${sp}] must have one entry per axis of shape [${shape}]`);
  sp.forEach((s) => { if (!(s > 0) || !Number.isFinite(s)) throw new Error(`${what}: spacing [${sp}] must be positive and finite`); });
  return sp;
}

/**
 * 1-D squared distance transform of f sampled at positions i·step: d[i] = min_j ((i − j)·step)² + f[j].
 * Infinite f[j] are skipped; all infinite gives all infinite. v, z are scratch of length ≥ n and n + 1.
 */
export function edt1d(f: Float64Array, n: number, step: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = -1;
  for (let q = 0; q < n; q++) {
    const fq = f[q];
    if (fq === Infinity) continue;
    const xq = q * step;
    if (k < 0) {
      k = 0; v[0] = q; z[0] = -Infinity; z[1] = Infinity;
      continue;
    }
    // z[0] = −∞, so the pops stop at k = 0 at the latest.
    let s: number;
    for (;;) {
      const xv = v[k] * step;
      s = (fq + xq * xq - (f[v[k]] + xv * xv)) / (2 * (xq - xv));
      if (s <= z[k]) k--;
      else break;
    }
    k++; v[k] = q; z[k] = s; z[k + 1] = Infinity;
  }
  if (k < 0) {
    d.fill(Infinity, 0, n);
    return;
  }
  let j = 0;
  for (let q = 0; q < n; q++) {
    const xq = q * step;
    while (z[j + 1] < xq) j++;
    const dx = xq - v[j] * step;
    d[q] = dx * dx + f[v[j]];
  }
}

/**
 * Squared Euclidean distance (in spacing units) from every voxel to the nearest voxel where `mask` is nonzero;
 * 0 on the mask, Infinity everywhere when the mask is empty.
 */
export function squaredEdt(mask: ArrayLike<number>, shape: readonly number[], spacing?: readonly number[]): Float64Array {
  const n = shapeSize(shape, 'squaredEdt');
  if (mask.length !== n) throw new Error(`squaredEdt: mask length ${mask.length} must equal the shape's size ${n} ([${shape}])`);
  const sp = checkSpacing(shape, spacing, 'squaredEdt');
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = mask[i] !== 0 ? 0 : Infinity;
  const maxLen = Math.max(...shape);
  const f = new Float64Array(maxLen), d = new Float64Array(maxLen), z = new Float64Array(maxLen + 1);
  const v = new Int32Array(maxLen);
  const strides = shape.map((_, a) => shape.slice(a + 1).reduce((x, y) => x * y, 1));
  for (let a = 0; a < shape.length; a++) {
    const len = shape[a], stride = strides[a];
    // Every line along axis a starts at an index whose a-th coordinate is 0.
    for (let base = 0; base < n; base++) {
      if (Math.floor(base / stride) % len !== 0) continue;
      for (let i = 0; i < len; i++) f[i] = out[base + i * stride];
      edt1d(f, len, sp[a], d, v, z);
      for (let i = 0; i < len; i++) out[base + i * stride] = d[i];
    }
  }
  return out;
}

/** Euclidean distance (square root of squaredEdt) to the nearest nonzero voxel of `mask`. */
export function edt(mask: ArrayLike<number>, shape: readonly number[], spacing?: readonly number[]): Float64Array {
  const d = squaredEdt(mask, shape, spacing);
  for (let i = 0; i < d.length; i++) d[i] = Math.sqrt(d[i]);
  return d;
}

/** Distance metrics of the Hausdorff distance: MONAI's `distance_metric` names. */
export type DistanceMetric = 'euclidean' | 'chessboard' | 'taxicab';

/**
 * Chessboard (L∞, 3^n − 1 neighbours) or taxicab (L1, 2n face neighbours) distance in voxel steps from every voxel to
 * the nearest nonzero voxel of `mask` (scipy's `distance_transform_cdt`, which MONAI uses): two raster passes of the
 * chamfer transform, exact for these two metrics. 0 on the mask, Infinity everywhere when the mask is empty.
 */
export function chamferDistance(mask: ArrayLike<number>, shape: readonly number[], metric: 'chessboard' | 'taxicab'): Float64Array {
  const n = shapeSize(shape, 'chamferDistance');
  if (mask.length !== n) throw new Error(`chamferDistance: mask length ${mask.length} must equal the shape's size ${n} ([${shape}])`);
  const dims = shape.length;
  const strides = shape.map((_, a) => shape.slice(a + 1).reduce((x, y) => x * y, 1));
  // Neighbour offsets (vectors in {−1, 0, 1}^n, not all 0), split into those before and after a voxel in raster order.
  const before: { v: number[]; lin: number }[] = [], after: { v: number[]; lin: number }[] = [];
  for (let m = 0; m < 3 ** dims; m++) {
    const v = Array.from({ length: dims }, (_, a) => (Math.floor(m / 3 ** a) % 3) - 1);
    const nonzero = v.filter((x) => x !== 0).length;
    if (nonzero === 0 || (metric === 'taxicab' && nonzero > 1)) continue;
    const lin = v.reduce((s, x, a) => s + x * strides[a], 0);
    (lin < 0 ? before : after).push({ v, lin });
  }
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = mask[i] !== 0 ? 0 : Infinity;
  const coord = new Int32Array(dims);
  const inside = (v: number[]) => v.every((x, a) => coord[a] + x >= 0 && coord[a] + x < shape[a]);
  const pass = (offs: { v: number[]; lin: number }[], i: number) => {
    let best = d[i];
    for (const o of offs) if (inside(o.v) && d[i + o.lin] + 1 < best) best = d[i + o.lin] + 1;
    d[i] = best;
  };
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < dims; a++) coord[a] = Math.floor(i / strides[a]) % shape[a];
    pass(before, i);
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let a = 0; a < dims; a++) coord[a] = Math.floor(i / strides[a]) % shape[a];
    pass(after, i);
  }
  return d;
}
