/**
 * U-Net++ without weights: the channels of every node x_i_j, parameter counts, the geometry (which input sizes the
 * network takes) and the stages a drawing shows — arithmetic on the resolved options, shared by the network, `unet
 * summary` and the explorer.
 *
 * The grid (Zhou 2018, Fig. 1): row i = resolution level (i poolings), column j. x_i_0 is the encoder (x_0_0 a TwoConv,
 * x_i_0 = Down(x_i−1_0)); x_i_j = UpCat(x_i+1_j−1, [x_i_0 … x_i_j−1]) for i + j ≤ 4. Heads 1 … 4 are 1×1 convs on
 * x_0_1 … x_0_4.
 */
import type { Geometry, NetStage } from '../types.js';
import type { ResolvedUNetPPOptions } from './options.js';

/** Rows below the top (2× max-poolings). */
export const DEPTH = 4;
/** The smallest size along an axis: four 2× max-poolings leave one voxel. */
export const MIN_SIZE = 2 ** DEPTH;

/** Channels of node x_i_j: f[i], except x_0_4, which has f[5]. */
export const nodeChannels = (f: readonly number[], i: number, j: number): number => (i === 0 && j === 4 ? f[5] : f[i]);

/** Channels out of the transposed up-convolution feeding row i (from row i + 1): halved except on row 0. */
export const upChannels = (f: readonly number[], i: number): number => (i > 0 ? Math.floor(f[i + 1] / 2) : f[i + 1]);

/** Every node (i, j) of the network pruned at level L (i + j ≤ L), in the order they are computed: anti-diagonal k gives x_k_0, then x_k−1_1 … x_0_k. */
export function nodeOrder(level = DEPTH): [number, number][] {
  const out: [number, number][] = [[0, 0]];
  for (let k = 1; k <= level; k++) for (let j = 0; j <= k; j++) out.push([k - j, j]);
  return out;
}

const convParams = (cin: number, cout: number, k: number, dims: number): number => cin * cout * k ** dims + cout; // with bias
/** ConvNormAct: conv 3×3(×3) with bias + InstanceNorm's weight and bias. */
const unitParams = (cin: number, cout: number, dims: number): number => convParams(cin, cout, 3, dims) + 2 * cout;
const twoConvParams = (cin: number, cout: number, dims: number): number => unitParams(cin, cout, dims) + unitParams(cout, cout, dims);

/** Input channels of node x_i_j's TwoConv. */
export function nodeInChannels(o: ResolvedUNetPPOptions, i: number, j: number): number {
  const f = o.features;
  if (j === 0) return i === 0 ? o.inChannels : f[i - 1];
  return j * f[i] + upChannels(f, i);
}

/** Trainable parameters of node x_i_j (its TwoConv, and its transposed up-convolution for j > 0). */
export function nodeParams(o: ResolvedUNetPPOptions, i: number, j: number): number {
  const d = o.spatialDims, f = o.features;
  const convs = twoConvParams(nodeInChannels(o, i, j), nodeChannels(f, i, j), d);
  return j === 0 ? convs : convs + convParams(f[i + 1], upChannels(f, i), 2, d);
}

/** Trainable parameters of head j (1×1 conv with bias on x_0_j). */
export const headParams = (o: ResolvedUNetPPOptions, j: number): number => convParams(nodeChannels(o.features, 0, j), o.classes, 1, o.spatialDims);

/** Every trainable parameter: all nodes and all four heads (built whether or not they run). */
export function unetppParams(o: ResolvedUNetPPOptions): number {
  let n = 0;
  for (const [i, j] of nodeOrder()) n += nodeParams(o, i, j);
  for (let j = 1; j <= DEPTH; j++) n += headParams(o, j);
  return n;
}

/** Sizes of rows 0 … 4 along one axis: each 2× max-pooling floors. */
export const rowSizes = (size: number): number[] => Array.from({ length: DEPTH + 1 }, (_, i) => Math.floor(size / 2 ** i));

/** The first rule an axis size breaks, if any. */
function axisError(size: number): string | undefined {
  if (!Number.isInteger(size) || size < 1) return `size must be a positive integer, got ${size}`;
  if (size < MIN_SIZE) return `size ${size} is below ${MIN_SIZE}: four 2× max-poolings would leave no voxel at row ${DEPTH}`;
  return undefined;
}

/**
 * Output spatial size (the input's: every convolution is padded, and each up-sampled map one voxel short of its skip
 * is replicate-padded) for an input size; throws naming each broken rule and the nearest valid sizes.
 */
export function checkUNetPPInput(o: ResolvedUNetPPOptions, input: readonly number[]): number[] {
  if (input.length !== o.spatialDims) throw new Error(`input size [${input}] has ${input.length} axes; this ${o.spatialDims}-D U-Net++ takes ${o.spatialDims}`);
  const errors: string[] = [];
  input.forEach((s, a) => {
    const e = axisError(s);
    if (e) {
      const { below, above } = nearestUNetPPSize(s);
      errors.push(`axis ${a} size ${s}: ${e}; nearest valid sizes: ${[below, above].filter((v) => v !== undefined).join(' or ')}`);
    }
  });
  if (errors.length > 0) throw new Error(`U-Net++ cannot take input [${input}]: ${errors.join('; ')}`);
  const deepest = input.map((s) => rowSizes(s)[DEPTH]);
  if (deepest.every((s) => s === 1)) {
    throw new Error(`U-Net++ cannot take input [${input}]: row ${DEPTH} would be [${deepest}], a single voxel, and InstanceNorm needs more than one (MONAI refuses it too); make one axis ≥ ${2 * MIN_SIZE}`);
  }
  return [...input];
}

