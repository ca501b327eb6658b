/**
 * Resampling volumes to a target voxel spacing and back, on typed arrays (no tensors): separable linear
 * (bilinear / trilinear) or nearest interpolation for images and probability maps; label maps either through their
 * per-class indicator maps (one-hot → linear → argmax, nnU-Net's way, which keeps class volumes) or nearest.
 *
 * Grid convention: half-pixel centres (align_corners false). Resampling an axis of n voxels to m keeps the grid's
 * outer edges: output voxel j's centre sits at input index (j + ½)·n/m − ½, so the spacing becomes spacing·n/m (the
 * extent is kept; within half a voxel of a requested spacing) and the affine's column for that axis is scaled by n/m,
 * its origin moved to the new first voxel centre. Resampling back to the original shape restores the original grid.
 */
import type { Volume } from '../io/volume.js';
import { lookUpOption } from '../core/registry.js';
import { linearTaps } from '../nn/ops/resize.js';

export type Interpolation = 'linear' | 'nearest';

/** Source taps along one axis: out[j] = (1 − w[j])·in[i0[j]] + w[j]·in[i1[j]]. */
function taps(n: number, m: number, interpolation: Interpolation): { i0: Int32Array; i1: Int32Array; w: Float32Array } {
  if (interpolation === 'linear') return linearTaps(n, m, false);
  const i0 = Int32Array.from({ length: m }, (_, j) => Math.min(Math.floor(((j + 0.5) * n) / m), n - 1)); // the voxel holding the centre
  return { i0, i1: i0, w: new Float32Array(m) };
}

/** One axis of [...dims] (channels last among them) from n to m samples. */
function resampleAxis(src: Float32Array, dims: number[], axis: number, m: number, interpolation: Interpolation): Float32Array {
  const n = dims[axis];
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const { i0, i1, w } = taps(n, m, interpolation);
  const out = new Float32Array(outer * m * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const a = (o * n + i0[j]) * inner, b = (o * n + i1[j]) * inner, t = (o * m + j) * inner, wj = w[j];
      for (let i = 0; i < inner; i++) out[t + i] = src[a + i] + (src[b + i] - src[a + i]) * wj;
    }
  }
  return out;
}

/**
 * Channels-last data [...shape, C] resampled to [...outShape, C], one axis after the other (separable).
 * `interpolation`: 'linear' (default) or 'nearest'.
 */
export function resampleGrid(data: ArrayLike<number>, shape: readonly number[], channels: number, outShape: readonly number[],
                             interpolation: Interpolation = 'linear'): Float32Array {
  const mode = lookUpOption('interpolation', interpolation, ['linear', 'nearest'] as const);
  const size = shape.reduce((a, b) => a * b, 1) * channels;
  if (data.length !== size) throw new Error(`resample: data length ${data.length} must equal [${shape}] × ${channels} channels = ${size}`);
  if (outShape.length !== shape.length || !outShape.every((s) => Number.isInteger(s) && s >= 1)) {
    throw new Error(`resample: output shape [${outShape}] must have ${shape.length} positive integer sizes (input [${shape}])`);
  }
  let cur = data instanceof Float32Array ? data : Float32Array.from(data);
  const dims = [...shape, channels];
  for (let a = 0; a < shape.length; a++) {
    if (dims[a] === outShape[a]) continue;
    cur = resampleAxis(cur, dims, a, outShape[a], mode);
    dims[a] = outShape[a];
  }
  return cur === data ? Float32Array.from(cur) : cur;
}

/** Shape on a grid of `target` spacing covering the same extent: round(size·spacing/target), at least 1. */
export function resampledShape(shape: readonly number[], spacing: readonly number[], target: readonly number[]): number[] {
  if (spacing.length !== shape.length || target.length !== shape.length) throw new Error(`resample: spacing [${spacing}] and target spacing [${target}] need one entry per axis of [${shape}]`);
  if (!target.every((t) => t > 0 && Number.isFinite(t))) throw new Error(`resample: target spacing [${target}] must be positive`);
  return shape.map((s, a) => Math.max(1, Math.round((s * spacing[a]) / target[a])));
}

