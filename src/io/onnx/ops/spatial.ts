/**
 * The layout-bound kernels: convolutions, transposed convolutions, pooling and linear resizing. tfjs runs them
 * channels-last, ONNX channels-first: each maps to a Transpose to NC…, the ONNX node, and a Transpose back (weights
 * are permuted into ONNX's layout once, as initializers).
 */
import { GraphBuilder, toChannelsFirst, toChannelsLast, type AttrValue } from '../graph.js';
import type { TraceNode } from '../trace.js';
import type { Mapper } from './index.js';

const list = (v: unknown, dims: number): number[] => (Array.isArray(v) ? (v as number[]) : Array<number>(dims).fill(v as number));

/** ONNX pads [x1_begin, x2_begin, …, x1_end, x2_end, …] of a tfjs `pad` for a window `k` (dilated), stride `s`. */
function pads(pad: unknown, inSize: number[], k: number[], s: number[], dims: number, what: string): number[] {
  if (pad === 'valid') return Array<number>(2 * dims).fill(0);
  if (typeof pad === 'number') return Array<number>(2 * dims).fill(pad);
  if (pad === 'same') {
    const before: number[] = [], after: number[] = [];
    for (let i = 0; i < dims; i++) {
      const out = Math.ceil(inSize[i] / s[i]);
      const total = Math.max(0, (out - 1) * s[i] + k[i] - inSize[i]);
      before.push(Math.floor(total / 2));
      after.push(total - Math.floor(total / 2));
    }
    return [...before, ...after];
  }
  if (Array.isArray(pad)) {
    const spatial = (pad as [number, number][]).slice(1, 1 + dims); // NHWC explicit padding
    return [...spatial.map((p) => p[0]), ...spatial.map((p) => p[1])];
  }
  throw new Error(`unet: error: ONNX export: ${what} has padding ${JSON.stringify(pad)}, which the exporter does not know`);
}

/** Runs `make` on x in channels-first layout: returns the channels-last output bound to `out`. */
function channelsFirst(g: GraphBuilder, x: string, rank: number, out: string, make: (xcf: string) => string): void {
  const y = make(g.transpose(x, toChannelsFirst(rank)));
  g.transpose(y, toChannelsLast(rank), out);
}

const conv: Mapper = (g, n) => {
  const x = n.inputs.x, f = n.inputs.filter;
  const dims = x.shape.length - 2;
  if (n.attrs.dataFormat === 'NCHW' || n.attrs.dataFormat === 'NCDHW') throw new Error(`unet: error: ONNX export: ${n.kernel} in ${String(n.attrs.dataFormat)} layout is not supported (the library runs channels-last)`);
  const k = f.shape.slice(0, dims);
  const s = list(n.attrs.strides, dims), d = list(n.attrs.dilations ?? 1, dims);
  const p = pads(n.attrs.pad, x.shape.slice(1, -1), k.map((ki, i) => (ki - 1) * d[i] + 1), s, dims, n.kernel);
  // tfjs filter [k…, Cin, Cout] → ONNX [Cout, Cin, k…]
  const w = g.transpose(g.name(f), [dims + 1, dims, ...Array.from({ length: dims }, (_, i) => i)]);
  const inputs = [w];
  if (n.inputs.bias) inputs.push(g.name(n.inputs.bias));
  channelsFirst(g, g.name(x), dims + 2, g.name(n.outputs[0]), (xcf) => {
    const y = g.node('Conv', [xcf, ...inputs], { kernel_shape: k, strides: s, dilations: d, pads: p, group: 1 });
    if (n.kernel === 'FusedConv2D' || n.kernel === 'FusedConv3D') return fusedActivation(g, n, y);
    return y;
  });
};

function fusedActivation(g: GraphBuilder, n: TraceNode, y: string): string {
  const act = (n.attrs.activation as string | undefined) ?? 'linear';
  if (n.inputs.preluActivationWeights) throw new Error(`unet: error: ONNX export: ${n.kernel} with a PReLU activation is not supported`);
  if (act === 'linear') return y;
  if (act === 'relu') return g.node('Relu', [y]);
  if (act === 'sigmoid') return g.node('Sigmoid', [y]);
  if (act === 'leakyrelu') return g.node('LeakyRelu', [y], { alpha: { float: n.attrs.leakyreluAlpha as number } });
  throw new Error(`unet: error: ONNX export: ${n.kernel} with activation '${act}' is not supported (linear, relu, sigmoid, leakyrelu)`);
}

