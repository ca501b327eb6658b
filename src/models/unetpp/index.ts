/** U-Net++ (Zhou 2018) as MONAI's `BasicUNetPlusPlus`, as an `Architecture`. */
import type { Architecture } from '../architecture.js';
import { UNetPlusPlus } from './unetpp.js';
import { resolveUNetPPOptions, type ResolvedUNetPPOptions, type UNetPPOptions } from './options.js';
import { unetppGeometry, unetppParams, unetppStages } from './plan.js';
import { unetppPresets } from './presets.js';

export const unetpp: Architecture<ResolvedUNetPPOptions> = {
  name: 'unetpp',
  description: 'U-Net++ (Zhou 2018, nested dense skips, deep supervision, pruning) as MONAI’s BasicUNetPlusPlus: InstanceNorm, LeakyReLU 0.1, transposed up-convolutions',
  resolve: (o) => resolveUNetPPOptions(o as UNetPPOptions),
  create: (o) => new UNetPlusPlus(o),
  geometry: unetppGeometry,
  stages: unetppStages,
  params: unetppParams,
  presets: unetppPresets,
  tiny: { features: [2, 2, 2, 2, 2, 2], deepSupervision: true, dropout: 0.1 },
};

export { UNetPlusPlus } from './unetpp.js';
export type { UNetPPOptions, ResolvedUNetPPOptions, UNetPPInference } from './options.js';
