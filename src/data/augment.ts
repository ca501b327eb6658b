/**
 * Augmentations of 2-D/3-D patches applied identically to image and label; every random draw comes from the Rng
 * passed in. Flips and 90° rotations are exact permutations; elastic deformation interpolates the image linearly
 * and the label by nearest neighbour.
 */
import type { Rng } from '../core/rng.js';
import type { Patch } from './patches.js';
import { resampleGrid } from '../infer/resample.js';

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
  /** nnU-Net v2's augmentation pipeline instead of the above (flip, rotate, scale, shift, noise ignored). Default none. */
  nnunet?: NnUNetAugmentOptions;
}

/** Applies the configured augmentations in a fixed order, drawing every choice from `rng`. */
export function augment(p: Patch, opts: AugmentOptions, rng: Rng): Patch {
  if (opts.nnunet) return augmentNnUNet(p, opts.nnunet, rng, opts.elasticProb ?? 0, opts.elastic ?? {});
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

// ---------------------------------------------------------------------------------------------------------------
// nnU-Net v2's training augmentations (nnUNetTrainer.get_training_transforms, batchgeneratorsv2), each on its own with
// its probability, in nnU-Net's order: spatial (rotation, scaling), Gaussian noise, Gaussian blur, brightness,
// contrast, low-resolution simulation, gamma (inverted), gamma, mirroring. Differences: the spatial transform samples
// linearly with the border clamped (nnU-Net: cubic, zeros outside), blur and low resolution clamp at the border and
// up-sample linearly (nnU-Net: reflect, cubic).

/** Probabilities and ranges of nnU-Net v2's augmentations (defaults: nnU-Net's). */
export interface NnUNetAugmentOptions {
  /** Rotation probability 0.2; angle per axis U(−30°, 30°) (2-D: in-plane only). */
  rotationP?: number;
  rotationDeg?: number;
  /** Scaling probability 0.2; one factor U(0.7, 1.4) for all axes (nnU-Net's synchronised scaling). */
  scalingP?: number;
  scaling?: [number, number];
  /** Gaussian noise p 0.1, variance U(0, 0.1). */
  noiseP?: number;
  noiseVariance?: number;
  /** Gaussian blur p 0.2, per channel p 0.5, σ U(0.5, 1) per axis. */
  blurP?: number;
  /** Multiplicative brightness p 0.15, U(0.75, 1.25). */
  brightnessP?: number;
  /** Contrast p 0.15, factor U(0.75, 1.25) about the mean, the range preserved. */
  contrastP?: number;
  /** Low-resolution simulation p 0.25, per channel p 0.5, zoom U(0.5, 1) per axis. */
  lowResP?: number;
  /** Gamma with inversion p 0.1, gamma p 0.3; γ ∈ (0.7, 1.5), statistics retained. */
  gammaInvertP?: number;
  gammaP?: number;
  /** Mirror each axis with p 0.5. Default true. */
  mirror?: boolean;
}

/** AugmentOptions for nnU-Net's pipeline (structured-cloneable, for the loader's worker). */
export function nnunetAugment(o: { elasticProb?: number } & NnUNetAugmentOptions = {}): AugmentOptions {
  const { elasticProb, ...rest } = o;
  return { nnunet: rest, elasticProb: elasticProb ?? 0, flip: false, rotate: false, scale: 0, shift: 0 };
}

const mapImage = (p: Patch, f: (v: number, c: number) => number): Patch => {
  const image = new Float32Array(p.image.length), C = p.channels;
  for (let i = 0; i < image.length; i++) image[i] = f(p.image[i], i % C);
  return { ...p, image };
};

/** Channel c of p's image as its own array [...shape]. */
function channel(p: Patch, c: number): Float32Array {
  const n = p.image.length / p.channels, out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = p.image[i * p.channels + c];
  return out;
}

function setChannel(image: Float32Array, channels: number, c: number, v: Float32Array): void {
  for (let i = 0; i < v.length; i++) image[i * channels + c] = v[i];
}

/**
 * Rotation (angles in radians per axis: 2-D one angle, 3-D about axes 0, 1, 2 in that order) and scaling s about the
 * patch centre: output voxel c samples the input at centre + s·R·(c − centre) (s < 1 zooms in).
 */
export function rotateScale(p: Patch, angles: number[], s: number): Patch {
  const d = p.shape.length, n = prod(p.shape);
  let R: number[][];
  if (d === 2) {
    const [a] = angles, c = Math.cos(a), si = Math.sin(a);
    R = [[c, -si], [si, c]];
  } else {
    const rot = (ax: number, a: number) => {
      const c = Math.cos(a), si = Math.sin(a), [i, j] = [0, 1, 2].filter((x) => x !== ax);
      const m = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
      m[i][i] = c; m[i][j] = -si; m[j][i] = si; m[j][j] = c;
      return m;
    };
    const mul = (A: number[][], B: number[][]) => A.map((r) => B[0].map((_, j) => r.reduce((t, v, k) => t + v * B[k][j], 0)));
    R = mul(mul(rot(0, angles[0] ?? 0), rot(1, angles[1] ?? 0)), rot(2, angles[2] ?? 0));
  }
  const centre = p.shape.map((v) => (v - 1) / 2);
  const field = p.shape.map(() => new Float32Array(n));
  const c = new Array<number>(d).fill(0);
  for (let o = 0; o < n; o++) {
    let rem = o;
    for (let a = d - 1; a >= 0; a--) { c[a] = rem % p.shape[a]; rem = (rem - c[a]) / p.shape[a]; }
    for (let a = 0; a < d; a++) {
      let src = centre[a];
      for (let b = 0; b < d; b++) src += s * R[a][b] * (c[b] - centre[b]);
      field[a][o] = src - c[a];
    }
  }
  return warp(p, field);
}

/** 1-D Gaussian kernel of σ, truncated at 4σ (scipy's default), normalised. */
function gaussKernel(sigma: number): Float32Array {
  const r = Math.max(1, Math.ceil(4 * sigma));
  const k = new Float32Array(2 * r + 1);
  let t = 0;
  for (let i = -r; i <= r; i++) t += (k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma)));
  for (let i = 0; i < k.length; i++) k[i] /= t;
  return k;
}

