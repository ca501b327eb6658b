/**
 * UNETR without weights: parameter counts (arithmetic, tested equal to the built network's), the stages a drawing or
 * summary shows, and the geometry (the input must be exactly `imgSize`; the output has the input's size).
 */
import type { Geometry, NetStage } from '../types.js';
import { LAYERS, PATCH, SKIP_BLOCKS, type ResolvedUNETROptions } from './options.js';

const prod = (a: readonly number[]) => a.reduce((x, y) => x * y, 1);

/** Parameters of each module, by the state-dict prefix of the stage it belongs to. */
export function paramPlan(o: ResolvedUNETROptions) {
  const d = o.spatialDims, f = o.featureSize, h = o.hiddenSize, m = o.mlpDim;
  const k3 = 3 ** d, k2 = 2 ** d;
  const normP = (c: number) => (o.norm === 'batch' ? 2 * c : 0);
  const block = (cin: number, cout: number) =>
    k3 * cin * cout + k3 * cout * cout + 2 * normP(cout) + (o.resBlock && cin !== cout ? cin * cout + normP(cout) : 0);
  const up2 = (cin: number, cout: number) => k2 * cin * cout;
  const prUp = (cin: number, cout: number, n: number) => up2(cin, cout) + n * (up2(cout, cout) + (o.convBlock ? block(cout, cout) : 0));
  const upBlock = (cin: number, cout: number) => up2(cin, cout) + block(2 * cout, cout);
  const tokens = prod(o.imgSize.map((s) => s / PATCH));
  const embed = h * o.inChannels * PATCH ** d + h + tokens * h;
  const transformerBlock = (h * m + m + m * h + h) + 2 * h + (h * h + h) + (3 * h * h + (o.qkvBias ? 3 * h : 0)) + 2 * h;
  return {
    embed, transformerBlock, norm: 2 * h,
    encoder1: block(o.inChannels, f),
    encoder2: prUp(h, 2 * f, 2), encoder3: prUp(h, 4 * f, 1), encoder4: prUp(h, 8 * f, 0),
    decoder5: upBlock(h, 8 * f), decoder4: upBlock(8 * f, 4 * f), decoder3: upBlock(4 * f, 2 * f), decoder2: upBlock(2 * f, f),
    out: f * o.classes + o.classes,
  };
}

/** Trainable parameters without building the network. */
export function unetrParams(o: ResolvedUNETROptions): number {
  const p = paramPlan(o);
  return p.embed + LAYERS * p.transformerBlock + p.norm + p.encoder1 + p.encoder2 + p.encoder3 + p.encoder4
    + p.decoder5 + p.decoder4 + p.decoder3 + p.decoder2 + p.out;
}

/** The rule an input size breaks along `axis`, or undefined. */
function axisError(o: ResolvedUNETROptions, size: number, axis: number): string | undefined {
  const want = o.imgSize[axis];
  if (size === want) return undefined;
  return `must be exactly ${want} (imgSize: the position embeddings are learned for ${o.imgSize.map((s) => s / PATCH).join('×')} patches of ${PATCH})`;
}

/** The geometry of a UNETR with options `o`: one input size (imgSize), same-size output, stride 16. */
export function unetrGeometry(o: ResolvedUNETROptions): Geometry {
  const check = (axis: number) => {
    if (!(Number.isInteger(axis) && axis >= 0 && axis < o.spatialDims)) throw new Error(`axis ${axis} is not an axis of this ${o.spatialDims}-D network`);
  };
  const nearest = (size: number, axis = 0) => {
    check(axis);
    const s = o.imgSize[axis];
    return { below: s <= size ? s : undefined, above: s >= size ? s : undefined };
  };
  return {
    spatialDims: o.spatialDims, inChannels: o.inChannels, classes: o.classes, padding: 'same', stride: PATCH,
    fixed: [...o.imgSize],
    axis: (size, axis = 0) => {
      check(axis);
      const error = axisError(o, size, axis);
      return error ? { out: 0, error } : { out: size };
    },
    output: (input) => {
      if (input.length !== o.spatialDims) throw new Error(`input size ${input.join('x')} has ${input.length} axes; this ${o.spatialDims}-D UNETR needs ${o.spatialDims}`);
      const lines = input.flatMap((s, axis) => {
        const e = axisError(o, s, axis);
        if (!e) return [];
        const n = nearest(s, axis);
        const near = [n.below, n.above].filter((v, i, a) => v !== undefined && a.indexOf(v) === i).join(' or ');
        return [`axis ${axis} size ${s}: ${e}; nearest valid size: ${near}`];
      });
      if (lines.length > 0) throw new Error(`input ${input.join('x')} does not fit this UNETR (input exactly ${o.imgSize.join('x')}): ${lines.join('; ')}`);
      return [...input];
    },
    nearest,
  };
}

