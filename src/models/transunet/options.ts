/**
 * TransUNet's options (Chen et al. 2021; Beckschen's `VisionTransformer(get_r50_b16_config())` as its `train.py`
 * builds it): every field with its default documented at the type, resolved once by `resolveOptions`.
 * The defaults are R50-ViT-B/16 at 224 × 224 with 9 classes (Synapse), 105,277,081 parameters.
 */
import { int, intList, num, rejectUnknown } from '../option-checks.js';

export interface TransUNetOptions {
  /**
   * Side of the square input, in pixels: the network takes exactly imgSize × imgSize (learned position embeddings
   * for the (imgSize/16)² tokens). A multiple of 16. Default 224.
   */
  imgSize?: number;
  /** Input channels: 3, or 1 (repeated to 3 channels before the ResNet, as upstream). Default 1. */
  inChannels?: number;
  /** Output channels of the 3×3 segmentation head. Default 9 (Synapse: background + 8 organs). */
  classes?: number;
  /** Token width of the ViT. Default 768 (ViT-B). */
  hiddenSize?: number;
  /** Hidden width of each transformer MLP. Default 3072. */
  mlpDim?: number;
  /** Attention heads; hiddenSize must divide by it. Default 12. */
  numHeads?: number;
  /** Transformer blocks. Default 12. */
  numLayers?: number;
  /** Bottleneck units in each of the ResNet's three blocks. Default [3, 4, 9] (ResNet-50's first three stages). */
  blockUnits?: number[];
  /**
   * ResNet width factor: the root has w = ⌊64 · widthFactor⌋ channels, block b outputs 4w·2^b. w must be a multiple of
   * 32 (every GroupNorm has 32 groups). Default 1.
   */
  widthFactor?: number;
  /** Output channels of the four decoder blocks, deepest first. Default [256, 128, 64, 16]. */
  decoderChannels?: number[];
  /** How many decoder blocks join a ResNet skip (1/8, 1/4, 1/2 maps, in that order), 0 … 3. Default 3. */
  nSkip?: number;
  /**
   * Dropout after the embeddings and twice in each MLP (train mode only; masks from the seed). Default 0.1.
   * (Upstream's attention dropout is 0 in R50-ViT-B/16 and is not an option here.)
   */
  dropoutRate?: number;
  /** Seed of the weight initialisation and of the dropout masks. Default 0. */
  seed?: number;
}

export type ResolvedTransUNetOptions = Required<TransUNetOptions>;

/** The option names, for `rejectUnknown`. */
export const OPTION_NAMES = ['imgSize', 'inChannels', 'classes', 'hiddenSize', 'mlpDim', 'numHeads', 'numLayers', 'blockUnits',
  'widthFactor', 'decoderChannels', 'nSkip', 'dropoutRate', 'seed'] as const;

/** GroupNorm groups in the ResNet (upstream's constant). */
export const RESNET_GROUPS = 32;
/** Channels out of `conv_more`, the decoder's first conv (upstream's constant `head_channels`). */
export const CONV_MORE_CHANNELS = 512;
/** The hybrid ResNet's total down-sampling: tokens sit on the 1/16 grid (patch 1 on the ResNet map, as train.py builds it). */
export const PATCH = 16;

/** ⌊64 · widthFactor⌋: the ResNet root's width (Python's int(64 * width_factor)). */
export const resnetWidth = (o: Pick<ResolvedTransUNetOptions, 'widthFactor'>): number => Math.floor(64 * o.widthFactor);

/** Fills every default and checks every value; the only place defaults live. */
export function resolveOptions(o: TransUNetOptions = {}): ResolvedTransUNetOptions {
  rejectUnknown('transunet', o as Record<string, unknown>, OPTION_NAMES);
  const imgSize = int('imgSize', o.imgSize ?? 224, PATCH);
  if (imgSize % PATCH !== 0) {
    const below = Math.floor(imgSize / PATCH) * PATCH, above = below + PATCH;
    throw new Error(`option imgSize must be a multiple of ${PATCH} (the ResNet's 1/16 token grid), got ${imgSize}; nearest valid: ${below} or ${above}`);
  }
  const inChannels = o.inChannels ?? 1;
  if (inChannels !== 1 && inChannels !== 3) throw new Error(`option inChannels must be 1 or 3 (the ResNet root takes RGB; 1 channel is repeated to 3), got ${JSON.stringify(inChannels)}`);
  const hiddenSize = int('hiddenSize', o.hiddenSize ?? 768);
  const numHeads = int('numHeads', o.numHeads ?? 12);
  if (hiddenSize % numHeads !== 0) throw new Error(`option numHeads must divide hiddenSize (${hiddenSize}), got ${numHeads}`);
  const widthFactor = num('widthFactor', o.widthFactor ?? 1, 0, 64);
  const w = Math.floor(64 * widthFactor);
  if (w < RESNET_GROUPS || w % RESNET_GROUPS !== 0) {
    throw new Error(`option widthFactor must give a ResNet width ⌊64·widthFactor⌋ that is a positive multiple of ${RESNET_GROUPS} (GroupNorm has ${RESNET_GROUPS} groups), got ${widthFactor} (width ${w}); e.g. 0.5, 1 or 1.5`);
  }
  return {
    imgSize,
    inChannels,
    classes: int('classes', o.classes ?? 9),
    hiddenSize,
    mlpDim: int('mlpDim', o.mlpDim ?? 3072),
    numHeads,
    numLayers: int('numLayers', o.numLayers ?? 12),
    blockUnits: intList('blockUnits', o.blockUnits ?? [3, 4, 9], 1, 3),
    widthFactor,
    decoderChannels: intList('decoderChannels', o.decoderChannels ?? [256, 128, 64, 16], 1, 4),
    nSkip: int('nSkip', o.nSkip ?? 3, 0, 3),
    dropoutRate: num('dropoutRate', o.dropoutRate ?? 0.1, 0, 0.99),
    seed: int('seed', o.seed ?? 0, 0),
  };
}
