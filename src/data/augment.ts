/**
 * Augmentations of 2-D/3-D patches applied identically to image and label; every random draw comes from the Rng
 * passed in. Flips and 90° rotations are exact permutations; elastic deformation interpolates the image linearly
 * and the label by nearest neighbour.
 */
import type { Rng } from '../core/rng.js';
import type { Patch } from './patches.js';

const prod = (a: number[]) => a.reduce((x, y) => x * y, 1);
const stridesOf = (shape: number[]) => shape.map((_, a) => prod(shape.slice(a + 1)));

/** Rearranges voxels: output voxel o takes input voxel map(o's coordinates). */
function permute(p: Patch, outShape: number[], srcCoord: (c: number[], out: number[]) => void): Patch {
  const d = outShape.length, C = p.channels, n = prod(outShape);
  const st = stridesOf(p.shape);
  const image = new Float32Array(n * C), label = new Int32Array(n);
  const c = new Array<number>(d).fill(0), s = new Array<number>(d).fill(0);
  for (let o = 0; o < n; o++) {
    let rem = o;
    for (let a = d - 1; a >= 0; a--) { c[a] = rem % outShape[a]; rem = (rem - c[a]) / outShape[a]; }
    srcCoord(c, s);
    let i = 0;
    for (let a = 0; a < d; a++) i += s[a] * st[a];
    label[o] = p.label[i];
    for (let k = 0; k < C; k++) image[o * C + k] = p.image[i * C + k];
  }
  return { image, label, shape: [...outShape], channels: C };
}

/** Mirrors along spatial axis `axis`. */
export function flip(p: Patch, axis: number): Patch {
  return permute(p, p.shape, (c, s) => { for (let a = 0; a < c.length; a++) s[a] = c[a]; s[axis] = p.shape[axis] - 1 - c[axis]; });
}

/** Rotates by k·90° in the plane of spatial axes (a, b), which must have equal sizes (shape unchanged). */
export function rot90(p: Patch, a: number, b: number, k: number): Patch {
  if (p.shape[a] !== p.shape[b]) throw new Error(`rot90: axes ${a} and ${b} have sizes ${p.shape[a]} ≠ ${p.shape[b]}; rule: rotate only in a square plane`);
  const n = p.shape[a];
  const kk = ((k % 4) + 4) % 4;
  return permute(p, p.shape, (c, s) => {
    for (let i = 0; i < c.length; i++) s[i] = c[i];
    const [x, y] = [c[a], c[b]];
    if (kk === 1) { s[a] = y; s[b] = n - 1 - x; }
    else if (kk === 2) { s[a] = n - 1 - x; s[b] = n - 1 - y; }
    else if (kk === 3) { s[a] = n - 1 - y; s[b] = x; }
  });
}

/** Cubic B-spline weights for fractional offset t ∈ [0, 1) over control points floor−1 … floor+2. */
function bspline(t: number): [number, number, number, number] {
  const t2 = t * t, t3 = t2 * t;
  return [(1 - t) ** 3 / 6, (3 * t3 - 6 * t2 + 4) / 6, (-3 * t3 + 3 * t2 + 3 * t + 1) / 6, t3 / 6];
}

/** Upsamples a field along `axis` from control points every `grid` voxels to `n` voxels (cubic B-spline). */
function upsampleAxis(f: Float32Array, shape: number[], axis: number, n: number, grid: number): { f: Float32Array; shape: number[] } {
  const outShape = [...shape]; outShape[axis] = n;
  const m = shape[axis];
  const inner = prod(shape.slice(axis + 1)), outer = prod(shape.slice(0, axis));
  const out = new Float32Array(prod(outShape));
  for (let x = 0; x < n; x++) {
    const u = x / grid + 1; // control point 0 sits at x = −grid
    const i0 = Math.floor(u);
    const w = bspline(u - i0);
    for (let o = 0; o < outer; o++) {
      for (let q = 0; q < inner; q++) {
        let v = 0;
        for (let k = 0; k < 4; k++) v += w[k] * f[(o * m + Math.min(m - 1, Math.max(0, i0 - 1 + k))) * inner + q];
        out[(o * n + x) * inner + q] = v;
      }
    }
  }
  return { f: out, shape: outShape };
}

export interface ElasticOptions {
  /** Control-point spacing in voxels (default 32). */
  grid?: number;
  /** Standard deviation of control-point displacements in voxels (default 10). */
  sigma?: number;
}

/** A smooth random displacement field: one Float32Array per spatial axis, each of the patch's spatial size. */
export function elasticField(shape: number[], opts: ElasticOptions, rng: Rng): Float32Array[] {
  const grid = opts.grid ?? 32, sigma = opts.sigma ?? 10;
  const coarse = shape.map((n) => Math.ceil((n - 1) / grid) + 4);
  return shape.map(() => {
    let f: Float32Array = new Float32Array(prod(coarse));
    for (let i = 0; i < f.length; i++) f[i] = sigma * rng.normal();
    let sh = [...coarse];
    for (let a = 0; a < shape.length; a++) ({ f, shape: sh } = upsampleAxis(f, sh, a, shape[a], grid));
    return f;
  });
}

