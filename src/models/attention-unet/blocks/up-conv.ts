/** UpConv: transposed conv k×k stride s (padding k // 2, output_padding s − 1: ×s exactly) → BN → ReLU. */
import type { Tensor } from '../../../core/tf.js';
import type { Rng } from '../../../core/rng.js';
import { Module } from '../../../nn/module.js';
import { ConvTranspose } from '../../../nn/conv.js';
import type { ResolvedAttentionUNetOptions } from '../options.js';
import { batchNorm, ConvADN } from './conv-adn.js';

export class UpConv extends Module {
  private readonly up: ConvADN;

  /** MONAI layout `up.conv.*` (weight [Cin, Cout, k…] in PyTorch), `up.adn.N.*`. MONAI's Dropout(0.0) here is omitted. */
  constructor(o: ResolvedAttentionUNetOptions, inC: number, outC: number, stride: number, rng: Rng) {
    super();
    const k = o.upKernelSize;
    const conv = new ConvTranspose(o.spatialDims, inC, outC, k, true, rng, { stride, padding: Math.floor(k / 2), outputPadding: stride - 1 });
    this.up = this.child('up', new ConvADN(conv, { norm: batchNorm(outC), act: 'relu' }));
  }

  apply(x: Tensor): Tensor {
    return this.up.apply(x); // [B, ...S·s, C_out]
  }
}
