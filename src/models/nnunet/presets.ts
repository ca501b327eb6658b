/** Named nnU-Net configurations sized for CPU training (plans from `unet plan` give the full-size ones). */
import type { Preset } from '../architecture.js';

export const nnunetPresets: Record<string, Omit<Preset, 'arch'>> = {
  nnunet2d: {
    description: 'nnU-Net v2 PlainConvUNet 2-D, 5 stages, features (16, 32, 64, 128, 256), kernels 3×3, strides 2×2, deep supervision: nnU-Net’s 2-D recipe at half width for CPU training',
    options: { spatialDims: 2, inChannels: 1, classes: 2, features: [16, 32, 64, 128, 256] },
    defaultInput: [256, 256], role: 'train',
  },
  nnunet3d: {
    description: 'nnU-Net v2 PlainConvUNet 3-D, 4 stages, features (16, 32, 64, 128), kernels 3×3×3, strides 2×2×2, deep supervision: nnU-Net’s hippocampus plan at half width for CPU training',
    options: { spatialDims: 3, inChannels: 1, classes: 3, features: [16, 32, 64, 128] },
    defaultInput: [40, 56, 40], role: 'train',
  },
};
