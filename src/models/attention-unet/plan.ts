/**
 * The Attention U-Net without weights: module paths (MONAI's nested state-dict names), sizes along an axis, the
 * accepted input sizes, parameter counts and the drawable stages — arithmetic on the resolved options, shared by the
 * network, its `Architecture` and the tests.
 *
 * Levels i = 0 … L−1 (L = strides.length): level i works at the skip's resolution with c_i channels; its step down
 * (ConvBlock c_i → c_{i+1}, stride s_i) feeds level i+1, and the last step down is the bottleneck (c_L channels).
 */
import type { Geometry, NetStage } from '../types.js';
import type { ResolvedAttentionUNetOptions } from './options.js';

/** MONAI's names: `model.0` head, `model.1` level 0, `model.2` output; level i+1 is `submodule.1` of level i. */
export const modulePath = {
  head: 'model.0',
  out: 'model.2',
  /** The AttentionLayer of level i. */
  level: (i: number): string => `model.1${'.submodule.1'.repeat(i)}`,
  /** The strided ConvBlock from level i down to level i+1 (the deepest one is the whole submodule). */
  down: (o: ResolvedAttentionUNetOptions, i: number): string => `${modulePath.level(i)}.submodule${i < o.strides.length - 1 ? '.0' : ''}`,
};

/** The product of the strides: every input size must be a multiple of it. */
export const totalStride = (o: ResolvedAttentionUNetOptions): number => o.strides.reduce((a, b) => a * b, 1);

/** Width of the attention gate's inner 1×1 convs (MONAI's f_int = c // 2). */
export const gateWidth = (c: number): number => Math.floor(c / 2);

const conv = (cin: number, cout: number, k: number, d: number): number => cin * cout * k ** d + cout; // every conv has a bias
const bn = (c: number): number => 2 * c;

/** Parameters of each block, by kind. */
export function blockParams(o: ResolvedAttentionUNetOptions) {
  const d = o.spatialDims;
  const convBlock = (cin: number, cout: number) => conv(cin, cout, o.kernelSize, d) + bn(cout) + conv(cout, cout, o.kernelSize, d) + bn(cout);
  /** The gate of level i (skip c_i; 'oktay' also reads c_{i+1} and the stride s_i). */
  const gate = (i: number) => {
    const c = o.channels[i], f = gateWidth(c);
    if (o.gate === 'oktay') return c * f * o.strides[i] ** d + conv(o.channels[i + 1], f, 1, d) + conv(f, 1, 1, d) + conv(c, c, 1, d) + bn(c); // θ has no bias
    return 2 * (conv(c, f, 1, d) + bn(f)) + conv(f, 1, 1, d) + bn(1);
  };
  const up = (cLower: number, c: number) => conv(cLower, c, o.upKernelSize, d) + bn(c);
  const merge = (c: number) => conv(2 * c, c, 3, d) + 1; // conv 3×3 with bias, InstanceNorm without affine, one PReLU slope
  const out = conv(o.channels[0], o.classes, 1, d);
  return { convBlock, gate, up, merge, out };
}

/** Trainable parameters (BatchNorm running statistics are buffers, not parameters). */
export function paramCount(o: ResolvedAttentionUNetOptions): number {
  const p = blockParams(o);
  const c = o.channels;
  let n = p.convBlock(o.inChannels, c[0]) + p.out;
  for (let i = 0; i < o.strides.length; i++) n += p.convBlock(c[i], c[i + 1]) + p.gate(i) + p.up(c[i + 1], c[i]) + p.merge(c[i]);
  return n;
}

/** Sizes along one axis at every level (0 … L; L is the bottleneck) and the output, or the first rule broken. */
export function axisSizes(o: ResolvedAttentionUNetOptions, size: number): { levels: number[]; out: number; error?: string } {
  const levels: number[] = [];
  if (!Number.isInteger(size) || size < 1) return { levels, out: NaN, error: `size must be a positive integer, got ${size}` };
  let s = size;
  levels.push(s);
  for (let i = 0; i < o.strides.length; i++) {
    const st = o.strides[i];
    if (s % st !== 0) {
      const down = Math.ceil(s / st);
      return {
        levels, out: NaN,
        error: `level ${i} has size ${s}, not a multiple of its stride ${st}: the strided conv gives ${down} and the transposed conv returns ${down * st}, which does not match the skip`,
      };
    }
    s /= st;
    levels.push(s);
  }
  return { levels, out: size };
}

/** The accepted sizes nearest to `size` along an axis: multiples of the total stride. */
export function nearestSizes(o: ResolvedAttentionUNetOptions, size: number): { below?: number; above?: number } {
  const p = totalStride(o);
  const below = Math.floor(size / p) * p;
  return { ...(below >= p ? { below } : {}), above: Math.max(Math.ceil(size / p), 1) * p };
}

