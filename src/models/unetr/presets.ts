/** UNETR's named configurations: MONAI's default (pinned) and two widths sized for CPU training. */
import type { Preset } from '../architecture.js';

export const unetrPresets: Record<string, Omit<Preset, 'arch'>> = {
  unetr: {
    description: 'MONAI UNETR(1, 3, (96, 96, 96)): ViT-B/16 (hidden 768, 12 heads, MLP 3072), feature 16, InstanceNorm, residual blocks; 92,783,859 parameters (without MONAI\'s unused cross-attention)',
    options: { spatialDims: 3, inChannels: 1, classes: 3, imgSize: [96, 96, 96], featureSize: 16, hiddenSize: 768, mlpDim: 3072, numHeads: 12 },
    defaultInput: [96, 96, 96], role: 'reference',
  },
  'unetr-small2d': {
    description: 'UNETR in 2-D at 256×256 (ISBI patches), feature 16, hidden 192, 4 heads, MLP 384, 1 class: sized for CPU training',
    options: { spatialDims: 2, inChannels: 1, classes: 1, imgSize: [256, 256], featureSize: 16, hiddenSize: 192, mlpDim: 384, numHeads: 4 },
    defaultInput: [256, 256], role: 'train',
  },
  'unetr-small': {
    description: 'UNETR in 3-D at 48×64×48 (hippocampus patches), feature 16, hidden 192, 4 heads, MLP 384, 3 classes: sized for CPU training',
    options: { spatialDims: 3, inChannels: 1, classes: 3, imgSize: [48, 64, 48], featureSize: 16, hiddenSize: 192, mlpDim: 384, numHeads: 4 },
    defaultInput: [48, 64, 48], role: 'train',
  },
};
