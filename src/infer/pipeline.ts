/**
 * Segmenting one image or volume the way training saw its data (browser-safe): the training normalisation →
 * resampling to the training spacing (volumes whose spacing differs) → sliding windows (Gaussian blending, or
 * overlap-tile for valid-padded networks; the one input size for fixed-size networks) → probabilities back on the
 * input grid → argmax / threshold, optionally the largest component per class.
 */
import type { Volume } from '../io/volume.js';
import type { SegmentationNet } from '../models/types.js';
import { applyNormalization, type Normalization } from '../data/normalize.js';
import { slidingWindowVolume, type SlidingWindowOptions, type ProbabilityMap } from './sliding-window.js';
import { slicewise, slidingWindowSlices } from './slices.js';
import { resampledShape, resampleGrid, resampleVolume } from './resample.js';
import { postprocess } from './postprocess.js';

/** What a training run recorded that prediction must repeat (`config.json` of a run folder). */
export interface TrainingConventions {
  /** The training patch: the default window of padded networks. */
  patch?: number[];
  /** Per-image intensity normalisation. Default none. */
  normalize?: Normalization;
  /**
   * The training images' median voxel spacing: volumes are resampled to it. For a 2-D network trained on the slices of
   * volumes (`slices`), the in-plane spacing [H, W]: each volume keeps its own spacing along the slice axis.
   */
  spacing?: number[];
  /**
   * A 2-D network trained on the slices of volumes along their first axis (nnU-Net's `2d` configuration of 3-D data):
   * volumes are segmented slice by slice. Default false (a 2-D network takes 2-D images only).
   */
  slices?: boolean;
}

export interface SegmentOptions extends SlidingWindowOptions {
  /** Resample volumes to the training spacing first. Default true. */
  resample?: boolean;
  /** Keep only the largest connected component of each class. Default false. */
  largestComponent?: boolean;
}

/** Whether two spacings agree to 1/1000 per axis (no resampling between them). */
export const sameSpacing = (a: readonly number[], b: readonly number[]) => a.every((s, i) => Math.abs(s - b[i]) <= 1e-3 * Math.max(s, b[i]));

/** The window a network of this geometry uses on inputs of a run: given, the network's one size, or the training patch. */
export function defaultWindow(model: Pick<SegmentationNet, 'geometry'>, conv: TrainingConventions, window?: number[]): number[] | undefined {
  const g = model.geometry;
  return window ?? (g.fixed ? [...g.fixed] : g.padding === 'same' ? conv.patch : undefined);
}

/** The spacing a volume is segmented at: the training spacing, or for slice-wise networks its own along the slice axis and the training in-plane spacing. */
export function targetSpacing(v: Pick<Volume, 'shape' | 'spacing'>, conv: TrainingConventions): number[] | undefined {
  if (v.shape.length !== 3 || !conv.spacing) return undefined;
  if (conv.spacing.length === 3) return conv.spacing;
  return conv.slices && conv.spacing.length === 2 ? [v.spacing[0], ...conv.spacing] : undefined;
}

/** Whether a volume is resampled to the training spacing before its windows run. */
function resamples(v: Pick<Volume, 'shape' | 'spacing'>, conv: TrainingConventions, resample = true): boolean {
  const t = targetSpacing(v, conv);
  return resample && t !== undefined && !sameSpacing(v.spacing, t);
}

/** The grid the windows run on: the input's, or its shape at the training spacing (what to check sizes against first). */
export function predictionGrid(v: Pick<Volume, 'shape' | 'spacing'>, conv: TrainingConventions, resample = true): number[] {
  return resamples(v, conv, resample) ? resampledShape(v.shape, v.spacing, targetSpacing(v, conv)!) : [...v.shape];
}

/** Class indices on the input's grid and the probabilities they came from. */
export async function segmentVolume(model: Pick<SegmentationNet, 'geometry' | 'forward'>, v: Volume, conv: TrainingConventions, o: SegmentOptions = {}): Promise<{ classes: Int32Array; probs: ProbabilityMap }> {
  const prepared: Volume = { ...v, data: conv.normalize && conv.normalize !== 'none' ? applyNormalization(Float32Array.from(v.data), v.channels, conv.normalize) : v.data };
  const resample = resamples(v, conv, o.resample ?? true);
  const grid = resample ? resampleVolume(prepared, { spacing: targetSpacing(v, conv)! }) : prepared;
  const so = { ...o, window: defaultWindow(model, conv, o.window as number[] | undefined) };
  let probs = slicewise(model.geometry, grid.shape) ? await slidingWindowSlices(model, grid, so) : await slidingWindowVolume(model, grid, so);
  if (resample) probs = { data: resampleGrid(probs.data, probs.shape, probs.classes, v.shape, 'linear'), shape: [...v.shape], classes: probs.classes };
  return { classes: postprocess(probs, { largestComponent: o.largestComponent }), probs };
}
