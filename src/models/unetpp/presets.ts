/** Named U-Net++ configurations: MONAI's pinned ones (`role: 'reference'`) and narrower ones sized for CPU training. */
import type { Preset } from '../architecture.js';

export const unetppPresets: Record<string, Omit<Preset, 'arch'>> = {
  unetpp2d: {
    description: 'MONAI BasicUNetPlusPlus(2, 1, 2): features (32, 32, 64, 128, 256, 32), InstanceNorm, LeakyReLU 0.1, no deep supervision; 2,410,312 parameters',
    options: { spatialDims: 2, inChannels: 1, classes: 2, features: [32, 32, 64, 128, 256, 32] },
    defaultInput: [256, 256], role: 'reference',
  },
  unetpp3d: {
    description: 'MONAI BasicUNetPlusPlus(3, 1, 2), its defaults: features (32, 32, 64, 128, 256, 32), no deep supervision; 6,979,976 parameters',
    options: { spatialDims: 3, inChannels: 1, classes: 2, features: [32, 32, 64, 128, 256, 32] },
    defaultInput: [96, 96, 96], role: 'reference',
  },
  'unetpp-small2d': {
    description: 'unetpp2d at half width, features (16, 16, 32, 64, 128, 16), with deep supervision (forward: the mean of the four heads): sized for CPU training beside the U-Net small2d',
    options: { spatialDims: 2, inChannels: 1, classes: 2, features: [16, 16, 32, 64, 128, 16], deepSupervision: true },
    defaultInput: [256, 256], role: 'train',
  },
  'unetpp-small3d': {
    description: 'unetpp3d at half width, features (16, 16, 32, 64, 128, 16), with deep supervision: sized for CPU training beside the U-Net small3d',
    options: { spatialDims: 3, inChannels: 1, classes: 3, features: [16, 16, 32, 64, 128, 16], deepSupervision: true },
    defaultInput: [48, 64, 48], role: 'train',
  },
};
