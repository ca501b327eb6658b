/** The Attention U-Net (Oktay 2018, as MONAI's `AttentionUnet`) as an `Architecture`. */
import type { Architecture } from '../architecture.js';
import { AttentionUNet } from './attention-unet.js';
import { resolveOptions, type AttentionUNetOptions, type ResolvedAttentionUNetOptions } from './options.js';
import { attentionUNetGeometry, attentionUNetStages, paramCount } from './plan.js';
import { attentionUNetPresets } from './presets.js';

export const attentionUNet: Architecture<ResolvedAttentionUNetOptions> = {
  name: 'attention-unet',
  description: 'Attention U-Net (Oktay et al. 2018) as MONAI builds it (monai.networks.nets.AttentionUnet): strided-conv encoder, additive attention gates on the skips, transposed-conv decoder; gate \'oktay\' for the paper\'s grid gate',
  resolve: (o) => resolveOptions(o as AttentionUNetOptions),
  create: (o) => new AttentionUNet(o),
  geometry: attentionUNetGeometry,
  stages: (o, input) => attentionUNetStages(o, input.length > 0 ? input : o.spatialDims === 2 ? [256, 256] : [96, 96, 96]),
  params: paramCount,
  presets: attentionUNetPresets,
  // MONAI's state-dict names are the network's own; a DataParallel `module.` prefix is dropped.
  foreignKey: (key) => key.replace(/^module\./, ''),
  tiny: { channels: [2, 4, 8], strides: [2, 2], dropout: 0.1 },
};

export { AttentionUNet } from './attention-unet.js';
export { fromMonai, type AttentionUNetOptions, type ResolvedAttentionUNetOptions } from './options.js';
