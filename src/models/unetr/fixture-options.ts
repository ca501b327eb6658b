/** The variants.py fixtures' PyTorch keyword arguments (`UNETR(...)`) as this network's options (tests, diagnostics). */
import type { UNETROptions } from './options.js';

export function optionsFromFixture(k: Record<string, unknown>): UNETROptions {
  return {
    spatialDims: k.spatial_dims as 2 | 3, inChannels: k.in_channels as number, classes: k.out_channels as number,
    imgSize: k.img_size as number[], featureSize: k.feature_size as number, hiddenSize: k.hidden_size as number,
    mlpDim: k.mlp_dim as number, numHeads: k.num_heads as number,
  };
}
