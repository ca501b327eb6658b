/**
 * Sliding-window inference for 2-D images and 3-D volumes of any size, larger or smaller than the window.
 *
 * The image is covered by output tiles; each tile's input window is cut from the one input tensor (a batch of
 * `swBatch` windows at a time), run through the model, turned into class PROBABILITIES (softmax, or sigmoid for one
 * class; optionally averaged over mirrorings, see tta.ts) and added into two full-size accumulators weighted by an
 * importance map: Σ w·p per class and Σ w. Their ratio is the result. The accumulators (Float32Array) are the only
 * full-size buffers; the probability sum becomes the output in place.
 *
 * Padded models (`padding: 'same'`): output tile = window. Window starts per axis are evenly spaced, the first at 0
 * and the last ending at the image edge, with step ≤ window·(1 − overlap) (nnU-Net / MONAI). On an axis where the
 * image is smaller than the window, the window is centred and the outside is zeros (as training patches are padded),
 * then cropped back.
 *
 * Valid-padded models (`padding: 'valid'`, Ronneberger 2015's overlap-tile strategy): the output tile is smaller than
 * the input window by the network's border (from the shape plan), so the image is mirror-extrapolated (reflect, no
 * edge repeat; repeatedly for borders wider than the image) around each tile. Tiles start at 0 and step by the output
 * tile (overlap 0: seamless tiling) or less, rounded down to a multiple of the network's stride 2^depth so that every
 * tile sees the same pooling grid; the last tile may reach past the image (mirrored input, output cropped). Each output
 * pixel then equals the network's output on the whole mirror-padded image.
 */
import { tf, type Tensor } from '../core/tf.js';
import { lookUpOption } from '../core/registry.js';
import type { Volume } from '../io/volume.js';
import type { Geometry } from '../models/types.js';
import { predictProbabilities, type SegmentationModel } from './tta.js';
import { padAxisZeros } from '../nn/ops/crop.js';

export type Blend = 'gaussian' | 'constant';

export interface SlidingWindowOptions {
  /**
   * Spatial size of the network's input window, [H, W] or [D, H, W] (one number: every axis); must be a size the
   * network accepts (the error names the nearest valid sizes). For valid-padded models this is the input tile; the
   * output tile is smaller by the network's border. Default: per axis, the smallest valid size whose output covers the
   * whole image (one window); pass the training patch size for large images.
   */
  window?: number | readonly number[];
  /**
   * Fraction of the output tile shared by neighbouring tiles, in [0, 1). Default 0.5 for padded models (nnU-Net,
   * MONAI), 0 for valid-padded models (Ronneberger's seamless tiling).
   */
  overlap?: number;
  /**
   * Weight of each tile's pixels in the blend: 'gaussian' (importance map with σ = 1/8 of the output tile per axis,
   * centred, normalised to max 1 and clamped below at 1e-3 so no weight vanishes; nnU-Net / MONAI) or 'constant'
   * (plain average). Default 'gaussian'.
   */
  blend?: Blend;
  /** Windows per forward pass. Default 1. */
  swBatch?: number;
  /** Test-time augmentation: the mean over every mirroring of each window (2^n passes; see tta.ts). Default false. */
  tta?: boolean;
  /** Called after each forward batch with (windows done, windows in all), e.g. for a progress bar. Default none. */
  onProgress?: (done: number, total: number) => void;
}

/** Tiles along one spatial axis. */
export interface AxisTiles {
  /** Image size on this axis. */
  size: number;
  /** Input window of the network. */
  window: number;
  /** Output tile: the window for padded models, window − 2·border for valid ones. */
  tile: number;
  /** Input pixels per side the network consumes (0 for padded models). */
  border: number;
  /** Output tile starts in image coordinates (negative when a single tile is centred on a smaller image). */
  starts: number[];
}

export interface SlidingWindowPlan {
  overlap: number;
  blend: Blend;
  swBatch: number;
  tta: boolean;
  onProgress?: (done: number, total: number) => void;
  axes: AxisTiles[];
  /** Number of windows (product of the starts per axis). */
  windows: number;
}

