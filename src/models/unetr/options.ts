/**
 * UNETR's options (MONAI `UNETR`'s arguments, camelCased): one object for 2-D and 3-D, every default documented at
 * the type and filled once by `resolveOptions`. The patch size (16) and the depth of the ViT (12 blocks, skips after
 * blocks 4, 7 and 10) are fixed, as in MONAI.
 */
import { bool, int, intList, lookUpOption, rejectUnknown, spatialDims as checkDims } from '../option-checks.js';
import type { SpatialDims } from '../../nn/factory.js';

/** ViT patch side (fixed, as in MONAI). */
export const PATCH = 16;
/** ViT blocks (fixed, as in MONAI). */
export const LAYERS = 12;
/** Blocks whose outputs (1-based, before the final LayerNorm) feed encoders 2, 3 and 4. */
export const SKIP_BLOCKS = [4, 7, 10] as const;
/** LeakyReLU slope of the conv blocks (MONAI's default act). */
export const LEAKY_SLOPE = 0.01;
/** LayerNorm ε of the ViT (PyTorch's default). */
export const LN_EPS = 1e-5;

export type PatchProjection = 'conv' | 'perceptron';
export type UnetrNorm = 'instance' | 'batch';

export interface UNETROptions {
  /** Spatial dimensions: 2 for [B, H, W, C] images, 3 for [B, D, H, W, C] volumes. Default 3. */
  spatialDims?: SpatialDims;
  /** Input channels. Default 1. */
  inChannels?: number;
  /** Output channels (classes). Default 2. */
  classes?: number;
  /**
   * The one input size (per axis, each a multiple of 16; one number for every axis). The position embeddings are
   * learned for its patch grid, so the network takes no other size. Default 96 on every axis.
   */
  imgSize?: number[] | number;
  /** Width F of the CNN path: encoder1 and decoder2 have F channels, the levels below 2F, 4F, 8F. Default 16. */
  featureSize?: number;
  /** Token width of the ViT. Default 768. */
  hiddenSize?: number;
  /** Hidden width of each transformer MLP. Default 3072. */
  mlpDim?: number;
  /** Attention heads (hiddenSize must be a multiple). Default 12. */
  numHeads?: number;
  /** Patch embedding: 'conv' (conv 16×16(×16), stride 16) or 'perceptron' (flatten each patch, Linear). Default 'conv'. */
  projType?: PatchProjection;
  /** Norm of the conv blocks: 'instance' (no parameters, no running statistics) or 'batch'. Default 'instance'. */
  norm?: UnetrNorm;
  /** Encoders 2–4 refine each transposed-conv step with a conv block (MONAI `conv_block`). Default true. */
  convBlock?: boolean;
  /** Residual conv blocks (`UnetResBlock`) rather than plain ones (`UnetBasicBlock`). Default true. */
  resBlock?: boolean;
  /** Bias in the fused qkv Linear. Default false. */
  qkvBias?: boolean;
  /** Seed of the weight initialisation. Default 0. */
  seed?: number;
}

/** Every option filled in (JSON: stored in model files as `spec.options`). */
export type ResolvedUNETROptions = {
  spatialDims: SpatialDims;
  inChannels: number;
  classes: number;
  imgSize: number[];
  featureSize: number;
  hiddenSize: number;
  mlpDim: number;
  numHeads: number;
  projType: PatchProjection;
  norm: UnetrNorm;
  convBlock: boolean;
  resBlock: boolean;
  qkvBias: boolean;
  seed: number;
};

const KNOWN = ['spatialDims', 'inChannels', 'classes', 'imgSize', 'featureSize', 'hiddenSize', 'mlpDim', 'numHeads', 'projType', 'norm', 'convBlock', 'resBlock', 'qkvBias', 'seed'] as const;

/** Fills every default and checks every value; the only place defaults live. */
export function resolveOptions(o: UNETROptions = {}): ResolvedUNETROptions {
  rejectUnknown('unetr', o as Record<string, unknown>, KNOWN);
  const spatialDims = checkDims(o.spatialDims ?? 3);
  const img = o.imgSize ?? 96;
  const imgSize = intList('imgSize', typeof img === 'number' ? Array<number>(spatialDims).fill(img) : img, PATCH, spatialDims);
  imgSize.forEach((s, i) => {
    if (s % PATCH !== 0) throw new Error(`option imgSize[${i}] must be a multiple of the patch size ${PATCH}, got ${s}; nearest: ${Math.max(PATCH, Math.floor(s / PATCH) * PATCH)} or ${Math.ceil(s / PATCH) * PATCH}`);
  });
  const hiddenSize = int('hiddenSize', o.hiddenSize ?? 768);
  const numHeads = int('numHeads', o.numHeads ?? 12);
  if (hiddenSize % numHeads !== 0) throw new Error(`option hiddenSize must be a multiple of numHeads (${numHeads}), got ${hiddenSize}`);
  return {
    spatialDims,
    inChannels: int('inChannels', o.inChannels ?? 1),
    classes: int('classes', o.classes ?? 2),
    imgSize,
    featureSize: int('featureSize', o.featureSize ?? 16),
    hiddenSize,
    mlpDim: int('mlpDim', o.mlpDim ?? 3072),
    numHeads,
    projType: lookUpOption('projType', o.projType ?? 'conv', ['conv', 'perceptron'] as const),
    norm: lookUpOption('norm', o.norm ?? 'instance', ['instance', 'batch'] as const),
    convBlock: bool('convBlock', o.convBlock ?? true),
    resBlock: bool('resBlock', o.resBlock ?? true),
    qkvBias: bool('qkvBias', o.qkvBias ?? false),
    seed: int('seed', o.seed ?? 0, 0),
  };
}