/** Warps image (multi-linear) and label (nearest) by a displacement field; samples outside clamp to the border. */
export function warp(p: Patch, field: Float32Array[]): Patch {
  const { shape, channels: C } = p, d = shape.length, n = prod(shape);
  const st = stridesOf(shape);
  const image = new Float32Array(n * C), label = new Int32Array(n);
  const c = new Array<number>(d).fill(0), lo = new Array<number>(d).fill(0), fr = new Array<number>(d).fill(0);
  const corners = 1 << d;
  for (let o = 0; o < n; o++) {
    let rem = o, near = 0;
    for (let a = d - 1; a >= 0; a--) { c[a] = rem % shape[a]; rem = (rem - c[a]) / shape[a]; }
    for (let a = 0; a < d; a++) {
      const x = Math.min(shape[a] - 1, Math.max(0, c[a] + field[a][o]));
      lo[a] = Math.min(shape[a] - 2, Math.floor(x));
      if (lo[a] < 0) lo[a] = 0;
      fr[a] = shape[a] > 1 ? x - lo[a] : 0;
      near += Math.round(x) * st[a];
    }
    label[o] = p.label[near];
    for (let k = 0; k < corners; k++) {
      let w = 1, i = 0;
      for (let a = 0; a < d; a++) {
        const up = (k >> a) & 1;
        w *= up ? fr[a] : 1 - fr[a];
        i += Math.min(shape[a] - 1, lo[a] + up) * st[a];
      }
      if (w === 0) continue;
      for (let ch = 0; ch < C; ch++) image[o * C + ch] += w * p.image[i * C + ch];
    }
  }
  return { image, label, shape: [...shape], channels: C };
}

/** Random elastic deformation (coarse-grid Gaussian displacements, cubic B-spline smoothing), same for image and label. */
export function elastic(p: Patch, opts: ElasticOptions, rng: Rng): Patch {
  return warp(p, elasticField(p.shape, opts, rng));
}

/** Per channel x·s + b with s ~ U(1 − scale, 1 + scale), b ~ U(−shift, shift) (image only). */
export function intensity(p: Patch, scale: number, shift: number, rng: Rng): Patch {
  const image = new Float32Array(p.image.length), C = p.channels;
  for (let c = 0; c < C; c++) {
    const s = rng.uniform(1 - scale, 1 + scale), b = rng.uniform(-shift, shift);
    for (let i = c; i < image.length; i += C) image[i] = p.image[i] * s + b;
  }
  return { ...p, image };
}

/** Adds Gaussian noise of standard deviation σ ~ U(0, maxSigma) (image only). */
export function gaussianNoise(p: Patch, maxSigma: number, rng: Rng): Patch {
  const sigma = rng.uniform(0, maxSigma);
  const image = new Float32Array(p.image.length);
  for (let i = 0; i < image.length; i++) image[i] = p.image[i] + sigma * rng.normal();
  return { ...p, image };
}

export interface AugmentOptions {
  /** Flip each axis with probability 0.5 (default true). */
  flip?: boolean;
  /** Random k·90° rotation in every plane of equal-size axes (default true). */
  rotate?: boolean;
  /** Probability of an elastic deformation (default 0 = off) and its parameters. */
  elasticProb?: number;
  elastic?: ElasticOptions;
  /** Intensity scale/shift ranges (default 0.1 / 0.1; 0 turns it off). */
  scale?: number;
  shift?: number;
  /** Maximum noise σ (default 0 = off). */
  noise?: number;
}

/** Applies the configured augmentations in a fixed order, drawing every choice from `rng`. */
export function augment(p: Patch, opts: AugmentOptions, rng: Rng): Patch {
  let q = p;
  const d = p.shape.length;
  if (opts.flip ?? true) for (let a = 0; a < d; a++) if (rng.next() < 0.5) q = flip(q, a);
  if (opts.rotate ?? true) {
    for (let a = 0; a < d; a++) for (let b = a + 1; b < d; b++) {
      if (q.shape[a] === q.shape[b]) { const k = rng.int(4); if (k) q = rot90(q, a, b, k); }
    }
  }
  if ((opts.elasticProb ?? 0) > 0 && rng.next() < opts.elasticProb!) q = elastic(q, opts.elastic ?? {}, rng);
  const scale = opts.scale ?? 0.1, shift = opts.shift ?? 0.1;
  if (scale > 0 || shift > 0) q = intensity(q, scale, shift, rng);
  if ((opts.noise ?? 0) > 0) q = gaussianNoise(q, opts.noise!, rng);
  return q;
}