/** Class probabilities, channels-last [...S, K] (K = 1: the foreground probability). */
export interface ProbabilityMap {
  data: Float32Array;
  /** Spatial shape [H, W] or [D, H, W], the input image's. */
  shape: number[];
  classes: number;
}

/** Importance maps never weigh a pixel less than this (MONAI's floor). */
export const MIN_WEIGHT = 1e-3;

/** Smallest size the network accepts whose output covers `size` pixels. */
function coveringWindow(g: Geometry, size: number, axis: number): number {
  if (g.fixed) return g.fixed[axis]; // a network of one input size: that size is the window
  for (let w = size; w <= 2 * size + 256 * g.stride; w++) {
    const f = g.axis(w, axis);
    if (!f.error && f.out >= size) return w;
  }
  throw new Error(`slidingWindow: no input size of this network covers ${size} output pixels`);
}

/** Tile starts along one axis (see the file comment for the rules). */
function tileStarts(g: Geometry, size: number, tile: number, overlap: number): number[] {
  if (size <= tile) return [-Math.floor((tile - size) / 2)];
  const target = Math.max(1, Math.floor(tile * (1 - overlap)));
  if (g.padding === 'valid') {
    const stride = g.stride;
    const step = target >= stride ? target - (target % stride) : target;
    return Array.from({ length: Math.ceil((size - tile) / step) + 1 }, (_, i) => i * step);
  }
  const count = Math.ceil((size - tile) / target) + 1;
  return Array.from({ length: count }, (_, i) => Math.round((i * (size - tile)) / (count - 1)));
}

/** Resolves every option once (defaults above) and lays out the tiles for an image of spatial shape `spatial`. */
export function slidingWindowPlan(g: Geometry, spatial: readonly number[], options: SlidingWindowOptions = {}): SlidingWindowPlan {
  const dims = g.spatialDims;
  const overlap = options.overlap ?? (g.padding === 'valid' ? 0 : 0.5);
  if (!(overlap >= 0 && overlap < 1)) throw new Error(`slidingWindow: option overlap must be in [0, 1), got ${overlap}`);
  const swBatch = options.swBatch ?? 1;
  if (!Number.isInteger(swBatch) || swBatch < 1) throw new Error(`slidingWindow: option swBatch must be an integer ≥ 1, got ${swBatch}`);
  const blend = lookUpOption('blend', options.blend ?? 'gaussian', ['gaussian', 'constant'] as const);
  const w = options.window;
  const window = w === undefined ? spatial.map((s, a) => coveringWindow(g, s, a)) : typeof w === 'number' ? Array<number>(dims).fill(w) : [...w];
  if (window.length !== dims) throw new Error(`slidingWindow: option window [${window}] has ${window.length} axes; this ${dims}-D model needs ${dims} (or one number for every axis)`);
  let output: number[];
  try {
    output = g.output(window);
  } catch (e) {
    throw new Error(`slidingWindow: option window [${window}]: ${(e as Error).message}`); // names the rule and the nearest valid sizes
  }
  const axes = window.map((win, a): AxisTiles => {
    const tile = output[a];
    const border = (win - tile) / 2;
    return { size: spatial[a], window: win, tile, border, starts: tileStarts(g, spatial[a], tile, overlap) };
  });
  const windows = axes.reduce((n, a) => n * a.starts.length, 1);
  return { overlap, blend, swBatch, tta: options.tta ?? false, onProgress: options.onProgress, axes, windows };
}

