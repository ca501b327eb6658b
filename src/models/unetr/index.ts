/** UNETR (Hatamizadeh et al. 2022; MONAI `UNETR`) as an `Architecture`. */
import type { Architecture } from '../architecture.js';
import { UNETR } from './unetr.js';
import { resolveOptions, type ResolvedUNETROptions, type UNETROptions } from './options.js';
import { unetrGeometry, unetrParams, unetrStages } from './plan.js';
import { unetrPresets } from './presets.js';

export const unetr: Architecture<ResolvedUNETROptions> = {
  name: 'unetr',
  description: 'UNETR (Hatamizadeh 2022; MONAI UNETR): ViT-B/16 encoder, skips from blocks 4/7/10, CNN decoder; input exactly imgSize',
  resolve: (o) => resolveOptions(o as UNETROptions),
  create: (o) => new UNETR(o),
  geometry: unetrGeometry,
  stages: unetrStages,
  params: unetrParams,
  presets: unetrPresets,
  notes: (o) => {
    const grid = o.imgSize.map((s) => s / 16);
    return {
      lines: [
        `${o.spatialDims}-D, ${o.inChannels} in → ${o.classes} out, input exactly ${o.imgSize.join('×')} (${grid.join('×')} tokens of hidden ${o.hiddenSize}), ${o.numHeads} heads, MLP ${o.mlpDim}, feature ${o.featureSize}`,
        `skips from transformer blocks 4, 7, 10 (before LayerNorm); ${o.resBlock ? 'residual' : 'basic'} conv blocks, ${o.norm} norm, LeakyReLU 0.01`,
      ],
      json: { tokens: grid, fixedInput: o.imgSize },
    };
  },
  tiny: { spatialDims: 2, imgSize: [32, 32], featureSize: 2, hiddenSize: 8, mlpDim: 8, numHeads: 2 },
};

export { UNETR } from './unetr.js';
export type { UNETROptions, ResolvedUNETROptions } from './options.js';
