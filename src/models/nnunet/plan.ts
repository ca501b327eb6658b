/**
 * `nnunet` without weights: parameter count, geometry (input sizes: a multiple of the product of the strides per
 * axis, as nnU-Net pads its patches) and stages for summaries and drawings.
 */
import type { Geometry, NetStage } from '../types.js';
import type { ResolvedNnUNetOptions } from './options.js';

const prod = (a: readonly number[]) => a.reduce((x, y) => x * y, 1);

/** Per axis, the product of all strides: the step between accepted input sizes. */
export const strideProduct = (o: ResolvedNnUNetOptions): number[] =>
  Array.from({ length: o.spatialDims }, (_, a) => prod(o.strides.map((s) => s[a])));

const convParams = (cin: number, cout: number, k: readonly number[]) => cin * cout * prod(k) + cout;
/** conv (bias) + InstanceNorm (affine). */
const unitParams = (cin: number, cout: number, k: readonly number[]) => convParams(cin, cout, k) + 2 * cout;

export function encoderStageParams(o: ResolvedNnUNetOptions, s: number): number {
  const cin = s === 0 ? o.inChannels : o.features[s - 1], c = o.features[s];
  let n = unitParams(cin, c, o.kernels[s]);
  for (let i = 1; i < o.convsPerStage; i++) n += unitParams(c, c, o.kernels[s]);
  return n;
}

/** Decoder stage at encoder level s (s = 0 … n−2): transposed conv from level s+1, convs, and its head. */
export function decoderStageParams(o: ResolvedNnUNetOptions, s: number): number {
  const c = o.features[s], below = o.features[s + 1];
  let n = below * c * prod(o.strides[s + 1]) + c; // transposed conv with bias
  n += unitParams(2 * c, c, o.kernels[s]);
  for (let i = 1; i < o.convsPerStage; i++) n += unitParams(c, c, o.kernels[s]);
  return n;
}

export const headParams = (o: ResolvedNnUNetOptions, s: number) => o.features[s] * o.classes + o.classes;

/** Every parameter: encoder, decoder and every head (built whether or not deep supervision runs them). */
export function nnunetParams(o: ResolvedNnUNetOptions): number {
  let n = 0;
  for (let s = 0; s < o.features.length; s++) n += encoderStageParams(o, s);
  for (let s = 0; s + 1 < o.features.length; s++) n += decoderStageParams(o, s) + headParams(o, s);
  return n;
}

function axisError(o: ResolvedNnUNetOptions, size: number, axis: number): string | undefined {
  const step = strideProduct(o)[axis];
  if (!Number.isInteger(size) || size < 1) return `size must be a positive integer, got ${size}`;
  if (size % step !== 0) return `size ${size} is not a multiple of ${step}, the product of the strides along axis ${axis} (${o.strides.map((s) => s[axis]).join('·')})`;
  return undefined;
}

export function nearestNnUNetSize(o: ResolvedNnUNetOptions, size: number, axis = 0): { below?: number; above?: number } {
  const step = strideProduct(o)[axis];
  const below = Math.floor(size / step) * step;
  return { below: below >= step ? below : undefined, above: Math.max(step, Math.ceil(size / step) * step) };
}

/** The input size, checked (the output has the input's size); throws naming each broken axis and the nearest sizes. */
export function checkNnUNetInput(o: ResolvedNnUNetOptions, input: readonly number[]): number[] {
  if (input.length !== o.spatialDims) throw new Error(`input size [${input}] has ${input.length} axes; this ${o.spatialDims}-D nnU-Net takes ${o.spatialDims}`);
  const errors: string[] = [];
  input.forEach((s, a) => {
    const e = axisError(o, s, a);
    if (e) {
      const { below, above } = nearestNnUNetSize(o, s, a);
      errors.push(`axis ${a}: ${e}; nearest valid sizes: ${[below, above].filter((v) => v !== undefined).join(' or ')}`);
    }
  });
  if (errors.length > 0) throw new Error(`nnU-Net cannot take input [${input}]: ${errors.join('; ')}`);
  const steps = strideProduct(o);
  if (input.every((s, a) => s / steps[a] === 1)) throw new Error(`nnU-Net cannot take input [${input}]: the bottleneck would be a single voxel, and InstanceNorm needs more than one`);
  return [...input];
}

