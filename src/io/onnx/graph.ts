/**
 * The ONNX graph being built from a trace: nodes, initializers (the trace's constants and the mappers' own), and the
 * names of values. Names are given in order of first use (`v0`, `v1`, … for values, `c0`, … for constants), so two
 * traces of one network at different batch sizes build graphs that differ only where the batch size enters.
 */
import type { TraceValue } from './trace.js';

/** ONNX TensorProto.DataType codes used here. */
export const ONNX_DTYPE = { float32: 1, uint8: 2, int32: 6, int64: 7, bool: 9 } as const;
export type OnnxDType = keyof typeof ONNX_DTYPE;

export type AttrValue = number | string | number[] | { float: number } | { floats: number[] };

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, AttrValue>;
  /** The tfjs kernel this node maps (its node name and the export's error messages use it). */
  from: string;
}

export interface Initializer {
  name: string;
  dtype: OnnxDType;
  dims: number[];
  data: Float32Array | Int32Array | BigInt64Array | Uint8Array;
  /**
   * A shape-like int64 list whose entries may carry the batch size: a Reshape's target ('reshape', where one such entry
   * becomes −1) or a Tile's repeats ('ints', computed from the input's batch at run time).
   */
  shapeLike?: 'reshape' | 'ints';
}

export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: Initializer[] = [];
  private readonly names = new Map<number, string>();
  private readonly shapes = new Map<string, number[]>();
  private values = 0;
  /** The tfjs kernel being mapped (for node names and errors). */
  current = '';

  /** The name of a traced value (an initializer for a constant, made on first use). */
  name(v: TraceValue): string {
    let n = this.names.get(v.id);
    if (n === undefined) {
      if (v.data) {
        const dtype: OnnxDType = v.dtype === 'bool' ? 'bool' : v.dtype;
        n = this.initializer(dtype, v.shape, v.data);
      } else {
        n = `v${this.values++}`;
      }
      this.names.set(v.id, n);
      this.shapes.set(n, v.shape);
    }
    return n;
  }

  /** Names a traced value with a chosen name (the graph's input). */
  bind(v: TraceValue, name: string): void {
    this.names.set(v.id, name);
    this.shapes.set(name, v.shape);
  }

  /** The static shape of a named value, where known. */
  shapeOf(name: string): number[] | undefined {
    return this.shapes.get(name);
  }

  /** A fresh value name. */
  temp(): string {
    return `v${this.values++}`;
  }

  initializer(dtype: OnnxDType, dims: readonly number[], data: Initializer['data'], shapeLike?: Initializer['shapeLike']): string {
    const name = `c${this.initializers.length}`;
    this.initializers.push({ name, dtype, dims: [...dims], data, ...(shapeLike ? { shapeLike } : {}) });
    this.shapes.set(name, [...dims]);
    return name;
  }

  int64(values: readonly number[], shapeLike?: Initializer['shapeLike']): string {
    return this.initializer('int64', [values.length], BigInt64Array.from(values.map((v) => BigInt(v))), shapeLike);
  }

  scalar(value: number, dtype: 'float32' | 'int32' = 'float32'): string {
    return this.initializer(dtype, [], dtype === 'float32' ? Float32Array.of(value) : Int32Array.of(value));
  }

  /** Adds a node; returns its first output (a fresh name unless given). */
  node(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outputs: string[] = [this.temp()]): string {
    this.nodes.push({ op, inputs, outputs, attrs, from: this.current });
    return outputs[0];
  }

  /**
   * `x` permuted by `perm`. A constant is permuted here (a new initializer), so that weights reach the graph in
   * ONNX's layout; a value gets a Transpose node (ONNX Runtime folds the pairs around layout-changing nodes).
   */
  transpose(x: string, perm: readonly number[], out?: string): string {
    const init = this.initializers.find((i) => i.name === x);
    if (init && !out && (init.dtype === 'float32' || init.dtype === 'int32')) {
      const { dims, data } = permute(init.dims, init.data as Float32Array | Int32Array, perm);
      return this.initializer(init.dtype, dims, data);
    }
    const shape = this.shapes.get(x);
    const y = this.node('Transpose', [x], { perm: [...perm] }, out ? [out] : undefined);
    if (shape) this.shapes.set(y, perm.map((p) => shape[p]));
    return y;
  }
}

/** Channels-last → channels-first permutation for a rank (NHWC → NCHW, NDHWC → NCDHW). */
export const toChannelsFirst = (rank: number): number[] => [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)];
/** Channels-first → channels-last (NCHW → NHWC). */
export const toChannelsLast = (rank: number): number[] => [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1];

/** Row-major data of shape `dims` permuted by `perm` (numpy's transpose). */
export function permute<T extends Float32Array | Int32Array>(dims: readonly number[], data: T, perm: readonly number[]): { dims: number[]; data: T } {
  const rank = dims.length;
  const out = perm.map((p) => dims[p]);
  const inStrides = strides(dims);
  const res = new (data.constructor as new (n: number) => T)(data.length);
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < data.length; o++) {
    let src = 0;
    for (let k = 0; k < rank; k++) src += idx[k] * inStrides[perm[k]];
    res[o] = data[src];
    for (let k = rank - 1; k >= 0; k--) {
      if (++idx[k] < out[k]) break;
      idx[k] = 0;
    }
  }
  return { dims: out, data: res };
}

function strides(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length).fill(1);
  for (let k = dims.length - 2; k >= 0; k--) s[k] = s[k + 1] * dims[k + 1];
  return s;
}
