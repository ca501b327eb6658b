/** Test inputs (used by *.test.ts only) that a PyTorch script can rebuild exactly, so expected values can be pasted. */
import { tf } from '../core/tf.js';

/** sin(a·i + b) over a shape, i the row-major index: `torch.tensor([math.sin(a*i + b) for i in range(n)]).reshape(shape)`. */
export function sinSeq(shape: number[], a: number, b: number): tf.Tensor {
  const n = shape.reduce((p, q) => p * q, 1);
  return tf.tensor(Float32Array.from({ length: n }, (_, i) => Math.sin(a * i + b)), shape);
}
