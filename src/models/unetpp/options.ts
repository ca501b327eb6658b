/**
 * The options of U-Net++ (Zhou 2018; MONAI's `BasicUNetPlusPlus`): one object for 2-D and 3-D, every field with its
 * default documented at the type and resolved once by `resolveUNetPPOptions`.
 */
import { bool, int, intList, lookUpOption, num, rejectUnknown, spatialDims as checkDims } from '../option-checks.js';
import type { SpatialDims } from '../../nn/factory.js';

/** What `forward` returns with deep supervision: the mean of the four heads, or one head of the pruned network. */
export type UNetPPInference = 'accurate' | 'fast';

export interface UNetPPOptions {
  /** Spatial dimensions: 2 for [B, H, W, C] images, 3 for [B, D, H, W, C] volumes. Default 2 (MONAI's is 3). */
  spatialDims?: SpatialDims;
  /** Input channels. Default 1. */
  inChannels?: number;
  /** Output channels of every head (MONAI's `out_channels`). Default 2. */
  classes?: number;
  /**
   * Six widths, MONAI's `features`: f[0] … f[4] are the channels of rows 0 … 4 (every node x_i_j of row i has f[i]
   * channels), f[5] those of the last node x_0_4 (the input of head 4). Up-sampling halves the channels on rows 1 … 3
   * and keeps them on row 0, so f[2], f[3], f[4] must be ≥ 2. Default [32, 32, 64, 128, 256, 32].
   */
  features?: readonly number[];
  /**
   * Deep supervision (Zhou 2018 §2): `heads(x)` returns the four heads' logits, those of x_0_1, x_0_2, x_0_3, x_0_4,
   * each [B, ...S, classes]; training averages the heads' losses (the training step calls `heads` when the network
   * has it), and `forward` returns the inference output that `inference` selects. Without deep supervision the
   * network has no `heads`, `forward` is head 4 (x_0_4) as in MONAI, and heads 1 … 3 are built (their weights are in
   * the state dict) but never run, so they get no gradient. Default false.
   */
  deepSupervision?: boolean;
  /** Dropout probability after each InstanceNorm, before the LeakyReLU (MONAI's ADN order), training mode only. Default 0. */
  dropout?: number;
  /**
   * With deep supervision, what `forward` returns:
   *  - 'accurate': the mean of the four heads' logits (the full network runs);
   *  - 'fast': the logits of head `pruneLevel` computed by the pruned network alone: only the nodes x_i_j with
   *    i + j ≤ pruneLevel run (Zhou 2018's model pruning, UNet++ L1 … L4), a smaller and faster network.
   * 'fast' needs deep supervision (without it heads 1 … 3 are never trained). Default 'accurate'.
   */
  inference?: UNetPPInference;
  /** The head, 1 … 4, that inference 'fast' computes (pruned network UNet++ L_pruneLevel); unused with 'accurate'. Default 4. */
  pruneLevel?: number;
  /** Seed of the weight initialisation and of the dropout masks. Default 0. */
  seed?: number;
}

export type ResolvedUNetPPOptions = Required<UNetPPOptions>;

const KNOWN = ['spatialDims', 'inChannels', 'classes', 'features', 'deepSupervision', 'dropout', 'inference', 'pruneLevel', 'seed'] as const;

/** Fills every default and checks every value; the only place defaults live. Resolving twice changes nothing. */
export function resolveUNetPPOptions(o: UNetPPOptions = {}): ResolvedUNetPPOptions {
  rejectUnknown('unetpp', o as Record<string, unknown>, KNOWN);
  const features = intList('features', o.features ?? [32, 32, 64, 128, 256, 32], 1, 6);
  features.slice(2, 5).forEach((f, k) => {
    if (f < 2) throw new Error(`option features[${k + 2}] must be ≥ 2 (row ${k + 1}'s transposed up-convolution halves it to ${Math.floor(f / 2)} channels), got ${f}`);
  });
  const deepSupervision = bool('deepSupervision', o.deepSupervision ?? false);
  const inference = lookUpOption('inference mode', o.inference ?? 'accurate', ['accurate', 'fast'] as const);
  if (inference === 'fast' && !deepSupervision) {
    throw new Error("option inference 'fast' needs deepSupervision: true (it runs head pruneLevel of the pruned network, and heads 1 … 3 are trained only with deep supervision)");
  }
  const dropout = num('dropout', o.dropout ?? 0, 0, 1);
  if (dropout === 1) throw new Error('option dropout must be a probability in [0, 1) (1 would drop every activation), got 1');
  return {
    spatialDims: checkDims(o.spatialDims ?? 2),
    inChannels: int('inChannels', o.inChannels ?? 1),
    classes: int('classes', o.classes ?? 2),
    features,
    deepSupervision,
    dropout,
    inference,
    pruneLevel: int('pruneLevel', o.pruneLevel ?? 4, 1, 4),
    seed: int('seed', o.seed ?? 0, 0),
  };
}
