/**
 * Dataset fingerprints and plans (nnU-Net v2's `dataset_fingerprint.json` and `nnUNetPlans.json`, in unet-ts's axis
 * order: every per-axis list follows `Volume.shape`, [D, H, W] for volumes and [H, W] for images).
 */
import type { ChannelNorm } from '../data/normalize.js';
import type { ResolvedNnUNetOptions } from '../models/nnunet/options.js';

/** Foreground intensity statistics of one channel (voxels with label > 0, sampled). */
export interface IntensityStats {
  mean: number;
  median: number;
  std: number;
  min: number;
  max: number;
  percentile00_5: number;
  percentile99_5: number;
}

export interface Fingerprint {
  /** 2 for images, 3 for volumes. */
  spatialDims: 2 | 3;
  /** Per case, sorted by name. */
  cases: string[];
  spacings: number[][];
  /** Shape after cropping to the nonzero region (any channel ≠ 0). */
  shapesAfterCrop: number[][];
  /** Median over cases of (cropped voxels / original voxels). */
  medianRelativeSizeAfterCropping: number;
  /** Per channel: its name (from the user; 'CT' selects CT normalisation) and foreground statistics. */
  channels: { name: string; foreground: IntensityStats }[];
  /** Label values present, ascending (0 = background), and each value's share of all voxels. */
  labels: number[];
  classFrequencies: Record<string, number>;
  /** Foreground voxels sampled per case for the intensity statistics, and the seed. */
  samplesPerCase: number;
  seed: number;
}

/**
 * Per channel: 'ct' clips to [lower, upper] (foreground 0.5 / 99.5 percentiles), then (x − mean) / std with the
 * foreground mean and std; 'zscore' is per image, inside the nonzero mask only when `useMask` (outside set to 0).
 */
export type ChannelNormalization = ChannelNorm;

/** The `nnunet` architecture's options a plan fixes (nnU-Net v2's PlainConvUNet; the seed is the trainer's). */
export type NnunetNetworkOptions = Omit<ResolvedNnUNetOptions, 'seed'>;

export interface PlanConfiguration {
  spatialDims: 2 | 3;
  /** Target spacing the data is resampled to. */
  spacing: number[];
  /** Median shape of the cropped cases at that spacing. */
  medianShape: number[];
  patch: number[];
  batch: number;
  normalization: ChannelNormalization[];
  network: { arch: 'nnunet'; options: NnunetNetworkOptions };
  /** nnU-Net's feature-map estimate of one sample at this patch (compute_conv_feature_map_size); the planner writes it. */
  featureMapEstimate?: number;
  /** Every decision with its rule and numbers. */
  explanation: string[];
}

export interface Plans {
  format: 'unet-ts-plans';
  version: 1;
  /** The memory the batch was sized for, in GB (nnU-Net's gpu_memory_target_in_gb). */
  memoryGB: number;
  /** Label values the network's classes stand for, in class order (class k = labels[k]). */
  labels: number[];
  configurations: Partial<Record<'2d' | '3d_fullres' | '3d_lowres', PlanConfiguration>>;
  fingerprint: Fingerprint;
}