/** Accepted sizes nearest to `size` along an axis, below and above (every integer ≥ 16 on its own). */
export function nearestUNetPPSize(size: number): { below?: number; above?: number } {
  return { below: size >= MIN_SIZE ? Math.floor(size) : undefined, above: Math.max(Math.ceil(size), MIN_SIZE) };
}

/**
 * The geometry: padding 'same', stride 1 (any size ≥ 16 per axis: odd sizes are replicate-padded where an up-sampled
 * map is one voxel short; multiples of 16 need no padding), and no single-voxel deepest map.
 */
export function unetppGeometry(o: ResolvedUNetPPOptions): Geometry {
  return {
    spatialDims: o.spatialDims, inChannels: o.inChannels, classes: o.classes, padding: 'same', stride: 1,
    axis: (size) => {
      const error = axisError(size);
      return error ? { out: NaN, error } : { out: size };
    },
    output: (input) => checkUNetPPInput(o, input),
    nearest: (size) => nearestUNetPPSize(size),
  };
}

const nodeName = (i: number, j: number) => `x_${i}_${j}`;
const nodeModule = (i: number, j: number) => (j === 0 ? `conv_${i}_0` : `upcat_${i}_${j}`);

/**
 * Every node and head at an input size (sizes empty when `input` is empty or refused), with level = row i and
 * column = j; `from` lists the data path first (the node below for x_i_j, j > 0), then the skips x_i_0 … x_i_j−1.
 * The last stage, `output`, is what `forward` returns.
 */
export function unetppStages(o: ResolvedUNetPPOptions, input: readonly number[]): NetStage[] {
  let sized = input.length > 0;
  if (sized) {
    try { checkUNetPPInput(o, input); } catch { sized = false; }
  }
  const rows = sized ? input.map(rowSizes) : [];
  const sizeAt = (i: number) => (sized ? rows.map((r) => r[i]) : []);
  const f = o.features;
  const stages: NetStage[] = [{ name: 'input', kind: 'input', module: '—', level: 0, column: 0, inChannels: o.inChannels, channels: o.inChannels, size: sized ? [...input] : [], params: 0, from: [] }];
  for (const [i, j] of nodeOrder()) {
    const kind = j > 0 ? 'decoder' : i === DEPTH ? 'bottleneck' : 'encoder';
    const from = j === 0 ? [i === 0 ? 'input' : nodeName(i - 1, 0)] : [nodeName(i + 1, j - 1), ...Array.from({ length: j }, (_, m) => nodeName(i, m))];
    const detail = j === 0
      ? (i === 0 ? '(conv 3×3 → IN → LeakyReLU 0.1) × 2' : 'max-pool 2× → (conv 3×3 → IN → LeakyReLU 0.1) × 2')
      : `up-conv 2× (${f[i + 1]} → ${upChannels(f, i)}), replicate-pad odd sizes → concat [x_${i}_0 … x_${i}_${j - 1}, up] → (conv 3×3 → IN → LeakyReLU 0.1) × 2`;
    stages.push({ name: nodeName(i, j), kind, module: nodeModule(i, j), level: i, column: j, inChannels: nodeInChannels(o, i, j), channels: nodeChannels(f, i, j), size: sizeAt(i), params: nodeParams(o, i, j), from, detail });
  }
  const runs = (j: number) => (o.deepSupervision ? (o.inference === 'accurate' || j === o.pruneLevel) : j === DEPTH);
  for (let j = 1; j <= DEPTH; j++) {
    const note = o.deepSupervision ? (runs(j) ? '' : ' (not used by inference \'fast\')') : (j === DEPTH ? '' : ' (built, never run without deep supervision)');
    stages.push({ name: `head${j}`, kind: 'head', module: `final_conv_0_${j}`, level: 0, column: j, inChannels: nodeChannels(f, 0, j), channels: o.classes, size: sizeAt(0), params: headParams(o, j), from: [nodeName(0, j)], detail: `conv 1×1${note}` });
  }
  const used = [1, 2, 3, 4].filter(runs);
  const outDetail = !o.deepSupervision ? 'head 4 (MONAI)' : o.inference === 'accurate' ? 'mean of the four heads’ logits' : `head ${o.pruneLevel} of the pruned network (nodes with i + j ≤ ${o.pruneLevel})`;
  stages.push({ name: 'output', kind: 'output', module: '—', level: 0, column: 0, inChannels: o.classes, channels: o.classes, size: sizeAt(0), params: 0, from: used.map((j) => `head${j}`), detail: outDetail });
  return stages;
}
