/** Kernels that move elements without arithmetic: reshapes, transposes, concatenation, slices, gathers, tiling, padding, casts. */
import { ONNX_DTYPE } from '../graph.js';
import type { Mapper } from './index.js';

const axisOf = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);

export const shapeMappers: Record<string, Mapper> = {
  Reshape: (g, n) => {
    // The output's static shape (tfjs resolves −1 before the kernel runs); a dynamic-batch export puts −1 back.
    g.node('Reshape', [g.name(n.inputs.x), g.int64(n.outputs[0].shape, 'reshape')], {}, [g.name(n.outputs[0])]);
  },
  Transpose: (g, n) => {
    g.transpose(g.name(n.inputs.x), n.attrs.perm as number[], g.name(n.outputs[0]));
  },
  Concat: (g, n) => {
    const parts = Object.keys(n.inputs).filter((k) => k.startsWith('tensors.')).sort((a, b) => Number(a.slice(8)) - Number(b.slice(8)));
    const rank = n.outputs[0].shape.length;
    const values = parts.map((k) => n.inputs[k]).filter((v) => v.shape.reduce((a, b) => a * b, 1) > 0);
    const axis = axisOf(Array.isArray(n.attrs.axis) ? (n.attrs.axis as number[])[0] : (n.attrs.axis as number), rank);
    // One value between blocks of zeros (`padAxisZeros`: a zero pad as one concat) is an ONNX Pad, whose zeros
    // follow the batch size where constant blocks of zeros would fix it.
    const dynamic = values.filter((v) => !v.data);
    if (dynamic.length === 1 && values.length > 1 && values.every((v) => !v.data || v.data.every((e) => e === 0))) {
      const at = values.indexOf(dynamic[0]);
      const size = (vs: typeof values) => vs.reduce((t, v) => t + v.shape[axis], 0);
      const pads = Array<number>(2 * rank).fill(0);
      pads[axis] = size(values.slice(0, at));
      pads[rank + axis] = size(values.slice(at + 1));
      g.node('Pad', [g.name(dynamic[0]), g.int64(pads)], { mode: 'constant' }, [g.name(n.outputs[0])]);
      return;
    }
    const inputs = values.map((v) => g.name(v));
    if (inputs.length === 1) g.node('Identity', inputs, {}, [g.name(n.outputs[0])]);
    else g.node('Concat', inputs, { axis }, [g.name(n.outputs[0])]);
  },
  Slice: (g, n) => {
    const x = n.inputs.x;
    const rank = x.shape.length;
    const begin = Array.isArray(n.attrs.begin) ? (n.attrs.begin as number[]) : [n.attrs.begin as number];
    const size = Array.isArray(n.attrs.size) ? (n.attrs.size as number[]) : [n.attrs.size as number];
    const starts: number[] = [], ends: number[] = [], axes: number[] = [];
    for (let a = 0; a < rank; a++) {
      const b = begin[a] ?? 0;
      const s = size[a] === undefined || size[a] === -1 ? x.shape[a] - b : size[a];
      if (b === 0 && s === x.shape[a]) continue; // whole axis: left out, so the batch axis stays free
      starts.push(b);
      ends.push(b + s);
      axes.push(a);
    }
    if (axes.length === 0) g.node('Identity', [g.name(x)], {}, [g.name(n.outputs[0])]);
    else g.node('Slice', [g.name(x), g.int64(starts), g.int64(ends), g.int64(axes)], {}, [g.name(n.outputs[0])]);
  },
  GatherV2: (g, n) => {
    if ((n.attrs.batchDims as number | undefined ?? 0) !== 0) throw new Error('unet: error: ONNX export: GatherV2 with batchDims > 0 is not supported');
    const rank = n.inputs.x.shape.length;
    g.node('Gather', [g.name(n.inputs.x), g.name(n.inputs.indices)], { axis: axisOf(n.attrs.axis as number, rank) }, [g.name(n.outputs[0])]);
  },
  Tile: (g, n) => {
    g.node('Tile', [g.name(n.inputs.x), g.int64(n.attrs.reps as number[], 'ints')], {}, [g.name(n.outputs[0])]);
  },
  PadV2: (g, n) => {
    const p = n.attrs.paddings as [number, number][];
    const pads = [...p.map((q) => q[0]), ...p.map((q) => q[1])];
    g.node('Pad', [g.name(n.inputs.x), g.int64(pads), g.scalar(n.attrs.constantValue as number, n.inputs.x.dtype === 'int32' ? 'int32' : 'float32')], { mode: 'constant' }, [g.name(n.outputs[0])]);
  },
  MirrorPad: (g, n) => {
    const p = n.attrs.paddings as [number, number][];
    const pads = [...p.map((q) => q[0]), ...p.map((q) => q[1])];
    if (n.attrs.mode !== 'reflect') throw new Error(`unet: error: ONNX export: MirrorPad mode '${String(n.attrs.mode)}' is not supported (reflect)`);
    g.node('Pad', [g.name(n.inputs.x), g.int64(pads)], { mode: 'reflect' }, [g.name(n.outputs[0])]);
  },
  Cast: (g, n) => {
    const to = n.attrs.dtype as string;
    if (!(to in ONNX_DTYPE)) throw new Error(`unet: error: ONNX export: Cast to ${to} is not supported`);
    g.node('Cast', [g.name(n.inputs.x)], { to: ONNX_DTYPE[to as keyof typeof ONNX_DTYPE] }, [g.name(n.outputs[0])]);
  },
  SplitV: (g, n) => {
    const x = n.inputs.x;
    const axis = axisOf(n.attrs.axis as number, x.shape.length);
    const sizes = n.outputs.map((o) => o.shape[axis]);
    g.node('Split', [g.name(x), g.int64(sizes)], { axis }, n.outputs.map((o) => g.name(o)));
  },
  Pack: (g, n) => {
    const parts = Object.keys(n.inputs).filter((k) => k.startsWith('tensors.')).sort((a, b) => Number(a.slice(8)) - Number(b.slice(8)));
    const rank = n.outputs[0].shape.length;
    const axis = axisOf(n.attrs.axis as number, rank);
    const expanded = parts.map((k) => g.node('Unsqueeze', [g.name(n.inputs[k]), g.int64([axis])]));
    g.node('Concat', expanded, { axis }, [g.name(n.outputs[0])]);
  },
  ZerosLike: (g, n) => {
    g.node('Mul', [g.name(n.inputs.x), g.scalar(0, n.inputs.x.dtype === 'int32' ? 'int32' : 'float32')], {}, [g.name(n.outputs[0])]);
  },
};
