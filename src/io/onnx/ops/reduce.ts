/** Reductions, matrix products and softmax (opset 17: ReduceMean/Max/Min take `axes` as an attribute, ReduceSum as an input). */
import type { Mapper } from './index.js';

const axesOf = (axis: unknown, rank: number): number[] => {
  const list = axis === undefined || axis === null ? Array.from({ length: rank }, (_, i) => i) : Array.isArray(axis) ? (axis as number[]) : [axis as number];
  return list.map((a) => (a < 0 ? a + rank : a));
};

const reduce = (op: string): Mapper => (g, n) => {
  const x = n.inputs.x;
  const axes = axesOf(n.attrs.axis, x.shape.length);
  const keepdims = n.attrs.keepDims ? 1 : 0;
  if (op === 'ReduceSum') g.node(op, [g.name(x), g.int64(axes)], { keepdims }, [g.name(n.outputs[0])]);
  else g.node(op, [g.name(x)], { axes, keepdims }, [g.name(n.outputs[0])]);
};

export const reduceMappers: Record<string, Mapper> = {
  Mean: reduce('ReduceMean'), Sum: reduce('ReduceSum'), Max: reduce('ReduceMax'), Min: reduce('ReduceMin'), Prod: reduce('ReduceProd'),
  BatchMatMul: (g, n) => {
    const swap = (name: string, rank: number) => g.transpose(name, [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2]);
    let a = g.name(n.inputs.a), b = g.name(n.inputs.b);
    if (n.attrs.transposeA) a = swap(a, n.inputs.a.shape.length);
    if (n.attrs.transposeB) b = swap(b, n.inputs.b.shape.length);
    g.node('MatMul', [a, b], {}, [g.name(n.outputs[0])]);
  },
  Softmax: (g, n) => {
    const rank = n.inputs.logits.shape.length;
    const dim = n.attrs.dim as number;
    g.node('Softmax', [g.name(n.inputs.logits)], { axis: dim < 0 ? dim + rank : dim }, [g.name(n.outputs[0])]);
  },
};