/** Conv{2D,3D}BackpropInput as a transposed convolution: input dy [B, …S, Cin], filter [k…, Cout, Cin]. */
const convTranspose: Mapper = (g, n) => {
  const x = n.inputs.dy, f = n.inputs.filter;
  const dims = x.shape.length - 2;
  const k = f.shape.slice(0, dims);
  const s = list(n.attrs.strides, dims);
  const outShape = n.attrs.inputShape as number[];
  const outSpatial = outShape.slice(1, -1);
  // The padding of the forward convolution this is the adjoint of, on the output grid.
  const p = pads(n.attrs.pad, outSpatial, k, s, dims, n.kernel);
  const outputPadding = outSpatial.map((o, i) => o - ((x.shape[i + 1] - 1) * s[i] - p[i] - p[i + dims] + k[i]));
  if (outputPadding.some((v, i) => v < 0 || v >= s[i])) throw new Error(`unet: error: ONNX export: ${n.kernel} from [${x.shape}] to [${outShape}] is no transposed convolution ONNX can express`);
  // tfjs filter [k…, Cout, Cin] → ONNX ConvTranspose [Cin, Cout, k…]
  const w = g.transpose(g.name(f), [dims + 1, dims, ...Array.from({ length: dims }, (_, i) => i)]);
  channelsFirst(g, g.name(x), dims + 2, g.name(n.outputs[0]), (xcf) =>
    g.node('ConvTranspose', [xcf, w], { kernel_shape: k, strides: s, pads: p, output_padding: outputPadding, dilations: Array<number>(dims).fill(1), group: 1 }));
};

const pool = (op: 'MaxPool' | 'AveragePool'): Mapper => (g, n) => {
  const x = n.inputs.x;
  const dims = x.shape.length - 2;
  const k = list(n.attrs.filterSize, dims), s = list(n.attrs.strides, dims);
  const p = pads(n.attrs.pad, x.shape.slice(1, -1), k, s, dims, n.kernel);
  if (n.attrs.dimRoundingMode && n.attrs.dimRoundingMode !== 'floor') throw new Error(`unet: error: ONNX export: ${n.kernel} with rounding '${String(n.attrs.dimRoundingMode)}' is not supported (floor)`);
  // tfjs's average pool divides by the window's voxels inside the input (count_include_pad = 0).
  const extra: Record<string, AttrValue> = op === 'AveragePool' ? { count_include_pad: 0 } : {};
  channelsFirst(g, g.name(x), dims + 2, g.name(n.outputs[0]), (xcf) => g.node(op, [xcf], { kernel_shape: k, strides: s, pads: p, ...extra }));
};

/** ResizeBilinear [B, H, W, C] → ONNX Resize (linear) with the same sample positions. */
const resizeBilinear: Mapper = (g, n) => {
  const x = n.inputs.images;
  const [h, w] = x.shape.slice(1, 3), [oh, ow] = n.attrs.size as number[];
  const mode = n.attrs.alignCorners ? 'align_corners' : n.attrs.halfPixelCenters ? 'half_pixel' : 'asymmetric';
  const scales = g.initializer('float32', [4], Float32Array.of(1, 1, oh / h, ow / w));
  channelsFirst(g, g.name(x), 4, g.name(n.outputs[0]), (xcf) =>
    g.node('Resize', [xcf, '', scales], { mode: 'linear', coordinate_transformation_mode: mode }));
};

/** The library's linear resize (`UnetResizeLinear`, 2-D or 3-D, PyTorch's align_corners or half-pixel clamped at 0). */
const resizeLinear: Mapper = (g, n) => {
  const x = n.inputs.x;
  const rank = x.shape.length;
  const size = n.attrs.size as number[];
  const scales = g.initializer('float32', [rank], Float32Array.from([1, 1, ...size.map((s, i) => s / x.shape[i + 1])]));
  const mode = n.attrs.alignCorners ? 'align_corners' : 'half_pixel';
  channelsFirst(g, g.name(x), rank, g.name(n.outputs[0]), (xcf) =>
    g.node('Resize', [xcf, '', scales], { mode: 'linear', coordinate_transformation_mode: mode }));
};

export const spatialMappers: Record<string, Mapper> = {
  Conv2D: conv, Conv3D: conv, FusedConv2D: conv,
  Conv2DBackpropInput: convTranspose, Conv3DBackpropInputV2: convTranspose,
  MaxPool: pool('MaxPool'), MaxPool3D: pool('MaxPool'), AvgPool: pool('AveragePool'), AvgPool3D: pool('AveragePool'),
  ResizeBilinear: resizeBilinear, UnetResizeLinear: resizeLinear,
};
