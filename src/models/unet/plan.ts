/**
 * Shape inference without running the network: the channel plan, every stage's spatial size (with the centre crop
 * of each skip under valid padding), parameter counts, the receptive field and the nearest valid input sizes —
 * pure arithmetic on the resolved options, shared by the model builder, `unet summary` and the explorer.
 */
import type { ResolvedUNetOptions } from './options.js';
import { linearTaps } from '../../nn/ops/resize.js';

/** Channels of one encoder level (or the bottleneck): DoubleConv in → mid → out. */
export interface EncoderChannels { in: number; mid: number; out: number }
/** Channels of one decoder level: up-sample upIn → upOut, concat with skip, DoubleConv (skip + upOut) → out. */
export interface DecoderChannels { upIn: number; upOut: number; skip: number; in: number; out: number }

export interface ChannelPlan {
  /** Levels 0 … depth; the last one is the bottleneck. */
  encoder: EncoderChannels[];
  /** Indexed by level 0 … depth−1 (level depth−1 is the deepest decoder stage, module `up1`). */
  decoder: DecoderChannels[];
  /** Channels into the final 1×1 conv. */
  head: number;
}

export function channelPlan(o: ResolvedUNetOptions): ChannelPlan {
  const encoder: EncoderChannels[] = [];
  for (let l = 0; l <= o.depth; l++) {
    const inC = l === 0 ? o.inChannels : encoder[l - 1].out;
    const w = o.base * 2 ** l;
    const bottleneck = l === o.depth;
    if (o.channelSchedule === 'double-after') {
      const out = bottleneck && o.halveBottleneck ? w / 2 : w; // F·2^l
      encoder.push({ in: inC, mid: out, out });
    } else {
      const out = bottleneck && o.halveBottleneck ? w : 2 * w; // F·2^l → F·2^(l+1)
      encoder.push({ in: inC, mid: w, out });
    }
  }
  const decoder: DecoderChannels[] = new Array(o.depth);
  for (let l = o.depth - 1; l >= 0; l--) {
    const upIn = l === o.depth - 1 ? encoder[o.depth].out : decoder[l + 1].out;
    const upOut = o.upsample === 'interp' || o.transposedChannels === 'keep' ? upIn : upIn / 2;
    if (!Number.isInteger(upOut)) throw new Error(`transposed up-convolution cannot halve ${upIn} channels (odd)`);
    const skip = encoder[l].out;
    const out = o.halveBottleneck ? encoder[Math.max(l - 1, 0)].out : skip;
    decoder[l] = { upIn, upOut, skip, in: skip + upOut, out };
  }
  return { encoder, decoder, head: decoder[0].out };
}

/** Parameters of a k^dims conv. */
export const convParams = (cin: number, cout: number, k: number, dims: number, bias: boolean): number => cin * cout * k ** dims + (bias ? cout : 0);

function normParams(o: ResolvedUNetOptions, c: number): number {
  return o.norm !== 'none' && o.normAffine ? 2 * c : 0;
}

function doubleConvParams(o: ResolvedUNetOptions, cin: number, mid: number, out: number): number {
  const d = o.spatialDims;
  return convParams(cin, mid, 3, d, o.convBias) + normParams(o, mid) + convParams(mid, out, 3, d, o.convBias) + normParams(o, out);
}

function upParams(o: ResolvedUNetOptions, dc: DecoderChannels): number {
  return o.upsample === 'transposed' ? convParams(dc.upIn, dc.upOut, 2, o.spatialDims, o.upBias) : 0;
}

/** Valid convs per DoubleConv shrink each axis by this much. */
const VALID_SHRINK = 4;

/** Sizes along one spatial axis through the network, or the rule the size breaks. */
export interface AxisFlow {
  /** Encoder outputs, levels 0 … depth (the last is the bottleneck). */
  enc: number[];
  /** Per decoder level 0 … depth−1: size after up-sampling. */
  up: number[];
  /** Per decoder level: crop per side of the skip (0 with same padding). */
  crop: number[];
  /** Per decoder level: size after the DoubleConv. */
  dec: number[];
  out: number;
  /** First rule broken, if any. */
  error?: string;
}