/** Per-axis median of the volumes' spacings: the default target spacing (nnU-Net's rule for the training set). */
export function medianSpacing(volumes: readonly { spacing: readonly number[] }[]): number[] {
  if (volumes.length === 0) throw new Error('medianSpacing: no volumes');
  const dims = volumes[0].spacing.length;
  const bad = volumes.find((v) => v.spacing.length !== dims);
  if (bad) throw new Error(`medianSpacing: spacings have ${dims} and ${bad.spacing.length} axes`);
  return Array.from({ length: dims }, (_, a) => {
    const s = volumes.map((v) => v.spacing[a]).sort((x, y) => x - y);
    const mid = s.length >> 1;
    return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  });
}

export interface ResampleOptions {
  /** 'linear' (images, probabilities) or 'nearest'. Default 'linear'. */
  interpolation?: Interpolation;
}

/**
 * The volume on a new grid: `{ spacing }` (shape from `resampledShape`) or an explicit `{ shape }` (e.g. back to the
 * original's). Spacing and affine follow the grid convention above; the NIfTI header (which describes the old grid)
 * is dropped.
 */
export function resampleVolume(v: Volume, target: { spacing: readonly number[] } | { shape: readonly number[] }, options: ResampleOptions = {}): Volume {
  const shape = 'shape' in target ? [...target.shape] : resampledShape(v.shape, v.spacing, target.spacing);
  const data = resampleGrid(v.data, v.shape, v.channels, shape, options.interpolation ?? 'linear');
  const f = v.shape.map((n, a) => n / shape[a]); // input voxels per output voxel
  const nd = v.shape.length;
  const affine = v.affine?.map((row) => {
    const r = [...row];
    f.forEach((fa, a) => {
      const c = nd - 1 - a; // the affine's columns are (x, y, z) = the spatial axes reversed
      r[3] += row[c] * (0.5 * fa - 0.5);
      r[c] = row[c] * fa;
    });
    return r;
  });
  const { niftiHeader: _dropped, ...rest } = v;
  return { ...rest, data, shape, spacing: v.spacing.map((s, a) => s * f[a]), ...(affine ? { affine } : {}) };
}

export interface LabelResampleOptions {
  /**
   * 'probabilities': each class's indicator map is resampled linearly and the largest wins (keeps class volumes and
   * smooth borders); 'nearest': the label of the nearest voxel. Default 'probabilities'.
   */
  method?: 'probabilities' | 'nearest';
  /** Number of classes (labels 0 … K−1). Default: the largest label + 1. */
  classes?: number;
}

/** An integer label map [...shape] resampled to [...outShape] (see `LabelResampleOptions`). */
export function resampleLabels(labels: ArrayLike<number>, shape: readonly number[], outShape: readonly number[], options: LabelResampleOptions = {}): Int32Array {
  const method = lookUpOption('label resampling method', options.method ?? 'probabilities', ['probabilities', 'nearest'] as const);
  if (method === 'nearest') return Int32Array.from(resampleGrid(labels, shape, 1, outShape, 'nearest'));
  let k = options.classes;
  if (k === undefined) {
    k = 0;
    for (let i = 0; i < labels.length; i++) k = Math.max(k, labels[i] + 1);
  }
  const n = outShape.reduce((a, b) => a * b, 1);
  const out = new Int32Array(n), best = new Float32Array(n).fill(-1);
  const indicator = new Float32Array(labels.length);
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < labels.length; i++) indicator[i] = labels[i] === c ? 1 : 0;
    const p = resampleGrid(indicator, shape, 1, outShape, 'linear');
    for (let i = 0; i < n; i++) if (p[i] > best[i]) { best[i] = p[i]; out[i] = c; }
  }
  return out;
}