/** Output spatial size for an input size; throws naming each broken rule and the nearest valid sizes. */
export function checkInputSize(o: ResolvedAttentionUNetOptions, input: readonly number[]): number[] {
  if (input.length !== o.spatialDims) throw new Error(`input size ${input.join('x')} has ${input.length} axes; this ${o.spatialDims}-D network needs ${o.spatialDims}`);
  const broken = input.flatMap((s, axis) => {
    const { error } = axisSizes(o, s);
    if (!error) return [];
    const { below, above } = nearestSizes(o, s);
    const near = [below, above].filter((v) => v !== undefined).join(' or ');
    return [`axis ${axis} size ${s}: ${error}; nearest valid sizes: ${near}`];
  });
  if (broken.length > 0) {
    throw new Error(`input ${input.join('x')} does not fit this Attention U-Net (strides ${o.strides.join(',')}: every size must be a multiple of ${totalStride(o)}): ${broken.join('; ')}`);
  }
  return [...input];
}

/** The geometry sliding-window inference asks for: same padding, sizes on the grid of the total stride. */
export function attentionUNetGeometry(o: ResolvedAttentionUNetOptions): Geometry {
  return {
    spatialDims: o.spatialDims, inChannels: o.inChannels, classes: o.classes, padding: 'same', stride: totalStride(o),
    axis: (size) => {
      const { out, error } = axisSizes(o, size);
      return error ? { out, error } : { out };
    },
    output: (input) => checkInputSize(o, input),
    nearest: (size) => nearestSizes(o, size),
  };
}

/**
 * Every stage at an input size (sizes empty when `input` is empty or does not fit): the encoder (head, each step
 * down, the bottleneck), then per level from the deepest: the transposed up-convolution, the attention gate (the
 * skip gated by the up-sampled feature) and the merge; then the 1×1 output conv. `level` is the nesting depth i
 * (equal to the number of halvings when every stride is 2).
 */
export function attentionUNetStages(o: ResolvedAttentionUNetOptions, input: readonly number[]): NetStage[] {
  const L = o.strides.length;
  const c = o.channels;
  const p = blockParams(o);
  const flows = input.map((s) => axisSizes(o, s));
  const sized = input.length === o.spatialDims && flows.every((f) => !f.error);
  const at = (level: number) => (sized ? flows.map((f) => f.levels[level]) : []);
  const k = o.kernelSize, uk = o.upKernelSize;
  const x = (n: number) => Array<number>(o.spatialDims).fill(n).join('×');
  const enc = (i: number) => (i === L ? 'bottleneck' : `enc${i + 1}`);
  const stages: NetStage[] = [
    { name: 'input', kind: 'input', module: '—', level: 0, inChannels: o.inChannels, channels: o.inChannels, size: at(0), params: 0, from: [] },
    {
      name: enc(0), kind: 'encoder', module: modulePath.head, level: 0, inChannels: o.inChannels, channels: c[0], size: at(0),
      params: p.convBlock(o.inChannels, c[0]), from: ['input'], detail: `(conv ${x(k)} → BN → ReLU) × 2`,
    },
  ];
  for (let i = 0; i < L; i++) {
    stages.push({
      name: enc(i + 1), kind: i + 1 === L ? 'bottleneck' : 'encoder', module: modulePath.down(o, i), level: i + 1,
      inChannels: c[i], channels: c[i + 1], size: at(i + 1), params: p.convBlock(c[i], c[i + 1]), from: [enc(i)],
      detail: `conv ${x(k)} stride ${o.strides[i]} → BN → ReLU → conv ${x(k)} → BN → ReLU`,
    });
  }
  let deeper = enc(L);
  for (let i = L - 1; i >= 0; i--) {
    const n = L - i; // 1 = deepest, as the U-Net's dec1
    const m = modulePath.level(i);
    stages.push(
      {
        name: `up${n}`, kind: 'decoder', module: `${m}.upconv`, level: i, inChannels: c[i + 1], channels: c[i], size: at(i),
        params: p.up(c[i + 1], c[i]), from: [deeper], detail: `transposed conv ${x(uk)} stride ${o.strides[i]} → BN → ReLU`,
      },
      o.gate === 'oktay'
        ? {
          name: `gate${n}`, kind: 'gate', module: `${m}.attention`, level: i, inChannels: c[i], channels: c[i], size: at(i),
          params: p.gate(i), from: [enc(i), deeper],
          detail: `W(skip · resample(σ(ψ(ReLU(θ skip + φ g))))), θ ${x(o.strides[i])} stride ${o.strides[i]}, g from level ${i + 1} (Oktay 2018), inner width ${gateWidth(c[i])}`,
        }
        : {
          name: `gate${n}`, kind: 'gate', module: `${m}.attention`, level: i, inChannels: c[i], channels: c[i], size: at(i),
          params: p.gate(i), from: [enc(i), `up${n}`], detail: `skip · σ(BN(ψ(ReLU(BN(W_g up) + BN(W_x skip))))), inner width ${gateWidth(c[i])}`,
        },
      {
        name: `dec${n}`, kind: 'decoder', module: `${m}.merge`, level: i, inChannels: 2 * c[i], channels: c[i], size: at(i),
        params: p.merge(c[i]), from: [`up${n}`, `gate${n}`], detail: `cat[gated skip, up] → conv ${x(3)} → IN → PReLU`,
      },
    );
    deeper = `dec${n}`;
  }
  stages.push({ name: 'out', kind: 'output', module: modulePath.out, level: 0, inChannels: c[0], channels: o.classes, size: at(0), params: p.out, from: [deeper], detail: `conv ${x(1)}` });
  return stages;
}