export function axisFlow(o: ResolvedUNetOptions, size: number): AxisFlow {
  const shrink = o.padding === 'valid' ? VALID_SHRINK : 0;
  const enc: number[] = [], up: number[] = [], crop: number[] = [], dec: number[] = [];
  const flow = (error?: string): AxisFlow => ({ enc, up, crop, dec, out: dec.length === o.depth ? dec[0] : NaN, error });
  if (!Number.isInteger(size) || size < 1) return flow(`size must be a positive integer, got ${size}`);
  let s = size;
  for (let l = 0; l <= o.depth; l++) {
    if (l > 0) {
      if (s % 2 !== 0) return flow(`level ${l - 1} gives an odd size ${s} to 2× max-pooling, which would drop a row and misalign the skip`);
      s /= 2;
    }
    s -= shrink;
    if (s < 1) return flow(`level ${l} shrinks to ${s} (each valid 3×3 conv removes 2 pixels)`);
    enc.push(s);
  }
  for (let l = o.depth - 1; l >= 0; l--) {
    const u = 2 * s;
    const diff = enc[l] - u;
    if (diff < 0) return flow(`decoder level ${l} up-samples to ${u}, larger than its skip ${enc[l]}`);
    if (diff % 2 !== 0) return flow(`decoder level ${l}: skip ${enc[l]} and up-sampled ${u} differ by an odd amount, so the centre crop is not centred`);
    s = u - shrink;
    if (s < 1) return flow(`decoder level ${l} shrinks to ${s}`);
    up[l] = u;
    crop[l] = diff / 2;
    dec[l] = s;
  }
  return flow();
}

/** Nearest sizes below and above `size` (inclusive) that pass every rule of `axisFlow`. */
export function nearestValidSizes(o: ResolvedUNetOptions, size: number): { below?: number; above?: number } {
  const ok = (s: number) => axisFlow(o, s).error === undefined;
  const limit = 2 ** (o.depth + 3) + 64;
  let below: number | undefined, above: number | undefined;
  for (let s = Math.floor(size); s >= 1 && size - s <= limit; s--) if (ok(s)) { below = s; break; }
  for (let s = Math.ceil(size); s - size <= limit; s++) if (ok(s)) { above = s; break; }
  return { below, above };
}

/**
 * Receptive field along one axis, in input pixels, by the textbook rule on the bottleneck path: each 3×3 conv adds
 * 2·jump, each pooling adds jump and doubles it, linear up-sampling adds one coarse step (two taps), a transposed conv
 * with kernel = stride adds nothing; jump halves on the way up. Exact for transposed up-sampling; with
 * align_corners interpolation the source grid is not a pure ×½ map and `receptiveFieldAt` gives the exact value.
 */
export function receptiveField(o: ResolvedUNetOptions): number {
  let rf = 1, jump = 1;
  for (let l = 0; l < o.depth; l++) {
    rf += 2 * 2 * jump;
    rf += jump;
    jump *= 2;
  }
  rf += 2 * 2 * jump;
  for (let l = o.depth - 1; l >= 0; l--) {
    if (o.upsample === 'interp') rf += jump;
    jump /= 2;
    rf += 2 * 2 * jump;
  }
  return rf;
}

type Interval = [number, number];
const hull = (a: Interval, b: Interval): Interval => [Math.min(a[0], b[0]), Math.max(a[1], b[1])];

/**
 * Exact receptive field along one axis for an input of `size`: the widest span of input pixels that reaches one
 * output pixel, found by carrying each output pixel's interval back through every path (skips included) with the
 * network's actual index maps (centre-crop offsets, the interpolation's taps for this size).
 */
export function receptiveFieldAt(o: ResolvedUNetOptions, size: number): number {
  const f = axisFlow(o, size);
  if (f.error) throw new Error(`receptive field: input size ${size}: ${f.error}`);
  const valid = o.padding === 'valid';
  const dcBack = ([a, b]: Interval): Interval => (valid ? [a, b + 4] : [a - 2, b + 2]);
  const encBack = (l: number, iv: Interval): Interval => {
    const [p, q] = dcBack(iv);
    return l === 0 ? [p, q] : encBack(l - 1, [2 * p, 2 * q + 1]);
  };
  const taps = f.up.map((u, l) => linearTaps(l === o.depth - 1 ? f.enc[o.depth] : f.dec[l + 1], u, o.alignCorners));
  const decBack = (l: number, iv: Interval): Interval => {
    const [p, q] = dcBack(iv);
    const skip = encBack(l, [p + f.crop[l], q + f.crop[l]]);
    let low: Interval;
    if (o.upsample === 'interp') {
      const t = taps[l];
      low = [Infinity, -Infinity];
      for (let x = Math.max(p, 0); x <= Math.min(q, f.up[l] - 1); x++) {
        low = hull(low, [t.i0[x], t.w[x] > 0 ? t.i1[x] : t.i0[x]]);
      }
    } else {
      low = [Math.floor(p / 2), Math.floor(q / 2)];
    }
    const deep = l === o.depth - 1 ? encBack(o.depth, low) : decBack(l + 1, low);
    return hull(skip, deep);
  };
  let best = 0;
  for (let x = 0; x < f.out; x++) {
    const [a, b] = decBack(0, [x, x]);
    best = Math.max(best, Math.min(b, size - 1) - Math.max(a, 0) + 1);
  }
  return best;
}

