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
 *
 * Any predictor: instead of a model, `slidingWindow` takes any function from a batch of patches [b, ...window, C] to
 * per-class maps [b, ...window, K] (MONAI's `predictor`); its outputs are blended as they are (no softmax), any window
 * size is accepted (the network size rule applies only to a model's geometry), and images may be 1-D to 4-D.
 *
 * `semantics: 'monai'` follows `monai.inferers.sliding_window_inference`: per axis the scan interval is
 * int(roi·(1 − overlap)) (at least 1; the roi itself when roi = image), windows start at 0, interval, 2·interval, …
 * until one reaches the image end, and that last one is clamped to end at the image end (`dense_patch_slices`);
 * defaults overlap 0.25 and blend 'constant' (MONAI's); the Gaussian is MONAI's `compute_importance_map` (σ =
 * sigmaScale·roi, not normalised, clamped below at 1e-3). Both semantics pad an image smaller than the window
 * symmetrically (⌊diff/2⌋ before, the rest after) with `paddingMode` / `cval` and crop back. Valid-padded models keep
 * the overlap-tile rule in both (MONAI has no equivalent).
 */
import { tf, type Tensor } from '../core/tf.js';
import { lookUpOption } from '../core/registry.js';
import type { Volume } from '../io/volume.js';
import type { Geometry } from '../models/types.js';
import { predictProbabilities, type SegmentationModel } from './tta.js';
import { padAxisZeros } from '../nn/ops/crop.js';
import { checkSemantics, type Semantics } from '../metrics/semantics.js';

export type Blend = 'gaussian' | 'constant';

/** MONAI's `padding_mode` for images smaller than the window: constant (`cval`), reflect (no edge repeat), replicate. */
export type PaddingMode = 'constant' | 'reflect' | 'replicate';

/**
 * Any predictor (MONAI's `predictor`): a batch of patches [b, ...window, C] → per-class maps [b, ...window, K],
 * blended as returned. Called once per batch of `swBatch` windows, in window order (first axis slowest).
 */
export type PatchPredictor = (patches: Tensor) => Tensor | Promise<Tensor>;

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
  /**
   * Window placement and defaults: 'unet-ts' (default; evenly spaced windows) or 'monai' (stride int(roi·(1 −
   * overlap)), last window clamped to the end, overlap 0.25 and blend 'constant' by default, MONAI's unnormalised
   * Gaussian). See the file comment.
   */
  semantics?: Semantics;
  /** σ of the Gaussian blend as a fraction of the tile, per axis or one for all (MONAI's `sigma_scale`). Default 0.125. */
  sigmaScale?: number | readonly number[];
  /** Value outside an image smaller than the window with paddingMode 'constant' (MONAI's `cval`). Default 0. */
  cval?: number;
  /** How an image smaller than the window is padded (MONAI's `padding_mode`). Default 'constant'. Padded models only. */
  paddingMode?: PaddingMode;
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
  semantics: Semantics;
  overlap: number;
  blend: Blend;
  /** σ / tile per axis of the Gaussian blend. */
  sigmaScale: number[];
  cval: number;
  paddingMode: PaddingMode;
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

/**
 * MONAI's window starts on one axis (`_get_scan_interval` + `dense_patch_slices`): interval int(roi·(1 − overlap))
 * (≥ 1; roi when roi = size), starts d·interval for d = 0 … the first that reaches the end, each clamped so the window
 * ends inside the image; an image smaller than roi gets one window centred (⌊diff/2⌋ before).
 */
export function monaiStarts(size: number, roi: number, overlap: number): number[] {
  if (size <= roi) return [-Math.floor((roi - size) / 2) || 0]; // || 0: no −0
  const interval = Math.max(1, Math.floor(roi * (1 - overlap)));
  const starts: number[] = [];
  for (let d = 0; ; d++) {
    const s = d * interval;
    starts.push(s - Math.max(s + roi - size, 0));
    if (s + roi >= size) return starts;
  }
}

/** Tile starts along one axis (see the file comment for the rules); no geometry: a function predictor. */
function tileStarts(g: Geometry | null, size: number, tile: number, overlap: number, semantics: Semantics): number[] {
  if (g?.padding !== 'valid' && semantics === 'monai') return monaiStarts(size, tile, overlap);
  if (size <= tile) return [-Math.floor((tile - size) / 2)];
  const target = Math.max(1, Math.floor(tile * (1 - overlap)));
  if (g?.padding === 'valid') {
    const stride = g.stride;
    const step = target >= stride ? target - (target % stride) : target;
    return Array.from({ length: Math.ceil((size - tile) / step) + 1 }, (_, i) => i * step);
  }
  const count = Math.ceil((size - tile) / target) + 1;
  return Array.from({ length: count }, (_, i) => Math.round((i * (size - tile)) / (count - 1)));
}

/**
 * Resolves every option once (defaults above) and lays out the tiles for an image of spatial shape `spatial`.
 * `g`: the model's geometry (its size rule applies), or null for a function predictor (any window; default and
 * entries ≤ 0: the image size, as MONAI's `roi_size`).
 */
export function slidingWindowPlan(g: Geometry | null, spatial: readonly number[], options: SlidingWindowOptions = {}): SlidingWindowPlan {
  const dims = g ? g.spatialDims : spatial.length;
  const semantics = checkSemantics(options.semantics, 'slidingWindow');
  const monai = semantics === 'monai' && g?.padding !== 'valid';
  const overlap = options.overlap ?? (g?.padding === 'valid' ? 0 : monai ? 0.25 : 0.5);
  if (!(overlap >= 0 && overlap < 1)) throw new Error(`slidingWindow: option overlap must be in [0, 1), got ${overlap}`);
  const swBatch = options.swBatch ?? 1;
  if (!Number.isInteger(swBatch) || swBatch < 1) throw new Error(`slidingWindow: option swBatch must be an integer ≥ 1, got ${swBatch}`);
  const blend = lookUpOption('blend', options.blend ?? (monai ? 'constant' : 'gaussian'), ['gaussian', 'constant'] as const);
  const paddingMode = lookUpOption('paddingMode', options.paddingMode ?? 'constant', ['constant', 'reflect', 'replicate'] as const);
  const cval = options.cval ?? 0;
  if (!Number.isFinite(cval)) throw new Error(`slidingWindow: option cval must be a finite number, got ${cval}`);
  const ss = options.sigmaScale ?? 0.125;
  const sigmaScale = typeof ss === 'number' ? Array<number>(dims).fill(ss) : [...ss];
  if (sigmaScale.length !== dims || sigmaScale.some((v) => !(v > 0) || !Number.isFinite(v))) throw new Error(`slidingWindow: option sigmaScale [${sigmaScale}] must be one positive number or one per axis (${dims})`);
  const w = options.window;
  const fallback = g ? spatial.map((s, a) => coveringWindow(g, s, a)) : [...spatial];
  let window = w === undefined ? fallback : typeof w === 'number' ? Array<number>(dims).fill(w) : [...w];
  if (window.length !== dims) throw new Error(`slidingWindow: option window [${window}] has ${window.length} axes; this ${dims}-D ${g ? 'model' : 'image'} needs ${dims} (or one number for every axis)`);
  if (!g) {
    window = window.map((v, a) => (v <= 0 ? spatial[a] : v)); // MONAI's fall_back_tuple
    if (window.some((v) => !Number.isInteger(v))) throw new Error(`slidingWindow: option window [${window}] must hold integers`);
  }
  let output: number[];
  try {
    output = g ? g.output(window) : window;
  } catch (e) {
    throw new Error(`slidingWindow: option window [${window}]: ${(e as Error).message}`); // names the rule and the nearest valid sizes
  }
  const axes = window.map((win, a): AxisTiles => {
    const tile = output[a];
    const border = (win - tile) / 2;
    return { size: spatial[a], window: win, tile, border, starts: tileStarts(g, spatial[a], tile, overlap, semantics) };
  });
  const windows = axes.reduce((n, a) => n * a.starts.length, 1);
  return { semantics, overlap, blend, sigmaScale, cval, paddingMode, swBatch, tta: options.tta ?? false, onProgress: options.onProgress, axes, windows };
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

type Fill = { kind: 'constant'; value: number } | { kind: 'reflect' | 'replicate' };

/** `length` entries of `x` along `axis` from `start` (may lie outside): a constant, the mirror image or the edge outside. */
function takeAxis(x: Tensor, axis: number, start: number, length: number, fill: Fill): Tensor {
  const size = x.shape[axis];
  const sliceAxis = (lo: number, n: number) => tf.slice(x, x.shape.map((_, k) => (k === axis ? lo : 0)), x.shape.map((s, k) => (k === axis ? n : s)));
  if (start >= 0 && start + length <= size) return sliceAxis(start, length);
  if (fill.kind === 'constant') {
    const lo = Math.max(start, 0), hi = Math.min(start + length, size);
    // Zeros by concatenation (tfjs's generic rank-5 PadV2 cost ~60 ms per 48×64×48 window).
    if (fill.value === 0) return padAxisZeros(sliceAxis(lo, hi - lo), axis, lo - start, start + length - hi);
    const block = (n: number) => tf.fill(x.shape.map((s, k) => (k === axis ? n : s)), fill.value, x.dtype);
    return tf.concat([...(lo > start ? [block(lo - start)] : []), sliceAxis(lo, hi - lo), ...(start + length > hi ? [block(start + length - hi)] : [])], axis);
  }
  const idx = Int32Array.from({ length }, (_, j) => (fill.kind === 'reflect' ? reflectIndex(start + j, size) : Math.min(Math.max(start + j, 0), size - 1)));
  return tf.gather(x, tf.tensor1d(idx, 'int32'), axis);
}

/** The input window [1, ...window, C] of the tile starting at `starts` (output coordinates). */
function extractWindow(image: Tensor, axes: AxisTiles[], starts: number[], fill: Fill): Tensor {
  return axes.reduce((x, a, i) => takeAxis(x, i + 1, starts[i] - a.border, a.window, fill), image);
}

/** Every combination of per-axis starts, the last axis fastest. */
function cartesian(lists: number[][]): number[][] {
  return lists.reduce<number[][]>((acc, list) => acc.flatMap((prefix) => list.map((v) => [...prefix, v])), [[]]);
}

const stridesOf = (shape: readonly number[]) => shape.map((_, a) => shape.slice(a + 1).reduce((x, y) => x * y, 1));

/**
 * Weights over an output tile [...tile] (flat, row-major, any number of axes): ones ('constant') or a separable
 * Gaussian with σ = sigmaScale·tile per axis, clamped below at 1e-3. 'unet-ts': each axis normalised to max 1;
 * 'monai': MONAI's `compute_importance_map`, exp(−x²/2σ²) at x = j − (t − 1)/2, not normalised.
 */
export function importanceMap(tile: readonly number[], blend: Blend, sigmaScale: number | readonly number[] = 0.125, semantics: Semantics = 'unet-ts'): Float32Array {
  const n = tile.reduce((a, b) => a * b, 1);
  if (blend === 'constant') return new Float32Array(n).fill(1);
  const axis = tile.map((t, a) => {
    const sigma = t * (typeof sigmaScale === 'number' ? sigmaScale : sigmaScale[a]), c = (t - 1) / 2;
    const g = Float64Array.from({ length: t }, (_, j) => Math.exp(-((j - c) ** 2) / (2 * sigma * sigma)));
    const max = semantics === 'monai' ? 1 : Math.max(...g);
    return g.map((v) => v / max);
  });
  const st = stridesOf(tile);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let v = 1;
    for (let a = 0; a < tile.length; a++) v *= axis[a][Math.floor(i / st[a]) % tile[a]];
    out[i] = Math.max(v, MIN_WEIGHT);
  }
  return out;
}

/** Adds one tile's weighted outputs (tile-major `p` from `offset`, [...tile, K]) into the accumulators; any number of axes. */
function accumulate(sum: Float32Array, weight: Float32Array, p: Float32Array, offset: number, imp: Float32Array,
                    size: number[], tile: number[], start: number[], k: number): void {
  const d = size.length, last = d - 1;
  const lo = start.map((s) => Math.max(0, -s)), hi = tile.map((t, a) => Math.min(t, size[a] - start[a]));
  if (lo.some((l, a) => l >= hi[a])) return;
  const tSt = stridesOf(tile), iSt = stridesOf(size);
  const c = lo.slice();
  for (;;) {
    let tRow = 0, iRow = 0;
    for (let a = 0; a < last; a++) { tRow += c[a] * tSt[a]; iRow += (start[a] + c[a]) * iSt[a]; }
    iRow += start[last];
    for (let l = lo[last]; l < hi[last]; l++) {
      const w = imp[tRow + l], ii = iRow + l, ti = offset + (tRow + l) * k;
      weight[ii] += w;
      for (let q = 0; q < k; q++) sum[ii * k + q] += w * p[ti + q];
    }
    let a = last - 1;
    for (; a >= 0; a--) {
      if (++c[a] < hi[a]) break;
      c[a] = lo[a];
    }
    if (a < 0) return;
  }
}

const isModel = (m: SegmentationModel | PatchPredictor): m is SegmentationModel => typeof m !== 'function';

/** Outputs of a function predictor for windows x, optionally averaged over every mirroring (flipped back). */
async function predictPatches(fn: PatchPredictor, x: Tensor, tta: boolean): Promise<Tensor> {
  const dims = x.rank - 2;
  const sets = tta ? Array.from({ length: 2 ** dims }, (_, m) => Array.from({ length: dims }, (_, a) => a + 1).filter((a) => (m >> (a - 1)) & 1)) : [[]];
  let sum: Tensor | undefined;
  for (const axes of sets) {
    const xin = axes.length ? tf.reverse(x, axes) : x;
    let y: Tensor;
    try {
      y = await fn(xin);
    } finally {
      if (xin !== x) xin.dispose();
    }
    if (!(y instanceof tf.Tensor)) throw new Error('slidingWindow: the predictor must return a tensor [b, ...window, K]');
    if (axes.length) { const f = tf.reverse(y, axes); y.dispose(); y = f; }
    if (sum) { const t = tf.add(sum, y); sum.dispose(); y.dispose(); sum = t; } else sum = y;
  }
  if (sets.length === 1) return sum!;
  const out = tf.div(sum!, sets.length);
  sum!.dispose();
  return out;
}

/**
 * Per-class maps [...S, K] for one image [1, ...S, C] of any size, by sliding windows (see the file comment and
 * `SlidingWindowOptions`). A model's outputs become probabilities (softmax, or sigmoid for K = 1) before blending;
 * a function predictor's outputs are blended as returned (MONAI). Eval or training mode is the caller's choice: call
 * `model.eval()` first for inference.
 */
export async function slidingWindow(model: SegmentationModel | PatchPredictor, image: Tensor, options: SlidingWindowOptions = {}): Promise<ProbabilityMap> {
  const g = isModel(model) ? model.geometry : null;
  if (g) checkImage(g, image);
  else {
    if (image.rank < 3) throw new Error(`slidingWindow: image [${image.shape}] has rank ${image.rank}; a predictor function takes [1, ...S, C] with 1 to 4 spatial axes`);
    if (image.shape[0] !== 1) throw new Error(`slidingWindow: image [${image.shape}] has batch ${image.shape[0]}; pass one image at a time (batch 1)`);
  }
  const spatial = image.shape.slice(1, -1);
  const plan = slidingWindowPlan(g, spatial, options);
  const fill: Fill = g?.padding === 'valid' ? { kind: 'reflect' } : plan.paddingMode === 'constant' ? { kind: 'constant', value: plan.cval } : { kind: plan.paddingMode };
  const tile = plan.axes.map((a) => a.tile);
  const tileSize = tile.reduce((a, b) => a * b, 1);
  const voxels = spatial.reduce((a, b) => a * b, 1);
  let k = g ? g.classes : 0;
  let sum = new Float32Array(voxels * k), weight = new Float32Array(voxels);
  const imp = importanceMap(tile, plan.blend, plan.sigmaScale, plan.semantics);
  const starts = cartesian(plan.axes.map((a) => a.starts));
  for (let first = 0; first < starts.length; first += plan.swBatch) {
    const batch = starts.slice(first, first + plan.swBatch);
    let probs: Tensor;
    if (isModel(model)) {
      probs = tf.tidy(() => {
        const x = tf.concat(batch.map((s) => extractWindow(image, plan.axes, s, fill)), 0); // [b, ...window, C]
        return predictProbabilities(model, x, plan.tta); // [b, ...tile, K]
      });
    } else {
      const x = tf.tidy(() => tf.concat(batch.map((s) => extractWindow(image, plan.axes, s, fill)), 0));
      try {
        probs = await predictPatches(model, x, plan.tta);
      } finally {
        x.dispose();
      }
      if (k === 0) {
        k = probs.shape[probs.rank - 1] ?? 0;
        sum = new Float32Array(voxels * k);
      }
    }
    let p: Float32Array;
    try {
      const want = [batch.length, ...tile, k];
      if (probs.shape.join() !== want.join()) throw new Error(`slidingWindow: the ${g ? 'model' : 'predictor'} returned [${probs.shape}] for ${batch.length} window(s) of [${plan.axes.map((a) => a.window)}]; expected [${want}]`);
      const d = await probs.data();
      p = d instanceof Float32Array ? d : Float32Array.from(d as ArrayLike<number>);
    } finally {
      probs.dispose();
    }
    batch.forEach((s, b) => accumulate(sum, weight, p, b * tileSize * k, imp, spatial, tile, s, k));
    plan.onProgress?.(first + batch.length, starts.length);
  }
  for (let i = 0; i < voxels; i++) for (let c = 0; c < k; c++) sum[i * k + c] /= weight[i];
  return { data: sum, shape: spatial, classes: k };
}

/** `slidingWindow` on a Volume ([...S, C] data); the input tensor lives only for the call. */
export async function slidingWindowVolume(model: SegmentationModel | PatchPredictor, volume: Volume, options: SlidingWindowOptions = {}): Promise<ProbabilityMap> {
  const x = tf.tensor(volume.data, [1, ...volume.shape, volume.channels]); // [1, ...S, C]
  try {
    return await slidingWindow(model, x, options);
  } finally {
    x.dispose();
  }
}
