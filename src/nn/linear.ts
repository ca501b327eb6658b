/**
 * `Linear` (PyTorch's `nn.Linear`): y = x·Wᵀ + b over the last axis of a tensor of any rank, [..., in] → [..., out].
 * The weight is stored as PyTorch stores it, [out, in] (so state dicts map one-to-one, and `src/io/weights.ts` leaves
 * rank-2 tensors as they are), and applied with a transposed matmul on a 2-D view of x.
 */
import { tf, type Tensor, type Variable } from '../core/tf.js';
import type { Rng } from '../core/rng.js';
import { Module } from './module.js';
import { uniformFanIn } from './init.js';

export class Linear extends Module {
  /** [out, in], PyTorch's layout. */
  readonly weight: Variable;
  /** [out]. */
  readonly bias?: Variable;

  /** PyTorch's default init: weight and bias both U(−1/√in, 1/√in) (kaiming_uniform with a = √5), from `rng`. */
  constructor(readonly inFeatures: number, readonly outFeatures: number, bias: boolean, rng: Rng) {
    super();
    if (!(Number.isInteger(inFeatures) && inFeatures > 0 && Number.isInteger(outFeatures) && outFeatures > 0)) {
      throw new Error(`Linear: features must be positive integers, got in ${inFeatures}, out ${outFeatures}`);
    }
    this.weight = this.param('weight', uniformFanIn(rng, [outFeatures, inFeatures], inFeatures));
    if (bias) this.bias = this.param('bias', uniformFanIn(rng, [outFeatures], inFeatures));
  }

  /** [..., in] → [..., out]. */
  apply(x: Tensor): Tensor {
    const last = x.shape[x.rank - 1];
    if (last !== this.inFeatures) throw new Error(`Linear: input has ${last} features on its last axis, the layer takes ${this.inFeatures} (shape [${x.shape}])`);
    return tf.tidy(() => {
      const flat = x.rank === 2 ? x : tf.reshape(x, [-1, this.inFeatures]);       // [N, in]
      let y = tf.matMul(flat, this.weight, false, true);                           // [N, out]
      if (this.bias) y = tf.add(y, this.bias);
      return x.rank === 2 ? y : tf.reshape(y, [...x.shape.slice(0, -1), this.outFeatures]); // [..., out]
    });
  }
}
