/**
 * ConvADN: conv → [norm] → [dropout] → [activation] — MONAI's `Convolution` block, with its state-dict names
 * `conv.{weight,bias}`, `adn.N.*` (the norm) and `adn.A.weight` (a PReLU's slope); the dropout has no parameters.
 */
import { tf, type Tensor } from '../../../core/tf.js';
import { Module } from '../../../nn/module.js';
import type { Conv, ConvTranspose } from '../../../nn/conv.js';
import { BatchNorm, InstanceNorm, type Norm } from '../../../nn/norm.js';
import type { Dropout } from '../../../nn/dropout.js';
import { PReLU } from '../../../nn/activation.js';

/** MONAI's (PyTorch's) BatchNorm momentum; every BatchNorm of this network is made by `batchNorm` with it. */
const BN_MOMENTUM = 0.1;

/** BatchNorm with PyTorch's defaults (ε 1e-5, momentum 0.1, affine), as MONAI's `Norm.BATCH`. */
export const batchNorm = (channels: number): BatchNorm => new BatchNorm(channels, { eps: 1e-5, momentum: BN_MOMENTUM });

/**
 * norm(conv(x)) (ReLU fused when asked), without adding the conv's bias where the norm cancels it: InstanceNorm
 * always (it subtracts each sample's own mean, train and eval alike), BatchNorm in training (it subtracts the batch
 * mean). Same output, one broadcast add and its gradient's reduction fewer per layer. No gradient reaches the bias
 * then (PyTorch's is zero up to round-off), and a training step (src/train/step.ts) leaves it as it is. A training
 * BatchNorm's running mean tracks mean(conv(x) + b), so b·momentum is added back to it; in eval mode BatchNorm uses
 * its running statistics and the bias is added. (GroupNorm would not cancel a per-channel bias: not folded.)
 */
export function normAfterConv(conv: Conv | ConvTranspose, norm: Norm, x: Tensor, relu: boolean): Tensor {
  const bias = conv.bias;
  const fold = bias !== undefined && (norm instanceof InstanceNorm || (norm instanceof BatchNorm && norm.training));
  const h = norm.apply(conv.apply(x, !fold), relu);
  if (fold && norm instanceof BatchNorm) tf.tidy(() => { norm.runningMean.assign(tf.add(norm.runningMean, tf.mul(bias, BN_MOMENTUM))); });
  return h;
}

/** MONAI's `adn` container: children named `N`, `D`, `A`. */
class Adn extends Module {
  set<M extends Module>(name: 'N' | 'D' | 'A', m: M): M {
    return this.child(name, m);
  }
}

export interface AdnParts {
  norm?: Norm;
  dropout?: Dropout;
  /** 'relu' (no parameters) or a PReLU module (`adn.A.weight`). */
  act?: 'relu' | PReLU;
}

export class ConvADN extends Module {
  private readonly conv: Conv | ConvTranspose;
  private readonly norm?: Norm;
  private readonly dropout?: Dropout;
  private readonly act?: 'relu' | PReLU;

  constructor(conv: Conv | ConvTranspose, parts: AdnParts = {}) {
    super();
    this.conv = this.child('conv', conv);
    this.norm = parts.norm;
    this.dropout = parts.dropout;
    this.act = parts.act;
    if (parts.norm || parts.dropout || parts.act instanceof PReLU) {
      const adn = this.child('adn', new Adn());
      if (parts.norm) adn.set('N', parts.norm);
      if (parts.dropout) adn.set('D', parts.dropout);
      if (parts.act instanceof PReLU) adn.set('A', parts.act);
    }
  }

  apply(x: Tensor): Tensor {
    return tf.tidy(() => {
      const relu = this.act === 'relu';
      let h: Tensor;
      if (this.norm) h = normAfterConv(this.conv, this.norm, x, relu); // [B, ...S', C_out]: conv → norm → ReLU, fused where the backend can
      else {
        h = this.conv.apply(x); // [B, ...S', C_out]
        if (relu) h = tf.relu(h);
      }
      // Dropout after the ReLU equals MONAI's norm → dropout → ReLU: the mask scales by 0 or 1/(1 − p) ≥ 0, and
      // ReLU and PReLU are positively homogeneous (f(m·v) = m·f(v) for m ≥ 0).
      if (this.dropout) h = this.dropout.apply(h);
      if (this.act instanceof PReLU) h = this.act.apply(h);
      return h;
    });
  }
}
