/**
 * The Attention U-Net's options: MONAI's `AttentionUnet(spatial_dims, in_channels, out_channels, channels, strides,
 * kernel_size=3, up_kernel_size=3, dropout=0.0)` in this library's names, every default documented at the type and
 * filled once by `resolveOptions`.
 */
import { int, intList, lookUpOption, num, rejectUnknown, spatialDims as checkDims } from '../option-checks.js';
import type { SpatialDims } from '../../nn/factory.js';

export interface AttentionUNetOptions {
  /** Spatial dimensions: 2 for [B, H, W, C] images, 3 for [B, D, H, W, C] volumes. Default 2. */
  spatialDims?: SpatialDims;
  /** Input channels (MONAI `in_channels`). Default 1. */
  inChannels?: number;
  /** Output channels: classes for softmax, 1 for a binary sigmoid head (MONAI `out_channels`). Default 2. */
  classes?: number;
  /**
   * Channels of each level, shallowest first; the last is the bottleneck (MONAI `channels`). At least 2 entries,
   * each ≥ 2 (the attention gate's inner width is ⌊c/2⌋). Default [16, 32, 64, 128, 256] (the pinned presets).
   */
  channels?: number[];
  /**
   * Stride of each level's first conv, one per step down (MONAI `strides`; length = channels − 1). The same factor
   * returns through the level's transposed conv. Default 2 at every step.
   */
  strides?: number[];
  /** Kernel of the encoder convs (odd: padding k // 2 keeps the size). The merge conv is 3 whatever this is. Default 3. */
  kernelSize?: number;
  /** Kernel of the transposed up-convolutions (odd; padding k // 2, output_padding stride − 1). Default 3. */
  upKernelSize?: number;
  /** Dropout probability in every ConvBlock conv and every merge, training only (MONAI `dropout`). Default 0. */
  dropout?: number;
  /**
   * The attention gate. 'monai' (MONAI's AttentionBlock, the only form with a parity fixture): at the skip's
   * resolution, gated by the decoder feature after up-sampling, BN after each 1×1 conv. 'oktay' (the paper's grid
   * gate, Oktay et al. 2018, as its reference implementation): gated by the coarser level's output before
   * up-sampling, θ(x) a conv with kernel = stride = the level's stride, α resampled back by linear interpolation,
   * output conv 1×1 → BN; the rest of the network stays MONAI's. Default 'monai'.
   */
  gate?: GateKind;
  /** Seed of the weight initialisation and of the dropout masks. Default 0. */
  seed?: number;
}

export type GateKind = 'monai' | 'oktay';

export type ResolvedAttentionUNetOptions = Required<AttentionUNetOptions>;

/** Every option name (for `rejectUnknown`). */
export const OPTION_NAMES = ['spatialDims', 'inChannels', 'classes', 'channels', 'strides', 'kernelSize', 'upKernelSize', 'dropout', 'gate', 'seed'] as const;

function oddKernel(name: string, v: unknown): number {
  const k = int(name, v);
  if (k % 2 === 0) throw new Error(`option ${name} must be odd (padding k // 2 keeps every size only for odd k), got ${k}`);
  return k;
}

/** Fills every default and checks every value; the only place defaults live. */
export function resolveOptions(o: AttentionUNetOptions = {}): ResolvedAttentionUNetOptions {
  rejectUnknown('attention-unet', o as Record<string, unknown>, OPTION_NAMES);
  const channels = intList('channels', o.channels ?? [16, 32, 64, 128, 256], 2);
  if (channels.length < 2) throw new Error(`option channels must have at least 2 entries (one level and the bottleneck), got ${JSON.stringify(channels)}`);
  const strides = intList('strides', o.strides ?? Array<number>(channels.length - 1).fill(2), 1);
  if (strides.length !== channels.length - 1) {
    throw new Error(`option strides must have one entry per step down (channels has ${channels.length} entries, so ${channels.length - 1}), got ${JSON.stringify(o.strides)}`);
  }
  const dropout = num('dropout', o.dropout ?? 0, 0, 1);
  if (dropout === 1) throw new Error('option dropout must be a number in [0, 1), got 1');
  return {
    spatialDims: checkDims(o.spatialDims ?? 2),
    inChannels: int('inChannels', o.inChannels ?? 1),
    classes: int('classes', o.classes ?? 2),
    channels,
    strides,
    kernelSize: oddKernel('kernelSize', o.kernelSize ?? 3),
    upKernelSize: oddKernel('upKernelSize', o.upKernelSize ?? 3),
    dropout,
    gate: lookUpOption('gate', o.gate ?? 'monai', ['monai', 'oktay'] as const),
    seed: int('seed', o.seed ?? 0, 0),
  };
}

/**
 * Options for MONAI's constructor keyword arguments (`spatial_dims`, `in_channels`, `out_channels`, `channels`,
 * `strides`, `kernel_size`, `up_kernel_size`, `dropout`), as the fixtures' metadata and MONAI configs spell them.
 * A keyword this network has no counterpart for is refused.
 */
export function fromMonai(kwargs: Record<string, unknown>): AttentionUNetOptions {
  const names: Record<string, keyof AttentionUNetOptions> = {
    spatial_dims: 'spatialDims', in_channels: 'inChannels', out_channels: 'classes', channels: 'channels', strides: 'strides',
    kernel_size: 'kernelSize', up_kernel_size: 'upKernelSize', dropout: 'dropout',
  };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kwargs)) {
    const name = names[k];
    if (!name) throw new Error(`MONAI AttentionUnet argument '${k}' has no counterpart here; known: ${Object.keys(names).join(', ')}`);
    out[name] = v;
  }
  return out as AttentionUNetOptions;
}
