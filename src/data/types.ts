/** Shared data types of the training pipeline. Channels-last, row-major. */
import { sliceOf, type Volume } from '../io/volume.js';

/** One training example: an image and its integer label map of the same spatial shape. */
export interface Sample {
  image: Volume;
  /** Class indices (after value mapping), [H, W] or [D, H, W]; `ignoreIndex` marks unlabelled voxels. */
  label: Int32Array;
  name: string;
}

/**
 * The 2-D samples of a 3-D sample, one per slice along the first axis (views of its data), named `NAME#z`: what a 2-D
 * network trained on volumes (nnU-Net's `2d` configuration of 3-D data) draws its patches from.
 */
export function sliceSamples(s: Sample): Sample[] {
  if (s.image.shape.length !== 3) throw new Error(`${s.name}: slices of a volume [D, H, W] only, got [${s.image.shape}]`);
  const [d, h, w] = s.image.shape;
  return Array.from({ length: d }, (_, z) => ({ image: sliceOf(s.image, z), label: s.label.subarray(z * h * w, (z + 1) * h * w), name: `${s.name}#${z}` }));
}