/** Separable Gaussian blur of one channel [...shape] with σ per axis (border clamped). */
export function blurChannel(v: Float32Array, shape: number[], sigmas: number[]): Float32Array {
  let cur = v;
  shape.forEach((m, a) => {
    const k = gaussKernel(sigmas[a]), r = (k.length - 1) / 2;
    const inner = prod(shape.slice(a + 1)), outer = prod(shape.slice(0, a));
    const out = new Float32Array(cur.length);
    for (let o = 0; o < outer; o++) for (let x = 0; x < m; x++) for (let q = 0; q < inner; q++) {
      let t = 0;
      for (let j = -r; j <= r; j++) t += k[j + r] * cur[(o * m + Math.min(m - 1, Math.max(0, x + j))) * inner + q];
      out[(o * m + x) * inner + q] = t;
    }
    cur = out;
  });
  return cur;
}

/** Contrast: per channel (x − mean)·f + mean, clipped to the channel's original [min, max]. */
export function contrast(p: Patch, factors: number[]): Patch {
  const image = new Float32Array(p.image.length), C = p.channels;
  for (let c = 0; c < C; c++) {
    const v = channel(p, c);
    let mean = 0, lo = Infinity, hi = -Infinity;
    for (const x of v) { mean += x; lo = Math.min(lo, x); hi = Math.max(hi, x); }
    mean /= v.length;
    setChannel(image, C, c, v.map((x) => Math.min(hi, Math.max(lo, (x - mean) * factors[c] + mean))));
  }
  return { ...p, image };
}

/** Low resolution: a channel down-sampled (nearest) to round(size·zoom) per axis and up-sampled back (linear). */
export function lowResolution(v: Float32Array, shape: number[], zoom: number[]): Float32Array {
  const small = shape.map((n, a) => Math.max(1, Math.round(n * zoom[a])));
  return resampleGrid(resampleGrid(v, shape, 1, small, 'nearest'), small, 1, shape, 'linear');
}

/**
 * Gamma with the statistics retained (batchgenerators' augment_gamma): x ← ((x − min)/(range + ε))^γ·(range + ε) + min,
 * then the channel's mean and std restored; with `invert` on −x (and negated back).
 */