export interface Stage {
  /** `enc1` … `encN`, `bottleneck`, `dec1` (deepest) … `decN`, `out`. */
  name: string;
  /** The module it is in the state dict (`inc`, `down1`, `up1`, `outc`). */
  module: string;
  inChannels: number;
  channels: number;
  /** Spatial size of the stage's output, [H, W] or [D, H, W]; empty when no input size is given. */
  size: number[];
  params: number;
  /** Valid padding: crop per side of the skip joined here, per axis. */
  crop?: number[];
  /** Whether the skip joined here is enabled (decoder stages). */
  skip?: boolean;
}

export interface ShapeReport {
  stages: Stage[];
  params: number;
  input: number[];
  output: number[];
  /** Textbook receptive field (see `receptiveField`). */
  receptiveField: number;
  /** Exact receptive field per axis for this input (see `receptiveFieldAt`); empty without an input size. */
  receptiveFieldAt: number[];
  /** Per axis, the first rule broken by the input size, with the nearest valid sizes. */
  errors: { axis: number; size: number; rule: string; below?: number; above?: number }[];
}

/** The per-stage table of the network for an input size (spatial only; [] for channels and parameters alone). */
export function shapeReport(o: ResolvedUNetOptions, input: readonly number[] = []): ShapeReport {
  if (input.length !== 0 && input.length !== o.spatialDims) {
    throw new Error(`input size ${input.join('x')} has ${input.length} axes; this ${o.spatialDims}-D network needs ${o.spatialDims}`);
  }
  const plan = channelPlan(o);
  const flows = input.map((s) => axisFlow(o, s));
  const errors = flows.flatMap((f, axis) => (f.error ? [{ axis, size: input[axis], rule: f.error, ...nearestValidSizes(o, input[axis]) }] : []));
  const sized = errors.length === 0 && input.length > 0;
  const at = (pick: (f: AxisFlow) => number) => (sized ? flows.map(pick) : []);
  const stages: Stage[] = [];
  plan.encoder.forEach((e, l) => {
    const last = l === o.depth;
    stages.push({
      name: last ? 'bottleneck' : `enc${l + 1}`, module: l === 0 ? 'inc' : `down${l}`,
      inChannels: e.in, channels: e.out, size: at((f) => f.enc[l]), params: doubleConvParams(o, e.in, e.mid, e.out),
    });
  });
  for (let l = o.depth - 1; l >= 0; l--) {
    const d = plan.decoder[l];
    const k = o.depth - l;
    stages.push({
      name: `dec${k}`, module: `up${k}`, inChannels: d.upIn, channels: d.out, size: at((f) => f.dec[l]),
      params: upParams(o, d) + doubleConvParams(o, d.in, d.out, d.out),
      ...(o.padding === 'valid' ? { crop: at((f) => f.crop[l]) } : {}), skip: o.skips[l],
    });
  }
  stages.push({ name: 'out', module: 'outc', inChannels: plan.head, channels: o.classes, size: at((f) => f.out), params: convParams(plan.head, o.classes, 1, o.spatialDims, o.outBias) });
  return {
    stages, params: stages.reduce((n, s) => n + s.params, 0), input: [...input],
    output: sized ? flows.map((f) => f.out) : [], receptiveField: receptiveField(o),
    receptiveFieldAt: sized ? input.map((s) => receptiveFieldAt(o, s)) : [], errors,
  };
}

/** Throws an error naming the rule and the nearest valid sizes when `input` does not fit the network. */
export function checkInputSize(o: ResolvedUNetOptions, input: readonly number[]): ShapeReport {
  const r = shapeReport(o, input);
  if (r.errors.length > 0) {
    const lines = r.errors.map((e) => {
      const near = [e.below, e.above].filter((v) => v !== undefined).join(' or ');
      return `axis ${e.axis} size ${e.size}: ${e.rule}${near ? `; nearest valid sizes: ${near}` : ''}`;
    });
    throw new Error(`input ${input.join('x')} does not fit this U-Net (${o.padding} padding, depth ${o.depth}): ${lines.join('; ')}`);
  }
  return r;
}
