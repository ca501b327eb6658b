/** StdConv: conv with a weight-standardised filter, (w − mean) / √(var + 1e-5) per output filter (biased var), no bias. */
import { tf, type Tensor, type Variable } from '../../../core/tf.js';
import type { Rng } from '../../../core/rng.js';
import { Module } from '../../../nn/module.js';
import { spatialOps } from '../../../nn/factory.js';
import { uniformFanIn } from '../../../nn/init.js';
import { normalize } from '../../../nn/ops/normalize.js';

/** ε of the weight standardisation (upstream's StdConv2d). */
export const STD_EPS = 1e-5;

const ops = spatialOps(2);

/**
 * Beckschen's `StdConv2d` (BiT's weight standardisation): 2-D, k×k, stride s, PyTorch integer padding p; weight
 * [k, k, Cin, Cout] (PyTorch [Cout, Cin, k, k] in the state dict), standardised over (k, k, Cin) for each Cout on every
 * call, so the gradient flows through the standardisation (one recorded op, `normalize`).
 */
export class StdConv extends Module {
  readonly weight: Variable;

  constructor(readonly inChannels: number, readonly outChannels: number, readonly kernel: number, readonly stride: number,
              readonly padding: number, rng: Rng) {
    super();
    this.weight = this.param('weight', uniformFanIn(rng, [kernel, kernel, inChannels, outChannels], inChannels * kernel * kernel));
  }

  apply(x: Tensor): Tensor {
    const { y: w, mean, variance } = normalize(this.weight, [0, 1, 2], STD_EPS); // [k, k, Cin, Cout]
    mean.dispose();
    variance.dispose();
    return tf.tidy(() => {
      const out = ops.conv(x, w, this.padding, this.stride); // [B, ⌊(H + 2p − k)/s⌋ + 1, …, Cout]
      w.dispose();
      return out;
    });
  }
}
