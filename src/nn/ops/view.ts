/**
 * Reshape and concat whose gradients keep nothing alive. tfjs's own gradient configs save their inputs only to read
 * their shapes (Reshape saves x, Concat every input), so under a gradient tape each reshape keeps its input's data
 * until the backward pass, whether or not anything else needs it: in a network of many reshaped full-size maps
 * (U-Net++'s InstanceNorm as a transposed BatchNorm) that doubles what a training step holds at its peak. These record
 * one op whose gradient closes over the shapes (plain arrays) instead.
 */
import { tf, type Tensor } from '../../core/tf.js';

type CustomGradFn = Parameters<typeof tf.customGrad>[0];

/** tf.reshape(x, shape), differentiable, keeping no tensor for its gradient. */
export function view(x: Tensor, shape: number[]): Tensor {
  const inShape = x.shape;
  const op = tf.customGrad(((xIn: Tensor) => ({
    value: tf.reshape(xIn, shape),
    gradFunc: (dy: Tensor) => tf.reshape(dy, inShape),
  })) as unknown as CustomGradFn);
  return op(x) as Tensor;
}

/** tf.concat(xs, axis), differentiable (the gradient splits dy), keeping no tensor for its gradient. */
export function join(xs: Tensor[], axis: number): Tensor {
  if (xs.length === 1) return xs[0];
  const rank = xs[0].rank;
  const ax = axis < 0 ? axis + rank : axis;
  const sizes = xs.map((t) => t.shape[ax]);
  const op = tf.customGrad(((...args: Tensor[]) => ({
    value: tf.concat(args.slice(0, xs.length), ax),
    gradFunc: (dy: Tensor) => tf.split(dy, sizes, ax),
  })) as unknown as CustomGradFn);
  return op(...xs) as Tensor;
}
