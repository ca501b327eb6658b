/**
 * What the rest of the library may know of a segmentation network: its forward pass, its geometry, its spec and, for
 * drawings and summaries, its stages. Inference (sliding windows, overlap-tile, whole-image prediction, TTA),
 * training, checkpoints and the explorer ask these questions of any architecture, never of one network's options.
 * Channels-last: x is [B, ...S, inChannels], logits [B, ...S_out, classes].
 */
import type { Tensor } from '../core/tf.js';
import type { Module } from '../nn/module.js';

export interface Geometry {
  /** 2 or 3 spatial axes. */
  readonly spatialDims: 2 | 3;
  /** Channels of the input's last axis. */
  readonly inChannels: number;
  /** Channels of the logits' last axis. */
  readonly classes: number;
  /** 'same': the output has the input's size; 'valid': it is the input's centre, a border smaller on each side. */
  readonly padding: 'same' | 'valid';
  /** The step between accepted input sizes along an axis (2^depth for a U-Net, the patch size for a ViT). */
  readonly stride: number;
  /**
   * The one input size the network takes, per axis, when it takes no other (transformers with learned position
   * embeddings: UNETR, TransUNet); undefined when any size on the stride grid is accepted.
   */
  readonly fixed?: readonly number[];
  /** Output size along one axis for an input size, or the first rule that size breaks. */
  axis(size: number, axis?: number): { out: number; error?: string };
  /** Output spatial size for an input spatial size; throws naming each broken rule and the nearest valid sizes. */
  output(input: readonly number[]): number[];
  /** The accepted input sizes nearest to `size` along an axis, below and above. */
  nearest(size: number, axis?: number): { below?: number; above?: number };
}

/** What a network is: its architecture's registry name and its resolved options (JSON; a model file stores it). */
export interface NetSpec {
  readonly arch: string;
  readonly options: Readonly<Record<string, unknown>>;
}

/** A network as inference sees it. */
export interface SegmentationNet {
  readonly geometry: Geometry;
  readonly spec: NetSpec;
  /** Logits [B, ...S_out, classes] for x [B, ...S, inChannels] (for deep supervision: the inference output). */
  forward(x: Tensor): Tensor;
  /**
   * Deep supervision: every head's logits, each [B, ...S_out, classes]; training averages the heads' losses.
   * Absent (or returning one tensor) for a network with one output.
   */
  heads?(x: Tensor): Tensor[];
}

/** A network with parameters and buffers (a `Module`): what training, checkpoints and weight files need. */
export type TrainableNet = SegmentationNet & Module;

/** What kind of node a stage is, for drawings (the explorer) and summaries. */
export type StageKind = 'input' | 'encoder' | 'bottleneck' | 'decoder' | 'output' | 'gate' | 'tokens' | 'head';

/**
 * One stage of a network at an input size, computed without weights: enough for `unet summary` and the explorer's
 * drawings of any architecture.
 */
export interface NetStage {
  /** Unique within the network (`enc1`, `x_1_2`, `gate3`, `block4`). */
  name: string;
  kind: StageKind;
  /** The module it is in the state dict (`down1`, `conv1_2`, `vit.blocks.3`), or '—'. */
  module: string;
  /** Resolution level: 0 = full size, each halving adds 1 (tokens sit at the patch grid's level). */
  level: number;
  /** Column within its level for nested designs (U-Net++ j); 0 otherwise. */
  column?: number;
  inChannels: number;
  /** Channels (or the token width) of the stage's output. */
  channels: number;
  /** Spatial size of the stage's output (the patch grid for tokens). */
  size: number[];
  /** Trainable parameters of the stage's modules. */
  params: number;
  /** Names of the stages feeding this one: the data path first, then skips. */
  from: string[];
  /** One line on what it computes (`(conv 3×3 → IN → LeakyReLU) × 2`). */
  detail?: string;
  /** Valid padding: the crop per side of the skip joined here, per axis. */
  crop?: number[];
}
