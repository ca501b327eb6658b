/** DoubleConv: (conv 3×3 → norm → ReLU) × 2 — the unit of every U-Net level. */
import { tf, type Tensor } from '../../../core/tf.js';
import type { Rng } from '../../../core/rng.js';
import { Module, Sequence } from '../../../nn/module.js';
import { Conv } from '../../../nn/conv.js';
import { makeNorm, type Norm } from '../../../nn/norm.js';
import type { ResolvedUNetOptions } from '../options.js';

export class DoubleConv extends Module {
  private readonly convs: [Conv, Conv];
  private readonly norms: [Norm | undefined, Norm | undefined];

  /** PyTorch layout `conv.{0,1,3,4}` with a norm (conv, norm, ReLU, conv, norm, ReLU), `conv.{0,2}` without. */
  constructor(o: ResolvedUNetOptions, inC: number, midC: number, outC: number, rng: Rng) {
    super();
    const seq = this.child('conv', new Sequence());
    const normOpts = { affine: o.normAffine, eps: o.normEps, momentum: o.normMomentum, groups: o.normGroups };
    const stride = o.norm === 'none' ? 2 : 3; // modules per (conv, [norm], ReLU)
    const c1 = seq.add(0, new Conv(o.spatialDims, inC, midC, 3, o.padding, o.convBias, rng));
    const n1 = makeNorm(o.norm, midC, normOpts);
    if (n1) seq.add(1, n1);
    const c2 = seq.add(stride, new Conv(o.spatialDims, midC, outC, 3, o.padding, o.convBias, rng));
    const n2 = makeNorm(o.norm, outC, normOpts);
    if (n2) seq.add(stride + 1, n2);
    this.convs = [c1, c2];
    this.norms = [n1, n2];
  }

  apply(x: Tensor): Tensor {
    return tf.tidy(() => {
      let h = x;
      for (let i = 0; i < 2; i++) {
        h = this.convs[i].apply(h); // [B, ...S', C_i]  (S' = S − 2 with valid padding)
        const n = this.norms[i];
        h = n ? n.apply(h, true) : tf.relu(h); // norm → ReLU, fused where the backend can
      }
      return h;
    });
  }
}
