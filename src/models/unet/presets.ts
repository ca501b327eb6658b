/** Named configurations reproducing the literature; `unet summary --preset NAME` and the trainer use them. */
import type { Preset } from '../architecture.js';
import type { UNetOptions } from './options.js';

export const unetPresets: Record<string, Omit<Preset, 'arch'>> = {
  ronneberger2015: {
    description: 'Ronneberger et al. 2015, Fig. 1: valid 3×3 convs with bias, no normalisation, 2×2 up-convs halving channels, 64…1024; 572×572 → 388×388',
    options: {
      spatialDims: 2, inChannels: 1, classes: 2, base: 64, depth: 4, padding: 'valid', upsample: 'transposed',
      transposedChannels: 'halve', halveBottleneck: false, norm: 'none', channelSchedule: 'double-after',
      convBias: true, upBias: true, outBias: true,
    },
    defaultInput: [572, 572],
  },
  cicek2016: {
    description: 'Çiçek et al. 2016, Fig. 1: valid 3×3×3 convs, BatchNorm (no affine) before each ReLU, channels doubled before pooling, bias-free 2×2×2 up-convs keeping channels; 132×132×116 → 44×44×28',
    options: {
      spatialDims: 3, inChannels: 3, classes: 3, base: 32, depth: 3, padding: 'valid', upsample: 'transposed',
      transposedChannels: 'keep', halveBottleneck: false, norm: 'batch', normAffine: false,
      channelSchedule: 'double-before-pool', convBias: true, upBias: false, outBias: true,
    },
    defaultInput: [132, 132, 116],
  },
  seed2d: {
    description: "the chapter's modern 2-D U-Net: padded 3×3 convs without bias, BatchNorm, ReLU, bilinear up-sampling (align_corners), bottleneck halved",
    options: { spatialDims: 2, inChannels: 1, classes: 1, base: 64, depth: 4, padding: 'same', upsample: 'interp', norm: 'batch' },
    defaultInput: [256, 256],
  },
  seed3d: {
    description: "the chapter's modern 3-D U-Net: seed2d in 3-D, base 32, trilinear up-sampling",
    options: { spatialDims: 3, inChannels: 1, classes: 3, base: 32, depth: 4, padding: 'same', upsample: 'interp', norm: 'batch' },
    defaultInput: [64, 64, 64],
  },
  small2d: {
    description: 'seed2d at base 16, 1 in / 1 class: the width of the README\'s ISBI recipe, sized for CPU training',
    options: { spatialDims: 2, inChannels: 1, classes: 1, base: 16, depth: 4, padding: 'same', upsample: 'interp', norm: 'batch' },
    defaultInput: [256, 256], role: 'train',
  },
  small3d: {
    description: 'seed3d at base 16: the width of the README\'s hippocampus recipe, sized for CPU training',
    options: { spatialDims: 3, inChannels: 1, classes: 3, base: 16, depth: 4, padding: 'same', upsample: 'interp', norm: 'batch' },
    defaultInput: [48, 64, 48], role: 'train',
  },
};

/** A U-Net preset's options with `overrides` applied on top (this folder's tests; elsewhere use `presetSpec`). */
export function presetOptions(name: string, overrides: UNetOptions = {}): UNetOptions {
  const p = unetPresets[name];
  if (!p) throw new Error(`unknown U-Net preset '${name}'`);
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return { ...(p.options as UNetOptions), ...defined };
}
