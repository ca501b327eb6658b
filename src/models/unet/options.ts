/**
 * The U-Net's options: one object for 2-D and 3-D, every field with its default documented at the type and
 * resolved once by `resolveOptions`.
 */
import { int, lookUpOption, rejectUnknown, spatialDims as checkDims } from '../option-checks.js';
import type { Padding, SpatialDims } from '../../nn/factory.js';
import type { NormKind } from '../../nn/norm.js';

export type Upsample = 'interp' | 'transposed';
export type ChannelSchedule = 'double-after' | 'double-before-pool';
export type TransposedChannels = 'halve' | 'keep';

export interface UNetOptions {
  /** Spatial dimensions: 2 for [B, H, W, C] images, 3 for [B, D, H, W, C] volumes. Default 2. */
  spatialDims?: SpatialDims;
  /** Input channels. Default 1. */
  inChannels?: number;
  /** Output channels: classes for softmax, 1 for a binary sigmoid head. Default 2. */
  classes?: number;
  /** Base width F: channels of the first level; level l has F·2^l. Default 64. */
  base?: number;
  /** Pooling steps (levels below the first). Default 4. */
  depth?: number;
  /** 'same' (padded, modern) or 'valid' (unpadded, original; skips are centre-cropped). Default 'same'. */
  padding?: Padding;
  /** 'interp' (bilinear / trilinear) or 'transposed' (2×2(×2) stride-2 up-convolution). Default 'interp'. */
  upsample?: Upsample;
  /** align_corners of the interpolation, as in PyTorch. Default true (the chapter's choice). */
  alignCorners?: boolean;
  /**
   * Channels out of a transposed up-convolution: 'halve' (Ronneberger: 1024 → 512) or 'keep' (Çiçek: 512 → 512).
   * Default 'halve' with 'double-after', 'keep' with 'double-before-pool'.
   */
  transposedChannels?: TransposedChannels;
  /**
   * Halve the bottleneck and every decoder output except the last, so that interpolated features (which keep their
   * channels) match the skip they are joined with (the chapter's and milesial's `factor = 2`).
   * Default true with 'interp', false with 'transposed'.
   */
  halveBottleneck?: boolean;
  /** Normalisation after each 3×3 conv, before ReLU. Default 'batch'. */
  norm?: NormKind;
  /** Learnable scale and shift in the normalisation. Default true. */
  normAffine?: boolean;
  /** Groups for norm 'group'. Default 8. */
  normGroups?: number;
  /** ε of the normalisation. Default 1e-5. */
  normEps?: number;
  /** BatchNorm momentum, PyTorch convention. Default 0.1. */
  normMomentum?: number;
  /**
   * 'double-after' (Ronneberger: the first conv of a level doubles, F → 2F → 2F) or 'double-before-pool'
   * (Çiçek: the second conv doubles, F → F → 2F, before pooling). Default 'double-after'.
   */
  channelSchedule?: ChannelSchedule;
  /** Bias in the 3×3 convs. Default: true when norm is 'none', else false (the norm's shift replaces it). */
  convBias?: boolean;
  /** Bias in the transposed up-convolutions. Default true. */
  upBias?: boolean;
  /** Bias in the final 1×1 conv. Default true. */
  outBias?: boolean;
  /**
   * Which skips are joined, shallowest first (length = depth). A disabled skip feeds zeros of the same shape, so the
   * same weights still load. Default all true.
   */
  skips?: boolean[];
  /** Seed of the weight initialisation. Default 0. */
  seed?: number;
}

export type ResolvedUNetOptions = Required<UNetOptions>;

/** Fills every default and checks every value; the only place defaults live. */
const KNOWN: (keyof UNetOptions)[] = ['spatialDims', 'inChannels', 'classes', 'base', 'depth', 'padding', 'upsample', 'alignCorners',
  'transposedChannels', 'halveBottleneck', 'norm', 'normAffine', 'normGroups', 'normEps', 'normMomentum', 'channelSchedule',
  'convBias', 'upBias', 'outBias', 'skips', 'seed'];

export function resolveOptions(o: UNetOptions = {}): ResolvedUNetOptions {
  rejectUnknown('unet', o as Record<string, unknown>, KNOWN);
  const spatialDims = checkDims(o.spatialDims ?? 2);
  const depth = int('depth', o.depth ?? 4);
  const upsample = lookUpOption('upsample mode', o.upsample ?? 'interp', ['interp', 'transposed'] as const);
  const channelSchedule = lookUpOption('channel schedule', o.channelSchedule ?? 'double-after', ['double-after', 'double-before-pool'] as const);
  const norm = lookUpOption('norm', o.norm ?? 'batch', ['batch', 'instance', 'group', 'none'] as const);
  const skips = o.skips ?? Array<boolean>(depth).fill(true);
  if (skips.length !== depth) throw new Error(`option skips must have one entry per pooling step (depth = ${depth}), got ${skips.length}`);
  return {
    spatialDims,
    inChannels: int('inChannels', o.inChannels ?? 1),
    classes: int('classes', o.classes ?? 2),
    base: int('base', o.base ?? 64),
    depth,
    padding: lookUpOption('padding', o.padding ?? 'same', ['same', 'valid'] as const),
    upsample,
    alignCorners: o.alignCorners ?? true,
    transposedChannels: lookUpOption('transposed-channel rule', o.transposedChannels ?? (channelSchedule === 'double-after' ? 'halve' : 'keep'), ['halve', 'keep'] as const),
    halveBottleneck: o.halveBottleneck ?? upsample === 'interp',
    norm,
    normAffine: o.normAffine ?? true,
    normGroups: int('normGroups', o.normGroups ?? 8),
    normEps: o.normEps ?? 1e-5,
    normMomentum: o.normMomentum ?? 0.1,
    channelSchedule,
    convBias: o.convBias ?? norm === 'none',
    upBias: o.upBias ?? true,
    outBias: o.outBias ?? true,
    skips: [...skips],
    seed: o.seed ?? 0,
  };
}
