/**
 * The options of `nnunet`: nnU-Net v2's PlainConvUNet (MIC-DKFZ/dynamic-network-architectures,
 * `architectures/unet.py`), as nnU-Net's plans configure it. One object for 2-D and 3-D; `resolveNnUNetOptions`
 * fills every default and checks every field.
 */
import { bool, int, intList, rejectUnknown, spatialDims as checkDims } from '../option-checks.js';
import type { SpatialDims } from '../../nn/factory.js';

export interface NnUNetOptions {
  /** 2 or 3. Default 3. */
  spatialDims?: SpatialDims;
  /** Input channels (modalities). Default 1. */
  inChannels?: number;
  /** Output classes of every segmentation head, background included. Default 2. */
  classes?: number;
  /** Channels of each encoder stage, stage 0 (full resolution) first; nnU-Net: 32 doubling, capped at 320 (3-D) / 512 (2-D). Default [32, 64, 128, 256]. */
  features?: readonly number[];
  /** Per stage, the conv kernel per spatial axis (nnU-Net's `conv_kernel_sizes`). Default 3 on every axis. */
  kernels?: readonly (readonly number[])[];
  /** Per stage, the stride of its first conv per axis (nnU-Net's `pool_op_kernel_sizes`); stage 0 is all 1. Default [1…], then [2…]. */
  strides?: readonly (readonly number[])[];
  /** Convs per encoder stage and per decoder stage (nnU-Net's `n_conv_per_stage` and `…_decoder`). Default 2. */
  convsPerStage?: number;
  /**
   * Deep supervision: `heads(x)` returns one 1×1-conv head per decoder stage, highest resolution first, each at its
   * stage's resolution (training weights them 1/2^i, the lowest 0, and down-samples the targets). `forward` is always
   * the highest-resolution head. Default true.
   */
  deepSupervision?: boolean;
  /** Weight seed. Default 0. */
  seed?: number;
}

export interface ResolvedNnUNetOptions {
  spatialDims: SpatialDims;
  inChannels: number;
  classes: number;
  features: number[];
  kernels: number[][];
  strides: number[][];
  convsPerStage: number;
  deepSupervision: boolean;
  seed: number;
}

const KNOWN = ['spatialDims', 'inChannels', 'classes', 'features', 'kernels', 'strides', 'convsPerStage', 'deepSupervision', 'seed'] as const;

function perStage(name: string, v: unknown, stages: number, dims: number, min: number, fill: (s: number) => number): number[][] {
  if (v === undefined) return Array.from({ length: stages }, (_, s) => Array<number>(dims).fill(fill(s)));
  if (!Array.isArray(v) || v.length !== stages) throw new Error(`option ${name} must be a list of ${stages} per-axis lists (one per stage, as many as features), got ${JSON.stringify(v)}`);
  return v.map((k, s) => intList(`${name}[${s}]`, k, min, dims));
}

export function resolveNnUNetOptions(o: NnUNetOptions = {}): ResolvedNnUNetOptions {
  rejectUnknown('nnunet', o as Record<string, unknown>, KNOWN);
  const spatialDims = checkDims(o.spatialDims ?? 3);
  const features = intList('features', o.features ?? [32, 64, 128, 256], 1);
  if (features.length < 2) throw new Error(`option features must list at least 2 stages, got ${JSON.stringify(o.features)}`);
  const n = features.length;
  const kernels = perStage('kernels', o.kernels, n, spatialDims, 1, () => 3);
  kernels.forEach((k, s) => k.forEach((v, a) => {
    if (v % 2 !== 1) throw new Error(`option kernels[${s}][${a}] must be odd (same padding k//2), got ${v}`);
  }));
  const strides = perStage('strides', o.strides, n, spatialDims, 1, (s) => (s === 0 ? 1 : 2));
  return {
    spatialDims,
    inChannels: int('inChannels', o.inChannels ?? 1),
    classes: int('classes', o.classes ?? 2),
    features,
    kernels,
    strides,
    convsPerStage: int('convsPerStage', o.convsPerStage ?? 2),
    deepSupervision: bool('deepSupervision', o.deepSupervision ?? true),
    seed: int('seed', o.seed ?? 0, 0),
  };
}
