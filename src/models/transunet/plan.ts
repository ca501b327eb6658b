/**
 * TransUNet without weights: every stage's size and channels, parameter counts, the stages for drawings and the
 * geometry (one input size only). Pure arithmetic on the resolved options.
 */
import type { Geometry, NetStage } from '../types.js';
import { CONV_MORE_CHANNELS, PATCH, resnetWidth, type ResolvedTransUNetOptions } from './options.js';

/** Trainable parameters of the pieces, as the modules hold them. */
const conv = (cin: number, cout: number, k: number, bias: boolean) => cin * cout * k * k + (bias ? cout : 0);
const norm = (c: number) => 2 * c;

/** Bottleneck(cin, cout, cmid, stride): three StdConvs with GroupNorms, a projection when the shape changes. */
export function bottleneckParams(cin: number, cout: number, cmid: number, stride: number): number {
  const proj = stride !== 1 || cin !== cout ? conv(cin, cout, 1, false) + norm(cout) : 0;
  return norm(cmid) + conv(cin, cmid, 1, false) + norm(cmid) + conv(cmid, cmid, 3, false) + norm(cout) + conv(cmid, cout, 1, false) + proj;
}

/** One ResNet block b of n units (width w): its channels and parameters. */
export function resnetBlock(w: number, b: number, n: number): { cin: number; cmid: number; cout: number; params: number } {
  const cmid = w * 2 ** b, cout = 4 * cmid, cin = b === 0 ? w : 2 * cmid;
  let params = bottleneckParams(cin, cout, cmid, b === 0 ? 1 : 2);
  for (let u = 2; u <= n; u++) params += bottleneckParams(cout, cout, cmid, 1);
  return { cin, cmid, cout, params };
}

/** One pre-norm transformer block: 2 LayerNorms, query/key/value/out Linears (bias), the MLP. */
export const transformerLayerParams = (h: number, m: number): number => 2 * norm(h) + 4 * (h * h + h) + (h * m + m) + (m * h + h);

/** Skip channels of decoder blocks 0 … 3 (ResNet block 2, block 1, root; none for the last), before nSkip applies. */
export const skipChannels = (o: ResolvedTransUNetOptions): number[] => {
  const w = resnetWidth(o);
  return [8 * w, 4 * w, w, 0];
};

/** The decoder blocks' channels: in (from below), skip (0 when not joined), out. */
export function decoderPlan(o: ResolvedTransUNetOptions): { cin: number; skip: number; cout: number; params: number }[] {
  const skips = skipChannels(o);
  return o.decoderChannels.map((cout, i) => {
    const cin = i === 0 ? CONV_MORE_CHANNELS : o.decoderChannels[i - 1];
    const skip = i < o.nSkip ? skips[i] : 0;
    return { cin, skip, cout, params: conv(cin + skip, cout, 3, false) + norm(cout) + conv(cout, cout, 3, false) + norm(cout) };
  });
}

/** Token grid side: imgSize / 16. */
export const gridSide = (o: ResolvedTransUNetOptions): number => o.imgSize / PATCH;

/** Parameters of each part, summing to the network's count. */
export function paramBreakdown(o: ResolvedTransUNetOptions): { root: number; blocks: number[]; embeddings: number; layer: number; encoderNorm: number; convMore: number; decoder: number[]; head: number } {
  const w = resnetWidth(o), h = o.hiddenSize, g = gridSide(o);
  return {
    root: conv(3, w, 7, false) + norm(w),
    blocks: o.blockUnits.map((n, b) => resnetBlock(w, b, n).params),
    embeddings: conv(16 * w, h, 1, true) + g * g * h, // patch embedding (1×1 with bias) + position embeddings
    layer: transformerLayerParams(h, o.mlpDim),
    encoderNorm: norm(h),
    convMore: conv(h, CONV_MORE_CHANNELS, 3, false) + norm(CONV_MORE_CHANNELS),
    decoder: decoderPlan(o).map((d) => d.params),
    head: conv(o.decoderChannels[3], o.classes, 3, true),
  };
}

/** Trainable parameters without building the network. */
export function transunetParams(o: ResolvedTransUNetOptions): number {
  const p = paramBreakdown(o);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return p.root + sum(p.blocks) + p.embeddings + o.numLayers * p.layer + p.encoderNorm + p.convMore + sum(p.decoder) + p.head;
}

/** Why an input side is refused, or undefined when it is imgSize. */
function sideError(o: ResolvedTransUNetOptions, size: number): string | undefined {
  if (size === o.imgSize) return undefined;
  return `TransUNet takes exactly ${o.imgSize} (imgSize: learned position embeddings for a ${gridSide(o)}×${gridSide(o)} token grid), got ${size}`;
}