export function nnunetGeometry(o: ResolvedNnUNetOptions): Geometry {
  const steps = strideProduct(o);
  return {
    spatialDims: o.spatialDims, inChannels: o.inChannels, classes: o.classes, padding: 'same', stride: Math.max(...steps),
    axis: (size, axis = 0) => {
      const error = axisError(o, size, axis);
      return error ? { out: NaN, error } : { out: size };
    },
    output: (input) => checkNnUNetInput(o, input),
    nearest: (size, axis = 0) => nearestNnUNetSize(o, size, axis),
  };
}

/** Sizes of every encoder level for an input size. */
export function levelSizes(o: ResolvedNnUNetOptions, input: readonly number[]): number[][] {
  const out: number[][] = [];
  let cur = [...input];
  for (const s of o.strides) {
    cur = cur.map((v, a) => Math.floor(v / s[a]));
    out.push(cur);
  }
  return out;
}

const times = (k: readonly number[]) => k.join('×');

export function nnunetStages(o: ResolvedNnUNetOptions, input: readonly number[]): NetStage[] {
  let sized = input.length > 0;
  if (sized) {
    try { checkNnUNetInput(o, input); } catch { sized = false; }
  }
  const sizes = sized ? levelSizes(o, input) : [];
  const at = (s: number) => (sized ? sizes[s] : []);
  const n = o.features.length;
  const stages: NetStage[] = [{ name: 'input', kind: 'input', module: '—', level: 0, inChannels: o.inChannels, channels: o.inChannels, size: sized ? [...input] : [], params: 0, from: [] }];
  for (let s = 0; s < n; s++) {
    const strided = o.strides[s].some((v) => v !== 1);
    stages.push({
      name: `enc${s}`, kind: s === n - 1 ? 'bottleneck' : 'encoder', module: `encoder.stages.${s}`, level: s,
      inChannels: s === 0 ? o.inChannels : o.features[s - 1], channels: o.features[s], size: at(s), params: encoderStageParams(o, s),
      from: [s === 0 ? 'input' : `enc${s - 1}`],
      detail: `(conv ${times(o.kernels[s])}${strided ? `, first stride ${times(o.strides[s])}` : ''} → IN → LeakyReLU 0.01) × ${o.convsPerStage}`,
    });
  }
  for (let s = n - 2; s >= 0; s--) {
    const d = n - 2 - s; // decoder index (PyTorch's decoder.stages.d)
    stages.push({
      name: `dec${s}`, kind: 'decoder', module: `decoder.stages.${d}`, level: s, inChannels: 2 * o.features[s], channels: o.features[s],
      size: at(s), params: decoderStageParams(o, s), from: [s === n - 2 ? `enc${n - 1}` : `dec${s + 1}`, `enc${s}`],
      detail: `transposed conv ${times(o.strides[s + 1])} stride ${times(o.strides[s + 1])} → concat skip → (conv ${times(o.kernels[s])} → IN → LeakyReLU 0.01) × ${o.convsPerStage}`,
    });
  }
  for (let s = 0; s < n - 1; s++) {
    const runs = o.deepSupervision || s === 0;
    stages.push({ name: `head${s}`, kind: 'head', module: `decoder.seg_layers.${n - 2 - s}`, level: s, inChannels: o.features[s], channels: o.classes, size: at(s), params: headParams(o, s), from: [`dec${s}`], detail: `conv 1×1${runs ? (s > 0 ? ' (deep supervision, training only)' : '') : ' (built, never run without deep supervision)'}` });
  }
  stages.push({ name: 'output', kind: 'output', module: '—', level: 0, inChannels: o.classes, channels: o.classes, size: sized ? [...input] : [], params: 0, from: ['head0'], detail: 'the highest-resolution head' });
  return stages;
}