/** Throws, naming the value and the rule, when `image` does not fit the model. */
function checkImage(g: Geometry, image: Tensor): void {
  const dims = g.spatialDims;
  const layout = (d: number) => (d === 2 ? '[1, H, W, C]' : '[1, D, H, W, C]');
  if (image.rank !== dims + 2) {
    const what = image.rank === 4 || image.rank === 5 ? `a ${image.rank - 2}-D image ${layout(image.rank - 2)}` : 'neither a 2-D nor a 3-D image';
    throw new Error(`slidingWindow: image [${image.shape}] has rank ${image.rank} (${what}); this ${dims}-D model takes rank ${dims + 2}, ${layout(dims)}`);
  }
  if (image.shape[0] !== 1) throw new Error(`slidingWindow: image [${image.shape}] has batch ${image.shape[0]}; pass one image at a time (batch 1)`);
  const c = image.shape[dims + 1];
  if (c !== g.inChannels) throw new Error(`slidingWindow: image [${image.shape}] has ${c} channels (last axis, channels-last); this model takes ${g.inChannels} (options.inChannels)`);
}

/** Mirror index without edge repeat (numpy 'reflect'), repeated for indices any distance outside [0, size). */
export function reflectIndex(i: number, size: number): number {
  if (size === 1) return 0;
  const period = 2 * (size - 1);
  const m = ((i % period) + period) % period;
  return m < size ? m : period - m;
}

/** `length` entries of `x` along `axis` from `start` (may lie outside): zeros or the mirror image outside. */
function takeAxis(x: Tensor, axis: number, start: number, length: number, fill: 'zeros' | 'reflect'): Tensor {
  const size = x.shape[axis];
  const sliceAxis = (lo: number, n: number) => tf.slice(x, x.shape.map((_, k) => (k === axis ? lo : 0)), x.shape.map((s, k) => (k === axis ? n : s)));
  if (start >= 0 && start + length <= size) return sliceAxis(start, length);
  if (fill === 'zeros') {
    const lo = Math.max(start, 0), hi = Math.min(start + length, size);
    // Zeros by concatenation (tfjs's generic rank-5 PadV2 cost ~60 ms per 48×64×48 window).
    return padAxisZeros(sliceAxis(lo, hi - lo), axis, lo - start, start + length - hi);
  }
  const idx = Int32Array.from({ length }, (_, j) => reflectIndex(start + j, size));
  return tf.gather(x, tf.tensor1d(idx, 'int32'), axis);
}

/** The input window [1, ...window, C] of the tile starting at `starts` (output coordinates). */
function extractWindow(image: Tensor, axes: AxisTiles[], starts: number[], fill: 'zeros' | 'reflect'): Tensor {
  return axes.reduce((x, a, i) => takeAxis(x, i + 1, starts[i] - a.border, a.window, fill), image);
}

/** Every combination of per-axis starts, the last axis fastest. */
function cartesian(lists: number[][]): number[][] {
  return lists.reduce<number[][]>((acc, list) => acc.flatMap((prefix) => list.map((v) => [...prefix, v])), [[]]);
}

/** 2-D shapes (starts) lifted to 3-D with a leading 1 (0), so one set of loops serves both. */
const lift = (s: readonly number[], lead = 1): number[] => (s.length === 2 ? [lead, ...s] : [...s]);

/** Weights over an output tile [...tile] (flat, row-major): a separable Gaussian (σ = tile/8) or ones. */
export function importanceMap(tile: readonly number[], blend: Blend): Float32Array {
  const n = tile.reduce((a, b) => a * b, 1);
  if (blend === 'constant') return new Float32Array(n).fill(1);
  const axis = tile.map((t) => {
    const sigma = t / 8, c = (t - 1) / 2;
    const g = Float64Array.from({ length: t }, (_, j) => Math.exp(-((j - c) ** 2) / (2 * sigma * sigma)));
    const max = Math.max(...g);
    return g.map((v) => v / max);
  });
  const [t0, t1, t2] = lift(tile), [g0, g1, g2] = tile.length === 2 ? [[1], ...axis] : axis;
  const out = new Float32Array(n);
  for (let i = 0; i < t0; i++) for (let j = 0; j < t1; j++) for (let k = 0; k < t2; k++) {
    out[(i * t1 + j) * t2 + k] = Math.max(g0[i] * g1[j] * g2[k], MIN_WEIGHT);
  }
  return out;
}

