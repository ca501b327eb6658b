/** nnU-Net v2's PlainConvUNet (MIC-DKFZ/dynamic-network-architectures) as an `Architecture`. */
import type { Architecture } from '../architecture.js';
import { NnUNet } from './nnunet.js';
import { resolveNnUNetOptions, type NnUNetOptions, type ResolvedNnUNetOptions } from './options.js';
import { nnunetGeometry, nnunetParams, nnunetStages } from './plan.js';
import { nnunetPresets } from './presets.js';
import { nnunetOptionsFromWeights } from './from-weights.js';

/**
 * An nnU-Net v2 checkpoint's names onto this network's: PyTorch lists each conv and norm twice (`.conv` / `.norm` and
 * `.all_modules.0` / `.all_modules.1`) and the decoder repeats the encoder (`decoder.encoder.*`).
 */
export function nnunetForeignKey(key: string): string {
  return key.replace(/^module\./, '').replace(/^decoder\.encoder\./, 'encoder.').replace(/\.all_modules\.0\./, '.conv.').replace(/\.all_modules\.1\./, '.norm.');
}

export const nnunet: Architecture<ResolvedNnUNetOptions> = {
  name: 'nnunet',
  description: 'nnU-Net v2 (Isensee 2021) PlainConvUNet as dynamic-network-architectures builds it from a plan: per-stage kernels and strided convs, InstanceNorm, LeakyReLU 0.01, transposed convs, deep supervision',
  resolve: (o) => resolveNnUNetOptions(o as NnUNetOptions),
  create: (o) => new NnUNet(o),
  geometry: nnunetGeometry,
  stages: nnunetStages,
  params: nnunetParams,
  presets: nnunetPresets,
  foreignKey: nnunetForeignKey,
  optionsFromWeights: (shapes, where) => nnunetOptionsFromWeights(shapes, where) as Record<string, unknown> | null,
  tiny: { features: [2, 4, 4], convsPerStage: 1 },
};

export { NnUNet } from './nnunet.js';
export type { NnUNetOptions, ResolvedNnUNetOptions } from './options.js';