/** The geometry: one accepted size, imgSize × imgSize; the output has the input's size. */
export function transunetGeometry(o: ResolvedTransUNetOptions): Geometry {
  const nearest = (size: number) => ({ below: o.imgSize <= size ? o.imgSize : undefined, above: o.imgSize >= size ? o.imgSize : undefined });
  return {
    spatialDims: 2, inChannels: o.inChannels, classes: o.classes, padding: 'same', stride: PATCH, fixed: [o.imgSize, o.imgSize],
    axis: (size) => {
      const error = sideError(o, size);
      return error ? { out: NaN, error } : { out: size };
    },
    output: (input) => {
      if (input.length !== 2) throw new Error(`input ${input.join('x')} has ${input.length} spatial axes; TransUNet is 2-D and takes exactly ${o.imgSize}x${o.imgSize}`);
      const errors = input.map((s, a) => [a, s, sideError(o, s)] as const).filter(([, , e]) => e);
      if (errors.length > 0) {
        const lines = errors.map(([a, s, e]) => `axis ${a} size ${s}: ${e}; nearest valid size: ${o.imgSize}`);
        throw new Error(`input ${input.join('x')} does not fit this TransUNet: ${lines.join('; ')}`);
      }
      return [...input];
    },
    nearest,
  };
}

/**
 * Every stage at imgSize (the only size; `input` must be empty or [imgSize, imgSize]): the ResNet trunk (levels 1–4),
 * the patch embedding and transformer layers on the 1/16 token grid, conv_more, the four decoder blocks with their
 * skips, and the head.
 */
export function transunetStages(o: ResolvedTransUNetOptions, input: readonly number[]): NetStage[] {
  if (input.length > 0) transunetGeometry(o).output(input);
  const n = o.imgSize, g = gridSide(o), w = resnetWidth(o), h = o.hiddenSize;
  const p = paramBreakdown(o);
  const trunk = 'transformer.embeddings.hybrid_model';
  const stages: NetStage[] = [
    { name: 'input', kind: 'input', module: '—', level: 0, inChannels: o.inChannels, channels: o.inChannels, size: [n, n], params: 0, from: [],
      detail: o.inChannels === 1 ? 'one channel, repeated to 3' : 'RGB' },
    { name: 'root', kind: 'encoder', module: `${trunk}.root`, level: 1, inChannels: 3, channels: w, size: [n / 2, n / 2], params: p.root, from: ['input'],
      detail: 'StdConv 7×7/2 → GN(32) → ReLU' },
  ];
  const blockSizes = [n / 4 - 1, n / 8, n / 16];
  o.blockUnits.forEach((units, b) => {
    const rb = resnetBlock(w, b, units);
    stages.push({ name: `block${b + 1}`, kind: 'encoder', module: `${trunk}.body.block${b + 1}`, level: b + 2, inChannels: rb.cin, channels: rb.cout,
      size: [blockSizes[b], blockSizes[b]], params: p.blocks[b], from: [b === 0 ? 'root' : `block${b}`],
      detail: `${b === 0 ? 'max-pool 3/2 (unpadded) → ' : ''}${units} × bottleneck (StdConv 1×1 → GN → ReLU → 3×3${b > 0 ? '/2' : ''} → GN → ReLU → 1×1 → GN, + shortcut) → ReLU${b === 0 ? `; skip zero-padded to ${n / 4}` : ''}` });
  });
  stages.push({ name: 'embed', kind: 'tokens', module: 'transformer.embeddings', level: 4, inChannels: 16 * w, channels: h, size: [g, g], params: p.embeddings,
    from: ['block3'], detail: `1×1 patch conv → ${g * g} tokens + position embeddings → dropout` });
  for (let l = 0; l < o.numLayers; l++) {
    const last = l === o.numLayers - 1;
    stages.push({ name: `layer${l}`, kind: 'tokens', module: `transformer.encoder.layer.${l}`, level: 4, inChannels: h, channels: h, size: [g, g],
      params: p.layer + (last ? p.encoderNorm : 0), from: [l === 0 ? 'embed' : `layer${l - 1}`],
      detail: `LN → MHSA (${o.numHeads} heads) + x → LN → MLP ${h}→${o.mlpDim}→${h} (GELU) + x${last ? ' → encoder_norm (LN)' : ''}` });
  }
  stages.push({ name: 'conv_more', kind: 'bottleneck', module: 'decoder.conv_more', level: 4, inChannels: h, channels: CONV_MORE_CHANNELS, size: [g, g],
    params: p.convMore, from: [`layer${o.numLayers - 1}`], detail: 'tokens → grid → conv 3×3 → BN → ReLU' });
  const skipStage = ['block2', 'block1', 'root'];
  decoderPlan(o).forEach((d, i) => {
    const from = [i === 0 ? 'conv_more' : `dec${i}`];
    if (d.skip > 0) from.push(skipStage[i]);
    stages.push({ name: `dec${i + 1}`, kind: 'decoder', module: `decoder.blocks.${i}`, level: 3 - i, inChannels: d.cin + d.skip, channels: d.cout,
      size: [g * 2 ** (i + 1), g * 2 ** (i + 1)], params: d.params, from,
      detail: `bilinear ×2 (align_corners)${d.skip > 0 ? ' → cat([up, skip])' : ''} → (conv 3×3 → BN → ReLU) × 2` });
  });
  stages.push({ name: 'head', kind: 'output', module: 'segmentation_head', level: 0, inChannels: o.decoderChannels[3], channels: o.classes, size: [n, n],
    params: p.head, from: ['dec4'], detail: 'conv 3×3 (bias)' });
  return stages;
}
