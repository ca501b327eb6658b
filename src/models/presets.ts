/** Named configurations reproducing the literature; `unet summary --preset NAME` and the trainer use them. */
import { Registry } from '../core/registry.js';
import type { UNetOptions } from './options.js';

export interface Preset {
  description: string;
  options: UNetOptions;
  /** Input size the paper or chapter uses, for summaries. */
  defaultInput: number[];
}

export const presets = new Registry<Preset>('preset')
  .register('ronneberger2015', {
    description: 'Ronneberger et al. 2015, Fig. 1: valid 3×3 convs with bias, no normalisation, 2×2 up-convs halving channels, 64…1024; 572×572 → 388×388',
    options: {
      spatialDims: 2, inChannels: 1, classes: 2, base: 64, depth: 4, padding: 'valid', upsample: 'transposed',
      transposedChannels: 'halve', halveBottleneck: false, norm: 'none', channelSchedule: 'double-after',
      convBias: true, upBias: true, outBias: true,
    },
    defaultInput: [572, 572],
  })
  .register('cicek2016', {
    description: 'Çiçek et al. 2016, Fig. 1: valid 3×3×3 convs, BatchNorm (no affine) before each ReLU, channels doubled before pooling, bias-free 2×2×2 up-convs keeping channels; 132×132×116 → 44×44×28',
    options: {
      spatialDims: 3, inChannels: 3, classes: 3, base: 32, depth: 3, padding: 'valid', upsample: 'transposed',
      transposedChannels: 'keep', halveBottleneck: false, norm: 'batch', normAffine: false,
      channelSchedule: 'double-before-pool', convBias: true, upBias: false, outBias: true,
    },
    defaultInput: [132, 132, 116],
  })
  .register('seed2d', {
    description: "the chapter's modern 2-D U-Net: padded 3×3 convs without bias, BatchNorm, ReLU, bilinear up-sampling (align_corners), bottleneck halved",
    options: { spatialDims: 2, inChannels: 1, classes: 1, base: 64, depth: 4, padding: 'same', upsample: 'interp', norm: 'batch' },
    defaultInput: [256, 256],
  })
  .register('seed3d', {
    description: "the chapter's modern 3-D U-Net: seed2d in 3-D, base 32, trilinear up-sampling",
    options: { spatialDims: 3, inChannels: 1, classes: 3, base: 32, depth: 4, padding: 'same', upsample: 'interp', norm: 'batch' },
    defaultInput: [64, 64, 64],
  });

/** The preset's options with `overrides` applied on top. */
export function presetOptions(name: string, overrides: UNetOptions = {}): UNetOptions {
  const p = presets.get(name);
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return { ...p.options, ...defined };
}
