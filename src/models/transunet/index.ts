/**
 * TransUNet (Chen et al. 2021; Beckschen/TransUNet `VisionTransformer(get_r50_b16_config())`) as an `Architecture`.
 * The paper's numbers rest on an ImageNet-21k-pretrained R50+ViT-B/16 encoder that is not available here; see
 * npz-keys.ts for loading the official checkpoint where a user has it.
 */
import type { Architecture } from '../architecture.js';
import { TransUNet } from './transunet.js';
import { resolveOptions, type ResolvedTransUNetOptions, type TransUNetOptions } from './options.js';
import { transunetGeometry, transunetParams, transunetStages } from './plan.js';
import { transunetPresets } from './presets.js';
import { loadNpzEncoder, transunetForeignKey } from './npz-keys.js';

export const transunet: Architecture<ResolvedTransUNetOptions> = {
  name: 'transunet',
  description: 'TransUNet (Chen 2021): R50-ViT-B/16 hybrid encoder, cascaded up-sampler with skips (Beckschen/TransUNet; ImageNet-21k pretraining not included)',
  resolve: (o) => resolveOptions(o as TransUNetOptions),
  create: (o) => new TransUNet(o),
  geometry: transunetGeometry,
  stages: transunetStages,
  params: transunetParams,
  presets: transunetPresets,
  foreignKey: transunetForeignKey,
  importPretrained: (net, npz, where) => loadNpzEncoder(net as TransUNet, npz, where),
  tiny: { imgSize: 32, classes: 2, hiddenSize: 8, mlpDim: 16, numHeads: 2, numLayers: 1, blockUnits: [1, 2, 1], widthFactor: 0.5, decoderChannels: [8, 4, 4, 4], nSkip: 3 },
};

export { TransUNet } from './transunet.js';
export { loadNpzEncoder, npzToStateDict, transunetForeignKey } from './npz-keys.js';
export type { TransUNetOptions, ResolvedTransUNetOptions } from './options.js';
