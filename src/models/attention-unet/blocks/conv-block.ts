/** ConvBlock: (conv k×k stride s → BN → Dropout → ReLU) → (conv k×k → BN → Dropout → ReLU) — the first conv steps down. */
import type { Tensor } from '../../../core/tf.js';
import type { Rng } from '../../../core/rng.js';
import { Module, Sequence } from '../../../nn/module.js';
import { Conv } from '../../../nn/conv.js';
import { Dropout } from '../../../nn/dropout.js';
import type { ResolvedAttentionUNetOptions } from '../options.js';
import { batchNorm, ConvADN } from './conv-adn.js';

export class ConvBlock extends Module {
  private readonly convs: [ConvADN, ConvADN];

  /** MONAI layout `conv.{0,1}.conv.*`, `conv.{0,1}.adn.N.*`. Padding k // 2 ('same' at stride 1). */
  constructor(o: ResolvedAttentionUNetOptions, inC: number, outC: number, stride: number, rng: Rng, dropRng: Rng) {
    super();
    const d = o.spatialDims, k = o.kernelSize;
    const seq = this.child('conv', new Sequence());
    const unit = (cin: number, s: number) => new ConvADN(
      new Conv(d, cin, outC, k, s === 1 ? 'same' : Math.floor(k / 2), true, rng, s),
      { norm: batchNorm(outC), dropout: new Dropout(o.dropout, dropRng), act: 'relu' },
    );
    this.convs = [seq.add(0, unit(inC, stride)), seq.add(1, unit(outC, 1))];
  }

  apply(x: Tensor): Tensor {
    return this.convs[1].apply(this.convs[0].apply(x)); // [B, ...S/s, C_out]
  }
}
