/** What every reader produces and every writer and inference step takes. Channels-last, row-major. */

/** An image or volume as read from disk. */
export interface Volume {
  /** Values, channels-last: [H, W, C] for 2-D, [D, H, W, C] for 3-D, as float32. */
  data: Float32Array;
  /** Spatial shape: [H, W] or [D, H, W]. */
  shape: number[];
  channels: number;
  /** Voxel size per spatial axis in mm (1 where unknown), same order as `shape`. */
  spacing: number[];
  /** 4×4 voxel-to-world matrix (NIfTI sform/qform), row-major; undefined for plain images. */
  affine?: number[][];
  /**
   * NIfTI-1 only: the file's 348-byte header as read (its own byte order), so that masks written for this volume keep
   * its dimensions' metadata, qform and sform exactly (`encodeNifti`). Dropped by operations that change the grid.
   */
  niftiHeader?: Uint8Array;
  /** The file it came from (for error messages). */
  source: string;
}

/** Slice z of a volume [D, H, W, C] along its first axis as a 2-D image [H, W, C]: a view of its data, the in-plane spacing. */
export function sliceOf(v: Volume, z: number): Volume {
  const [, h, w] = v.shape;
  const per = h * w * v.channels;
  return { data: v.data.subarray(z * per, (z + 1) * per), shape: [h, w], channels: v.channels, spacing: v.spacing.slice(1), source: `${v.source} slice ${z}` };
}
