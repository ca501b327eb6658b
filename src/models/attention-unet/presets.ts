/** Named configurations: MONAI's pinned Attention U-Nets (`reference`) and the widths trained on the CPU (`train`). */
import type { Preset } from '../architecture.js';

const PINNED = { inChannels: 1, classes: 2, channels: [16, 32, 64, 128, 256], strides: [2, 2, 2, 2] };

export const attentionUNetPresets: Record<string, Omit<Preset, 'arch'>> = {
  'attention-unet2d': {
    description: 'MONAI AttentionUnet(2, 1, 2, channels (16,32,64,128,256), strides (2,2,2,2)): 1,987,434 parameters',
    options: { spatialDims: 2, ...PINNED },
    defaultInput: [256, 256], role: 'reference',
  },
  'attention-unet3d': {
    description: 'MONAI AttentionUnet(3, 1, 2, channels (16,32,64,128,256), strides (2,2,2,2)): 5,909,130 parameters',
    options: { spatialDims: 3, ...PINNED },
    defaultInput: [96, 96, 96], role: 'reference',
  },
  'attention-unet-small2d': {
    description: 'attention-unet2d with 1 class (sigmoid): the widths of the U-Net\'s small2d (16…256), for the ISBI recipe on the CPU',
    options: { spatialDims: 2, ...PINNED, classes: 1 },
    defaultInput: [256, 256], role: 'train',
  },
  'attention-unet-small3d': {
    description: 'attention-unet3d with 3 classes: the widths of the U-Net\'s small3d (16…256), for the hippocampus recipe on the CPU',
    options: { spatialDims: 3, ...PINNED, classes: 3 },
    defaultInput: [48, 64, 48], role: 'train',
  },
};
