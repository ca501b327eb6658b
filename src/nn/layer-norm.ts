/**
 * `LayerNorm` (PyTorch's `nn.LayerNorm(dim, eps)` with its elementwise affine): normalises each vector along the last
 * axis, y = (x − μ)/√(σ² + ε)·weight + bias, for a tensor [..., dim] of any rank. The normalisation is the shared
 * `normalize` op (one recorded op with its analytic gradient); weight starts at ones, bias at zeros.
 */
import { tf, type Tensor, type Variable } from '../core/tf.js';
import { Module } from './module.js';
import { normalize } from './ops/normalize.js';
import { perChannel } from './ops/channel.js';

export class LayerNorm extends Module {
  /** [dim], ones. */
  readonly weight: Variable;
  /** [dim], zeros. */
  readonly bias: Variable;

  /** `eps` default 1e-5, as PyTorch's. */
  constructor(readonly dim: number, readonly eps = 1e-5) {
    super();
    if (!(Number.isInteger(dim) && dim > 0)) throw new Error(`LayerNorm: dim must be a positive integer, got ${dim}`);
    this.weight = this.param('weight', tf.ones([dim]));
    this.bias = this.param('bias', tf.zeros([dim]));
  }

  /** [..., dim] → [..., dim]. */
  apply(x: Tensor): Tensor {
    const last = x.shape[x.rank - 1];
    if (last !== this.dim) throw new Error(`LayerNorm: input has ${last} features on its last axis, the layer normalises ${this.dim} (shape [${x.shape}])`);
    return tf.tidy(() => {
      const { y, mean, variance } = normalize(x, [x.rank - 1], this.eps);
      tf.dispose([mean, variance]); // kept by normalize for callers that want statistics; LayerNorm does not
      return perChannel(y, this.weight, this.bias); // [..., dim]
    });
  }
}