/** Every stage at an input size (the default, imgSize, when `input` is empty), without weights. */
export function unetrStages(o: ResolvedUNETROptions, input: readonly number[]): NetStage[] {
  const size = input.length === 0 ? [...o.imgSize] : [...input];
  unetrGeometry(o).output(size); // throws naming the rule for any other size
  const p = paramPlan(o);
  const f = o.featureSize, h = o.hiddenSize, C = o.inChannels;
  const at = (level: number) => size.map((s) => s / 2 ** level);
  const grid = at(4);
  const normName = o.norm === 'instance' ? 'IN' : 'BN';
  const blockDetail = o.resBlock ? `res block: (conv 3×3 → ${normName} → LReLU → conv 3×3 → ${normName}) + shortcut → LReLU` : `(conv 3×3 → ${normName} → LReLU) × 2`;
  const prUpDetail = (n: number) => `up 2× (transposed conv, no bias)${n === 0 ? '' : o.convBlock ? ` → (up 2× → conv block) × ${n}` : ` → up 2× × ${n}`}`;
  const stages: NetStage[] = [
    { name: 'input', kind: 'input', module: '—', level: 0, inChannels: C, channels: C, size, params: 0, from: [] },
    {
      name: 'embed', kind: 'tokens', module: 'vit.patch_embedding', level: 4, column: 0, inChannels: C, channels: h, size: grid, params: p.embed, from: ['input'],
      detail: `${o.projType === 'conv' ? `conv ${PATCH}×${PATCH}${o.spatialDims === 3 ? `×${PATCH}` : ''} stride ${PATCH}` : `patches of ${PATCH} flattened → Linear`} → + position embeddings: ${grid.join('×')} tokens`,
    },
  ];
  for (let i = 1; i <= LAYERS; i++) {
    stages.push({
      name: `block${i}`, kind: 'tokens', module: `vit.blocks.${i - 1}`, level: 4, column: i, inChannels: h, channels: h, size: grid, params: p.transformerBlock,
      from: [i === 1 ? 'embed' : `block${i - 1}`], detail: `x + MHA(LN(x)) (${o.numHeads} heads), then + MLP(LN(x)) (${o.mlpDim}, GELU)`,
    });
  }
  stages.push({ name: 'bottleneck', kind: 'bottleneck', module: 'vit.norm', level: 4, inChannels: h, channels: h, size: grid, params: p.norm, from: [`block${LAYERS}`], detail: 'LayerNorm of the last block’s tokens' });
  stages.push({ name: 'encoder1', kind: 'encoder', module: 'encoder1', level: 0, inChannels: C, channels: f, size: at(0), params: p.encoder1, from: ['input'], detail: blockDetail });
  const enc = [[2, 2 * f, p.encoder2, 2], [3, 4 * f, p.encoder3, 1], [4, 8 * f, p.encoder4, 0]] as const;
  enc.forEach(([k, c, params, n], i) => stages.push({
    name: `encoder${k}`, kind: 'encoder', module: `encoder${k}`, level: k - 1, inChannels: h, channels: c, size: at(k - 1), params,
    from: [`block${SKIP_BLOCKS[i]}`], detail: prUpDetail(n),
  }));
  const dec = [[5, 8 * f, p.decoder5, 'bottleneck', h], [4, 4 * f, p.decoder4, 'decoder5', 8 * f], [3, 2 * f, p.decoder3, 'decoder4', 4 * f], [2, f, p.decoder2, 'decoder3', 2 * f]] as const;
  for (const [k, c, params, prev, cin] of dec) {
    stages.push({
      name: `decoder${k}`, kind: 'decoder', module: `decoder${k}`, level: k - 2, inChannels: cin, channels: c, size: at(k - 2), params,
      from: [prev, `encoder${k - 1}`], detail: `up 2× (transposed conv) → cat[up, skip] → ${blockDetail}`,
    });
  }
  stages.push({ name: 'out', kind: 'output', module: 'out', level: 0, inChannels: f, channels: o.classes, size: at(0), params: p.out, from: ['decoder2'], detail: 'conv 1×1 with bias' });
  return stages;
}