/** Adds one tile's weighted probabilities (tile-major `p` from `offset`, [...tile, K]) into the accumulators. */
function accumulate(sum: Float32Array, weight: Float32Array, p: Float32Array, offset: number, imp: Float32Array,
                    size: number[], tile: number[], start: number[], k: number): void {
  const [n0, n1, n2] = size, [t0, t1, t2] = tile, [s0, s1, s2] = start;
  const lo = (s: number) => Math.max(0, -s);
  const hi = (s: number, t: number, n: number) => Math.min(t, n - s);
  for (let i = lo(s0); i < hi(s0, t0, n0); i++) {
    for (let j = lo(s1); j < hi(s1, t1, n1); j++) {
      const tRow = (i * t1 + j) * t2, iRow = ((s0 + i) * n1 + s1 + j) * n2 + s2;
      for (let l = lo(s2); l < hi(s2, t2, n2); l++) {
        const w = imp[tRow + l], ii = iRow + l, ti = offset + (tRow + l) * k;
        weight[ii] += w;
        for (let c = 0; c < k; c++) sum[ii * k + c] += w * p[ti + c];
      }
    }
  }
}

/**
 * Class probabilities [...S, K] for one image [1, ...S, C] of any size, by sliding windows (see the file comment and
 * `SlidingWindowOptions`). Eval or training mode is the caller's choice: call `model.eval()` first for inference.
 */
export async function slidingWindow(model: SegmentationModel, image: Tensor, options: SlidingWindowOptions = {}): Promise<ProbabilityMap> {
  const g = model.geometry;
  checkImage(g, image);
  const spatial = image.shape.slice(1, -1);
  const plan = slidingWindowPlan(g, spatial, options);
  const k = g.classes;
  const fill = g.padding === 'valid' ? 'reflect' : 'zeros';
  const tile = plan.axes.map((a) => a.tile);
  const tileSize = tile.reduce((a, b) => a * b, 1);
  const voxels = spatial.reduce((a, b) => a * b, 1);
  const sum = new Float32Array(voxels * k), weight = new Float32Array(voxels);
  const imp = importanceMap(tile, plan.blend);
  const starts = cartesian(plan.axes.map((a) => a.starts));
  for (let first = 0; first < starts.length; first += plan.swBatch) {
    const batch = starts.slice(first, first + plan.swBatch);
    const probs = tf.tidy(() => {
      const x = tf.concat(batch.map((s) => extractWindow(image, plan.axes, s, fill)), 0); // [b, ...window, C]
      return predictProbabilities(model, x, plan.tta); // [b, ...tile, K]
    });
    let p: Float32Array;
    try {
      const want = [batch.length, ...tile, k];
      if (probs.shape.join() !== want.join()) throw new Error(`slidingWindow: the model returned [${probs.shape}] for ${batch.length} window(s) of [${plan.axes.map((a) => a.window)}]; expected [${want}]`);
      p = (await probs.data()) as Float32Array;
    } finally {
      probs.dispose();
    }
    batch.forEach((s, b) => accumulate(sum, weight, p, b * tileSize * k, imp, lift(spatial), lift(tile), lift(s, 0), k));
    plan.onProgress?.(first + batch.length, starts.length);
  }
  for (let i = 0; i < voxels; i++) for (let c = 0; c < k; c++) sum[i * k + c] /= weight[i];
  return { data: sum, shape: spatial, classes: k };
}

/** `slidingWindow` on a Volume ([...S, C] data); the input tensor lives only for the call. */
export async function slidingWindowVolume(model: SegmentationModel, volume: Volume, options: SlidingWindowOptions = {}): Promise<ProbabilityMap> {
  const x = tf.tensor(volume.data, [1, ...volume.shape, volume.channels]); // [1, ...S, C]
  try {
    return await slidingWindow(model, x, options);
  } finally {
    x.dispose();
  }
}
