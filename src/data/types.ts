/** Shared data types of the training pipeline. Channels-last, row-major. */
import type { Volume } from '../io/volume.js';

/** One training example: an image and its integer label map of the same spatial shape. */
export interface Sample {
  image: Volume;
  /** Class indices (after value mapping), [H, W] or [D, H, W]; `ignoreIndex` marks unlabelled voxels. */
  label: Int32Array;
  name: string;
}
