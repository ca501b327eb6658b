/**
 * Element-wise kernels: tfjs and ONNX broadcast alike (numpy rules), so each is one node or a short chain, in the
 * channels-last layout the trace has.
 */
import type { Mapper } from './index.js';

const binary = (op: string): Mapper => (g, n) => {
  g.node(op, [g.name(n.inputs.a), g.name(n.inputs.b)], {}, [g.name(n.outputs[0])]);
};

const unary = (op: string): Mapper => (g, n) => {
  g.node(op, [g.name(n.inputs.x)], {}, [g.name(n.outputs[0])]);
};

export const elementwiseMappers: Record<string, Mapper> = {
  Add: binary('Add'), Sub: binary('Sub'), Multiply: binary('Mul'), RealDiv: binary('Div'), Pow: binary('Pow'),
  Maximum: binary('Max'), Minimum: binary('Min'), Greater: binary('Greater'), Less: binary('Less'), Equal: binary('Equal'),
  GreaterEqual: binary('GreaterOrEqual'), LessEqual: binary('LessOrEqual'), LogicalAnd: binary('And'), LogicalOr: binary('Or'),
  Relu: unary('Relu'), Sigmoid: unary('Sigmoid'), Tanh: unary('Tanh'), Exp: unary('Exp'), Log: unary('Log'), Sqrt: unary('Sqrt'),
  Erf: unary('Erf'), Neg: unary('Neg'), Abs: unary('Abs'), Floor: unary('Floor'), Ceil: unary('Ceil'), Round: unary('Round'),
  Elu: unary('Elu'), Reciprocal: unary('Reciprocal'), Identity: unary('Identity'), Sign: unary('Sign'),
  LogicalNot: unary('Not'), Softplus: unary('Softplus'),
  Rsqrt: (g, n) => {
    g.node('Reciprocal', [g.node('Sqrt', [g.name(n.inputs.x)])], {}, [g.name(n.outputs[0])]);
  },
  Square: (g, n) => {
    const x = g.name(n.inputs.x);
    g.node('Mul', [x, x], {}, [g.name(n.outputs[0])]);
  },
  SquaredDifference: (g, n) => {
    const d = g.node('Sub', [g.name(n.inputs.a), g.name(n.inputs.b)]);
    g.node('Mul', [d, d], {}, [g.name(n.outputs[0])]);
  },
  LeakyRelu: (g, n) => {
    g.node('LeakyRelu', [g.name(n.inputs.x)], { alpha: { float: n.attrs.alpha as number } }, [g.name(n.outputs[0])]);
  },
  Prelu: (g, n) => {
    g.node('PRelu', [g.name(n.inputs.x), g.name(n.inputs.alpha)], {}, [g.name(n.outputs[0])]);
  },
  /** tfjs's Step: 1 where x > 0, else alpha. */
  Step: (g, n) => {
    const x = g.name(n.inputs.x);
    const positive = g.node('Greater', [x, g.scalar(0)]);
    g.node('Where', [positive, g.scalar(1), g.scalar(n.attrs.alpha as number)], {}, [g.name(n.outputs[0])]);
  },
  Relu6: (g, n) => {
    g.node('Clip', [g.name(n.inputs.x), g.scalar(0), g.scalar(6)], {}, [g.name(n.outputs[0])]);
  },
  ClipByValue: (g, n) => {
    g.node('Clip', [g.name(n.inputs.x), g.scalar(n.attrs.clipValueMin as number), g.scalar(n.attrs.clipValueMax as number)], {}, [g.name(n.outputs[0])]);
  },
  Select: (g, n) => {
    g.node('Where', [g.name(n.inputs.condition), g.name(n.inputs.t), g.name(n.inputs.e)], {}, [g.name(n.outputs[0])]);
  },
};
