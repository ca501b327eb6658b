/**
 * `Architecture`: what one network family gives the registry (MONAI's nets + factories, smp's `decoders/<arch>/`).
 * Adding a network means one folder `src/models/<arch>/` whose `index.ts` exports an `Architecture` and one line in
 * `registry.ts`.
 */
import type { Geometry, NetStage, TrainableNet } from './types.js';
import type { SafeTensor } from '../io/safetensors.js';

/** A named configuration of one architecture (`attention-unet2d`, `unetr`). */
export interface Preset {
  /** The architecture's registry name. */
  arch: string;
  description: string;
  /** Options on top of the architecture's defaults. */
  options: Record<string, unknown>;
  /** Input size the paper or reference uses, for summaries and the explorer. */
  defaultInput: number[];
  /** Kind: 'reference' (pinned to a paper or upstream module) or 'train' (a width sized for CPU training). */
  role?: 'reference' | 'train';
}

export interface Architecture<R extends object = Record<string, unknown>> {
  /** Registry name (`unet`, `attention-unet`, `unetpp`, `unetr`, `transunet`). */
  readonly name: string;
  /** One line: the paper and the upstream module it follows. */
  readonly description: string;
  /** Fills every default and checks every field; throws naming the option, the value and the rule. */
  resolve(options: Record<string, unknown>): R;
  /** Builds the network (weights from the options' seed). */
  create(options: R): TrainableNet;
  /** The geometry without building the network. */
  geometry(options: R): Geometry;
  /** Every stage at an input size (or at the default size when `input` is empty), without weights. */
  stages(options: R, input: readonly number[]): NetStage[];
  /** Trainable parameters without building the network. */
  params(options: R): number;
  /** The named configurations of this architecture. */
  readonly presets: Record<string, Omit<Preset, 'arch'>>;
  /**
   * Maps a state-dict key of another naming (the papers' reference modules, a `module.` prefix, an upstream
   * checkpoint) onto this network's own; identity where absent.
   */
  foreignKey?(key: string): string;
  /**
   * The options a state dict fixes (widths, kernels, strides, classes, …), read off its tensors' shapes (PyTorch
   * layout; names already mapped by `foreignKey`), or null where the names do not say. `unet import` builds the
   * network from the preset's options, these over them, the user's `--option`s over both.
   */
  optionsFromWeights?(shapes: ReadonlyMap<string, readonly number[]>, where: string): Record<string, unknown> | null;
  /**
   * Loads an upstream release's pretrained weights in their own format (TransUNet's `R50+ViT-B_16.npz`: JAX names and
   * layouts, encoder only) into `net`, leaving the rest as initialised. Returns the file's tensors it did not use.
   */
  importPretrained?(net: TrainableNet, tensors: ReadonlyMap<string, SafeTensor>, where: string): Promise<string[]>;
  /**
   * Facts a summary shows beside the stage table (the U-Net's receptive field): `lines` for people, `json` merged into
   * `unet summary --json`.
   */
  notes?(options: R, input: readonly number[]): { lines: string[]; json: Record<string, unknown> };
  /** Options that change the spec into the smallest network of the family that still exercises every block (tests). */
  readonly tiny: Record<string, unknown>;
}
