/**
 * A 2-D network on 3-D volumes, slice by slice (nnU-Net's `2d` configuration of 3-D data): each slice along the first
 * axis, [H, W, C], through the 2-D sliding window; the probabilities stacked back to [D, H, W]. Browser-safe.
 */
import { sliceOf, type Volume } from '../io/volume.js';
import type { Geometry } from '../models/types.js';
import { slidingWindowVolume, type PatchPredictor, type ProbabilityMap, type SlidingWindowOptions } from './sliding-window.js';
import type { SegmentationModel } from './tta.js';

/** Whether `model` segments `shape` slice by slice: a 2-D network and a 3-D volume. */
export const slicewise = (g: Pick<Geometry, 'spatialDims'>, shape: readonly number[]): boolean => g.spatialDims === 2 && shape.length === 3;

/** Class probabilities [D, H, W, K] of a volume from a 2-D model, each slice through `slidingWindowVolume`. */
export async function slidingWindowSlices(model: SegmentationModel | PatchPredictor, volume: Volume, options: SlidingWindowOptions = {}): Promise<ProbabilityMap> {
  if (volume.shape.length !== 3) throw new Error(`slidingWindowSlices: a volume [D, H, W] is needed, got [${volume.shape}]`);
  const [d, h, w] = volume.shape;
  let out: Float32Array | undefined;
  let k = 0;
  for (let z = 0; z < d; z++) {
    const p = await slidingWindowVolume(model, sliceOf(volume, z), {
      ...options,
      onProgress: options.onProgress && ((done, total) => options.onProgress!(z * total + done, d * total)),
    });
    if (!out) {
      k = p.classes;
      out = new Float32Array(d * h * w * k);
    }
    out.set(p.data, z * h * w * k);
  }
  return { data: out ?? new Float32Array(0), shape: [d, h, w], classes: k };
}