export function gammaChannel(v: Float32Array, gamma: number, invert: boolean): Float32Array {
  const x = invert ? v.map((t) => -t) : Float32Array.from(v);
  const n = x.length;
  let mean = 0, lo = Infinity, hi = -Infinity;
  for (const t of x) { mean += t; lo = Math.min(lo, t); hi = Math.max(hi, t); }
  mean /= n;
  let sd = 0;
  for (const t of x) sd += (t - mean) ** 2;
  sd = Math.sqrt(sd / n);
  const range = hi - lo + 1e-7;
  for (let i = 0; i < n; i++) x[i] = ((x[i] - lo) / range) ** gamma * range + lo;
  let m2 = 0, s2 = 0;
  for (const t of x) m2 += t;
  m2 /= n;
  for (const t of x) s2 += (t - m2) ** 2;
  s2 = Math.sqrt(s2 / n);
  for (let i = 0; i < n; i++) x[i] = (x[i] - m2) / (s2 + 1e-8) * sd + mean;
  return invert ? x.map((t) => -t) : x;
}

/** γ as batchgenerators draws it from (lo, hi): half the time U(lo, 1), else U(1, hi). */
const drawGamma = (rng: Rng, lo = 0.7, hi = 1.5) => (rng.next() < 0.5 && lo < 1 ? rng.uniform(lo, 1) : rng.uniform(Math.max(lo, 1), hi));

/**
 * nnU-Net's per-channel transforms (p_per_channel 0.5): each channel, with probability 1/2, replaced by
 * `fn(channel, shape, per-axis draws from U(0.5, 1))` — blur σ or low-resolution zoom.
 */
function halfOfChannels(q: Patch, rng: Rng, fn: (ch: Float32Array, shape: number[], perAxis: number[]) => Float32Array): Patch {
  const C = q.channels, image = Float32Array.from(q.image);
  for (let c = 0; c < C; c++) {
    if (rng.next() >= 0.5) continue;
    setChannel(image, C, c, fn(channel(q, c), q.shape, q.shape.map(() => rng.uniform(0.5, 1))));
  }
  return { ...q, image };
}

/** nnU-Net v2's pipeline (see `NnUNetAugmentOptions`), every draw from `rng`. */
export function augmentNnUNet(p: Patch, o: NnUNetAugmentOptions, rng: Rng, elasticProb = 0, elasticOpts: ElasticOptions = {}): Patch {
  let q = p;
  const d = p.shape.length, C = p.channels;
  const rotate = rng.next() < (o.rotationP ?? 0.2), scale = rng.next() < (o.scalingP ?? 0.2);
  if (rotate || scale) {
    const max = ((o.rotationDeg ?? 30) * Math.PI) / 180;
    const angles = rotate ? Array.from({ length: d === 2 ? 1 : 3 }, () => rng.uniform(-max, max)) : new Array(d === 2 ? 1 : 3).fill(0);
    const [s0, s1] = o.scaling ?? [0.7, 1.4];
    q = rotateScale(q, angles, scale ? rng.uniform(s0, s1) : 1);
  }
  if (elasticProb > 0 && rng.next() < elasticProb) q = elastic(q, elasticOpts, rng);
  if (rng.next() < (o.noiseP ?? 0.1)) {
    const sigma = Math.sqrt(rng.uniform(0, o.noiseVariance ?? 0.1));
    q = mapImage(q, (v) => v + sigma * rng.normal());
  }
  if (rng.next() < (o.blurP ?? 0.2)) q = halfOfChannels(q, rng, blurChannel); // σ per axis U(0.5, 1)
  if (rng.next() < (o.brightnessP ?? 0.15)) {
    const f = Array.from({ length: C }, () => rng.uniform(0.75, 1.25));
    q = mapImage(q, (v, c) => v * f[c]);
  }
  if (rng.next() < (o.contrastP ?? 0.15)) q = contrast(q, Array.from({ length: C }, () => rng.uniform(0.75, 1.25)));
  if (rng.next() < (o.lowResP ?? 0.25)) q = halfOfChannels(q, rng, lowResolution); // zoom per axis U(0.5, 1)
  for (const [pp, invert] of [[o.gammaInvertP ?? 0.1, true], [o.gammaP ?? 0.3, false]] as const) {
    if (rng.next() >= pp) continue;
    const image = Float32Array.from(q.image);
    for (let c = 0; c < C; c++) setChannel(image, C, c, gammaChannel(channel(q, c), drawGamma(rng), invert));
    q = { ...q, image };
  }
  if (o.mirror ?? true) for (let a = 0; a < d; a++) if (rng.next() < 0.5) q = flip(q, a);
  return q;
}
