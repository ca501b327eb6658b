/**
 * ConvADN: conv → [norm] → [dropout] → [activation] — MONAI's `Convolution` block, with its state-dict names
 * `conv.{weight,bias}`, `adn.N.*` (the norm) and `adn.A.weight` (a PReLU's slope); the dropout has no parameters.
 */
import { tf, type Tensor } from '../../../core/tf.js';
import { Module } from '../../../nn/module.js';
import type { Conv, ConvTranspose } from '../../../nn/conv.js';
import type { Norm } from '../../../nn/norm.js';
import type { Dropout } from '../../../nn/dropout.js';
import { PReLU } from '../../../nn/activation.js';

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
      let h = this.conv.apply(x); // [B, ...S', C_out]
      const relu = this.act === 'relu';
      if (this.norm) h = this.norm.apply(h, relu); // norm → ReLU, fused where the backend can
      else if (relu) h = tf.relu(h);
      // Dropout after the ReLU equals MONAI's norm → dropout → ReLU: the mask scales by 0 or 1/(1 − p) ≥ 0, and
      // ReLU and PReLU are positively homogeneous (f(m·v) = m·f(v) for m ≥ 0).
      if (this.dropout) h = this.dropout.apply(h);
      if (this.act instanceof PReLU) h = this.act.apply(h);
      return h;
    });
  }
}
