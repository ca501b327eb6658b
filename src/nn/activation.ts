/**
 * Activations with parameters, PyTorch's names and semantics, channels-last.
 *
 * `PReLU` (`nn.PReLU`): y = x where x > 0, a·x elsewhere, with one learned slope a shared by every channel
 * (num_parameters = 1, PyTorch's default, MONAI's Attention U-Net) or one per channel (num_parameters = C, the last
 * axis); `weight` [num_parameters], initialised to 0.25.
 */
import { tf, type Tensor, type Variable } from '../core/tf.js';
import { Module } from './module.js';

/**
 * prelu(x, a) = max(x, 0) + a·min(x, 0) for a of shape [1] or [C] (C = x's last axis), with PyTorch's gradients:
 * ∂/∂x = 1 where x > 0 and a elsewhere (a at x = 0, as PyTorch), ∂/∂a = Σ dy·min(x, 0) over every axis but the
 * channel's. Built from the ops the native backend runs in one pass each (relu, sub, mul, add, step, sum): tfjs's own
 * `tf.prelu` broadcasts the slope with the generic CPU kernel and was 5–7× slower per training step at 4×256²×16.
 */
export function prelu(x: Tensor, slope: Tensor): Tensor {
  const c = x.shape[x.rank - 1];
  if (slope.rank !== 1 || (slope.size !== 1 && slope.size !== c)) {
    throw new Error(`prelu: the slope must have shape [1] or [${c}] (x's channels), got [${slope.shape}]`);
  }
  const op = tf.customGrad(((xIn: Tensor, a: Tensor, save: tf.GradSaveFunc) => {
    const pos = tf.relu(xIn); // max(x, 0)
    const neg = tf.sub(xIn, pos); // min(x, 0), exactly
    save([xIn, neg, a]);
    return {
      value: tf.add(pos, tf.mul(neg, a)), // exactly x where x > 0, a·x elsewhere
      gradFunc: (dy: Tensor, [sx, sneg, sa]: Tensor[]) => {
        const slopeAt = tf.add(tf.mul(tf.step(sx), tf.sub(1, sa)), sa); // 1 where x > 0, a elsewhere
        const prod = tf.mul(dy, sneg);
        const da = sa.size === 1 ? tf.reshape(tf.sum(prod), sa.shape) : tf.sum(tf.reshape(prod, [-1, sa.size]), 0);
        return [tf.mul(dy, slopeAt), da];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, slope) as Tensor;
}

/** `nn.PReLU(num_parameters, init)`: state-dict key `weight` [num_parameters]. */
export class PReLU extends Module {
  readonly weight: Variable;

  /** `numParameters`: 1 (one slope for every channel, PyTorch's default) or the channel count. Default 1. */
  constructor(readonly numParameters = 1, init = 0.25) {
    super();
    if (!Number.isInteger(numParameters) || numParameters < 1) throw new Error(`PReLU: numParameters must be an integer ≥ 1, got ${numParameters}`);
    this.weight = this.param('weight', tf.fill([numParameters], init));
  }

  apply(x: Tensor): Tensor {
    return prelu(x, this.weight);
  }
}
