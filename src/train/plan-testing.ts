/** A tiny hand-written plans.json for tests (test helper). */
import type { PlansFile } from './plan-recipe.js';

export const tinyPlans = (over: Record<string, unknown> = {}): PlansFile => ({
  format: 'unet-ts-plans', version: 1, fingerprint: {},
  configurations: {
    '3d_fullres': {
      spatialDims: 3, spacing: [1, 1, 1], medianShape: [36, 50, 35], patch: [16, 16, 16], batch: 2,
      normalization: [{ scheme: 'zscore', useMask: false }],
      network: { arch: 'nnunet', options: { spatialDims: 3, inChannels: 1, classes: 3, features: [4, 8, 16], kernels: [[3, 3, 3], [3, 3, 3], [3, 3, 3]], strides: [[1, 1, 1], [2, 2, 2], [2, 2, 2]], convsPerStage: 2, deepSupervision: true } },
      explanation: ['hand-written for tests'], ...over,
    },
  },
});
