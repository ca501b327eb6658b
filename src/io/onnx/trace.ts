/**
 * Records what a forward pass computes as a list of tfjs kernels: the network runs once on an example input under a
 * hook on the engine's `runKernel`, on the stock `cpu` backend (so only tfjs's own kernels appear, never the native
 * backend's fused ones). Every kernel whose inputs are all independent of the network input (weights, a BatchNorm's
 * scale from its running statistics, a weight standardisation) is folded: its output is kept as a constant, read
 * when a kernel that depends on the input first uses it. What remains is the data path, in execution order.
 */
import { tf, type Tensor } from '../../core/tf.js';
import type { SegmentationNet } from '../../models/types.js';

/** The library's fused linear resize (src/nn/ops/resize.ts): inputs {x}, attrs {size, alignCorners}. */
export const RESIZE_KERNEL = 'UnetResizeLinear';

export type DType = 'float32' | 'int32' | 'bool';

/** A value of the traced graph: the network input, a kernel's output, or a constant. */
export interface TraceValue {
  readonly id: number;
  readonly shape: number[];
  readonly dtype: DType;
  /** The constant's elements (row-major); undefined for values that depend on the input. */
  readonly data?: Float32Array | Int32Array | Uint8Array;
}

export interface TraceNode {
  readonly kernel: string;
  /** Inputs by the kernel's own names (`x`, `filter`, …); tensor lists (Concat, Pack) as `name.0`, `name.1`, …. */
  readonly inputs: Record<string, TraceValue>;
  readonly outputs: TraceValue[];
  readonly attrs: Record<string, unknown>;
}

export interface Trace {
  readonly input: TraceValue;
  readonly output: TraceValue;
  readonly nodes: TraceNode[];
}

/**
 * Kernels recorded even on constants: their attributes may carry the batch size (GroupNorm tiles γ and β per sample),
 * which a folded constant would fix; recorded, the exporter can make them follow the batch axis.
 */
const NEVER_FOLD = new Set(['Tile']);

type Shape4 = [number, number, number, number];
type Shape5 = [number, number, number, number, number];
type Pad = 'same' | 'valid' | number;

/** The output shape of each kernel the trace runs shape-only on traced values. */
const SHAPE_ONLY: Record<string, (inputs: Record<string, tf.TensorInfo>, attrs: Record<string, unknown>) => number[]> = {
  Conv2D: ({ x, filter }, a) => tf.backend_util.computeConv2DInfo(x.shape as Shape4, filter.shape as Shape4, a.strides as number, a.dilations as number, a.pad as Pad,
    a.dimRoundingMode as 'floor' | undefined, false, a.dataFormat === 'NCHW' ? 'channelsFirst' : 'channelsLast').outShape,
  Conv3D: ({ x, filter }, a) => tf.backend_util.computeConv3DInfo(x.shape as Shape5, filter.shape as Shape5, a.strides as number, a.dilations as number, a.pad as Pad).outShape,
  Conv2DBackpropInput: (_, a) => [...(a.inputShape as number[])],
  Conv3DBackpropInputV2: (_, a) => [...(a.inputShape as number[])],
};

