/** TransUNet's named configurations: the paper's R50-ViT-B/16 (pinned) and a width for CPU training. */
import type { Preset } from '../architecture.js';

export const transunetPresets: Record<string, Omit<Preset, 'arch'>> = {
  transunet: {
    description: 'Chen et al. 2021, R50-ViT-B/16 as Beckschen’s train.py builds it: 224×224, 9 classes, ResNet-50 blocks (3,4,9), 12 ViT-B layers, '
      + 'cascaded up-sampler (256,128,64,16), 105,277,081 parameters. Its published Synapse results rest on the ImageNet-21k-pretrained '
      + 'encoder (R50+ViT-B_16.npz), which cannot be downloaded here; loadNpzEncoder loads it where a user has the file. From random weights it trains far worse',
    options: {
      imgSize: 224, inChannels: 1, classes: 9, hiddenSize: 768, mlpDim: 3072, numHeads: 12, numLayers: 12, blockUnits: [3, 4, 9],
      widthFactor: 1, decoderChannels: [256, 128, 64, 16], nSkip: 3, dropoutRate: 0.1,
    },
    defaultInput: [224, 224], role: 'reference',
  },
  'transunet-small': {
    description: 'TransUNet at CPU-trainable widths for 256×256 ISBI patches (1 in / 1 class): ResNet width 32 with blocks (1,2,1), '
      + '4 ViT layers of width 96 (4 heads, MLP 384), decoder (32,16,16,16); no pretraining',
    options: {
      imgSize: 256, inChannels: 1, classes: 1, hiddenSize: 96, mlpDim: 384, numHeads: 4, numLayers: 4, blockUnits: [1, 2, 1],
      widthFactor: 0.5, decoderChannels: [32, 16, 16, 16], nSkip: 3, dropoutRate: 0.1,
    },
    defaultInput: [256, 256], role: 'train',
  },
};
