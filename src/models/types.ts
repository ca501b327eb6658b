/**
 * What the rest of the library may know of a segmentation network: its forward pass and its geometry. Inference
 * (sliding windows, overlap-tile, whole-image prediction, TTA) asks these questions of any architecture through
 * `Geometry`, never of one network's options. Channels-last: x is [B, ...S, inChannels], logits [B, ...S_out, classes].
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
  /** The step between accepted input sizes along an axis (2^depth for a U-Net). */
  readonly stride: number;
  /** Output size along one axis for an input size, or the first rule that size breaks. */
  axis(size: number): { out: number; error?: string };
  /** Output spatial size for an input spatial size; throws naming each broken rule and the nearest valid sizes. */
  output(input: readonly number[]): number[];
  /** The accepted input sizes nearest to `size` along an axis, below and above. */
  nearest(size: number): { below?: number; above?: number };
}

/** A network as inference sees it. */
export interface SegmentationNet {
  readonly geometry: Geometry;
  /** Logits [B, ...S_out, classes] for x [B, ...S, inChannels]. */
  forward(x: Tensor): Tensor;
}

/** A network with parameters and buffers (a `Module`): what training, checkpoints and weight files need. */
export type TrainableNet = SegmentationNet & Module;