/** Traces `net.forward` (eval mode, `cpu` backend) on a zero-free example input of `shape` (channels-last). */
export function traceForward(net: SegmentationNet & { training?: boolean; train?(mode: boolean): unknown }, shape: readonly number[]): Trace {
  const engine = tf.engine();
  const previous = tf.getBackend();
  // tfjs's cpu backend initialises synchronously: setBackend has switched when it returns (its promise only reports it).
  if (previous !== 'cpu') void tf.setBackend('cpu');
  if (tf.getBackend() !== 'cpu') throw new Error(`unet: error: ONNX export traces on the cpu backend, which failed to initialise (the backend is ${tf.getBackend()})`);
  const wasTraining = net.training;
  net.train?.(false);
  const dynamic = new Map<number, TraceValue>(); // tensor id → value, for values that depend on the input
  const constants = new Map<number, TraceValue>();
  const nodes: TraceNode[] = [];
  // The library's linear resize runs as one kernel where a backend has it (resize.ts); on cpu it is a gather along D
  // with taps computed for the traced size, which would fix a 3-D graph to it. A stand-in kernel for the trace (its
  // output is shaped right but zero: a traced value is never read) records it as one node that ONNX's Resize maps.
  const standIn = !tf.getKernel(RESIZE_KERNEL, 'cpu');
  if (standIn) {
    tf.registerKernel({
      kernelName: RESIZE_KERNEL, backendName: 'cpu',
      kernelFunc: ({ inputs, attrs, backend }) => {
        const x = (inputs as { x: tf.TensorInfo }).x;
        const shape = [x.shape[0], ...(attrs as unknown as { size: number[] }).size, x.shape[x.shape.length - 1]];
        return (backend as unknown as { makeTensorInfo(s: number[], d: string, v: Float32Array): tf.TensorInfo }).makeTensorInfo(shape, 'float32', new Float32Array(shape.reduce((a, b) => a * b, 1)));
      },
    });
  }
  // Convolutions on traced values run as shape-only stand-ins (zeros of the right shape): a traced value is never read,
  // so the trace of a 3-D network costs its shape bookkeeping, not its convolutions. On constants they run as they are.
  const dynamicData = new Set<unknown>();
  const restore: tf.KernelConfig[] = [];
  for (const [name, outShape] of Object.entries(SHAPE_ONLY)) {
    const kernel = tf.getKernel(name, 'cpu');
    if (!kernel) continue;
    tf.unregisterKernel(name, 'cpu');
    restore.push(kernel);
    tf.registerKernel({
      kernelName: name, backendName: 'cpu',
      kernelFunc: (args) => {
        const ins = Object.values(args.inputs) as tf.TensorInfo[];
        if (!ins.some((t) => dynamicData.has(t.dataId))) return kernel.kernelFunc(args);
        const shape = outShape(args.inputs as Record<string, tf.TensorInfo>, args.attrs as Record<string, unknown>);
        return (args.backend as unknown as { makeTensorInfo(s: number[], d: string, v: Float32Array): tf.TensorInfo }).makeTensorInfo(shape, 'float32', new Float32Array(shape.reduce((a, b) => a * b, 1)));
      },
    });
  }
  const original = engine.runKernel;
  let x: Tensor | undefined;
  let result: TraceNode['outputs'][number] | undefined;
  const valueOf = (t: Tensor): TraceValue | undefined => dynamic.get(t.id);
  const constantOf = (t: Tensor): TraceValue => {
    let c = constants.get(t.id);
    if (!c) {
      const data = t.dataSync() as Float32Array | Int32Array | Uint8Array;
      c = { id: -(constants.size + 1), shape: [...t.shape], dtype: t.dtype as DType, data: data.slice() };
      constants.set(t.id, c);
    }
    return c;
  };
  engine.runKernel = function (this: typeof engine, kernel: string, inputs: Record<string, Tensor | Tensor[]>, attrs: Record<string, unknown>) {
    const out = original.call(this, kernel, inputs as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as Tensor | Tensor[];
    const flat: [string, Tensor][] = [];
    // Concat and Pack pass their tensors as an array in place of the map.
    const named = Array.isArray(inputs) ? { tensors: inputs as Tensor[] } : inputs;
    for (const [name, v] of Object.entries(named)) {
      if (Array.isArray(v)) v.forEach((t, i) => flat.push([`${name}.${i}`, t]));
      else if (v) flat.push([name, v]);
    }
    if (flat.some(([, t]) => dynamic.has(t.id)) || NEVER_FOLD.has(kernel)) {
      const ins: Record<string, TraceValue> = {};
      for (const [name, t] of flat) ins[name] = valueOf(t) ?? constantOf(t);
      const outs = (Array.isArray(out) ? out : [out]).map((t) => {
        const v: TraceValue = { id: t.id, shape: [...t.shape], dtype: t.dtype as DType };
        dynamic.set(t.id, v);
        dynamicData.add(t.dataId);
        return v;
      });
      nodes.push({ kernel, inputs: ins, outputs: outs, attrs: { ...(attrs ?? {}) } });
    }
    return out;
  } as typeof engine.runKernel;
  try {
    tf.tidy(() => {
      const n = shape.reduce((a, b) => a * b, 1);
      // A deterministic, zero-free, non-constant example: the values do not matter to the trace, only the shapes.
      x = tf.tensor(Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) + 0.01), [...shape]);
      dynamic.set(x.id, { id: x.id, shape: [...shape], dtype: 'float32' });
      dynamicData.add(x.dataId);
      const y = net.forward(x);
      result = dynamic.get(y.id);
      if (!result) throw new Error('unet: error: ONNX export: the network output does not depend on its input (nothing to export)');
    });
  } finally {
    engine.runKernel = original;
    if (standIn) tf.unregisterKernel(RESIZE_KERNEL, 'cpu');
    for (const k of restore) {
      tf.unregisterKernel(k.kernelName, 'cpu');
      tf.registerKernel(k);
    }
    if (wasTraining !== undefined) net.train?.(wasTraining);
    if (previous !== 'cpu') void tf.setBackend(previous);
  }
  return { input: dynamic.get(x!.id)!, output: result!, nodes };
}
