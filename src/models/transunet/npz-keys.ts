/**
 * The official pretrained encoder, `R50+ViT-B_16.npz` (ImageNet-21k; JAX/flax names such as
 * `Transformer/encoderblock_0/MultiHeadDotProductAttention_1/query/kernel`, conv kernels HWIO, dense kernels [in, out],
 * attention kernels [hidden, heads, dim]), onto this network's PyTorch names and layouts — what upstream's
 * `VisionTransformer.load_from` does:
 *   - conv kernels HWIO → OIHW; dense kernels transposed to [out, in]; attention kernels viewed as [hidden, hidden]
 *     first (query/key/value [in, heads·dim], out [heads·dim, out]); biases and norm scales flattened;
 *   - LayerNorm_0 → attention_norm, LayerNorm_2 → ffn_norm, MlpBlock_3/Dense_0|1 → ffn.fc1|fc2;
 *   - the position embeddings: taken as they are when the token counts agree; the class token's row dropped when the
 *     file has one more; otherwise the grid (without the class token) resized with linear interpolation, corners
 *     aligned (upstream's scipy `ndimage.zoom(order=1)`);
 *   - the ResNet: conv_root / gn_root → root.conv / root.gn, block{b}/unit{u}/{conv,gn}{1,2,3} and conv_proj / gn_proj
 *     → body.block{b}.unit{u}.{conv,gn}{1,2,3}, downsample, gn_proj.
 * The file holds no decoder and no head (and a classifier head and class token that are not used): `loadNpzEncoder`
 * loads the encoder and leaves the decoder and head as they are. `readNpz` (src/io/npz.ts) reads the file's bytes.
 * Checked once against upstream itself: an npz written from the `transunet` fixture's weights in these names and
 * layouts, loaded by Beckschen's own `load_from` (@02ef0010, scipy 1.10) and by `loadNpzEncoder`, gives the same 85
 * encoder tensors to the bit, position embeddings resized from a 14×14 grid included.
 */
import type { SafeTensor } from '../../io/safetensors.js';
import { loadStateDict, stateDict } from '../../io/weights.js';
import { linearTaps } from '../../nn/ops/resize.js';
import type { Module } from '../../nn/module.js';

const TRUNK = 'transformer.embeddings.hybrid_model';
const EMB = 'transformer.embeddings';
const ENC = 'transformer.encoder';

/** One block's flax sub-names → ours. */
const BLOCK_PARTS: [string, string][] = [
  ['MultiHeadDotProductAttention_1/query/kernel', 'attn.query.weight'], ['MultiHeadDotProductAttention_1/query/bias', 'attn.query.bias'],
  ['MultiHeadDotProductAttention_1/key/kernel', 'attn.key.weight'], ['MultiHeadDotProductAttention_1/key/bias', 'attn.key.bias'],
  ['MultiHeadDotProductAttention_1/value/kernel', 'attn.value.weight'], ['MultiHeadDotProductAttention_1/value/bias', 'attn.value.bias'],
  ['MultiHeadDotProductAttention_1/out/kernel', 'attn.out.weight'], ['MultiHeadDotProductAttention_1/out/bias', 'attn.out.bias'],
  ['MlpBlock_3/Dense_0/kernel', 'ffn.fc1.weight'], ['MlpBlock_3/Dense_0/bias', 'ffn.fc1.bias'],
  ['MlpBlock_3/Dense_1/kernel', 'ffn.fc2.weight'], ['MlpBlock_3/Dense_1/bias', 'ffn.fc2.bias'],
  ['LayerNorm_0/scale', 'attention_norm.weight'], ['LayerNorm_0/bias', 'attention_norm.bias'],
  ['LayerNorm_2/scale', 'ffn_norm.weight'], ['LayerNorm_2/bias', 'ffn_norm.bias'],
];

/** A ResNet unit's flax sub-names → ours. */
const UNIT_PARTS: [string, string][] = [
  ['conv1/kernel', 'conv1.weight'], ['conv2/kernel', 'conv2.weight'], ['conv3/kernel', 'conv3.weight'],
  ['gn1/scale', 'gn1.weight'], ['gn1/bias', 'gn1.bias'], ['gn2/scale', 'gn2.weight'], ['gn2/bias', 'gn2.bias'],
  ['gn3/scale', 'gn3.weight'], ['gn3/bias', 'gn3.bias'],
  ['conv_proj/kernel', 'downsample.weight'], ['gn_proj/scale', 'gn_proj.weight'], ['gn_proj/bias', 'gn_proj.bias'],
];

const FIXED: [string, string][] = [
  ['embedding/kernel', `${EMB}.patch_embeddings.weight`], ['embedding/bias', `${EMB}.patch_embeddings.bias`],
  ['Transformer/posembed_input/pos_embedding', `${EMB}.position_embeddings`],
  ['Transformer/encoder_norm/scale', `${ENC}.encoder_norm.weight`], ['Transformer/encoder_norm/bias', `${ENC}.encoder_norm.bias`],
  ['conv_root/kernel', `${TRUNK}.root.conv.weight`], ['gn_root/scale', `${TRUNK}.root.gn.weight`], ['gn_root/bias', `${TRUNK}.root.gn.bias`],
];
const FIXED_MAP = new Map(FIXED);

/**
 * Maps a key of the official npz (or of a PyTorch state dict with a `module.` prefix) onto this network's name;
 * identity for keys it does not know (upstream PyTorch names are already ours; `cls`, `head/*` stay foreign).
 */
export function transunetForeignKey(key: string): string {
  const k = key.replace(/^module\./, '');
  const fixed = FIXED_MAP.get(k);
  if (fixed) return fixed;
  let m: RegExpMatchArray | null;
  if ((m = k.match(/^Transformer\/encoderblock_(\d+)\/(.+)$/))) {
    const part = BLOCK_PARTS.find(([f]) => f === m![2]);
    if (part) return `${ENC}.layer.${m[1]}.${part[1]}`;
  }
  if ((m = k.match(/^(block\d+)\/(unit\d+)\/(.+)$/))) {
    const part = UNIT_PARTS.find(([f]) => f === m![3]);
    if (part) return `${TRUNK}.body.${m[1]}.${m[2]}.${part[1]}`;
  }
  return k;
}

/** Our name → the npz's (the inverse of `transunetForeignKey` on the encoder's names), or undefined for decoder/head. */
export function npzKey(name: string): string | undefined {
  for (const [f, ours] of FIXED) if (ours === name) return f;
  let m: RegExpMatchArray | null;
  if ((m = name.match(/^transformer\.encoder\.layer\.(\d+)\.(.+)$/))) {
    const part = BLOCK_PARTS.find(([, o]) => o === m![2]);
    return part ? `Transformer/encoderblock_${m[1]}/${part[0]}` : undefined;
  }
  if ((m = name.match(/^transformer\.embeddings\.hybrid_model\.body\.(block\d+)\.(unit\d+)\.(.+)$/))) {
    const part = UNIT_PARTS.find(([, o]) => o === m![3]);
    return part ? `${m[1]}/${m[2]}/${part[0]}` : undefined;
  }
  return undefined;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Row-major transpose of a rank-2 [r, c] array. */
function transpose2(data: ArrayLike<number>, r: number, c: number): Float32Array {
  const out = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = data[i * c + j];
  return out;
}

/** Permutes a rank-4 array: out[index permuted] (out axis a = in axis perm[a]). */
function permute4(data: ArrayLike<number>, shape: readonly number[], perm: readonly number[]): { data: Float32Array; shape: number[] } {
  const outShape = perm.map((p) => shape[p]);
  const inStride = [shape[1] * shape[2] * shape[3], shape[2] * shape[3], shape[3], 1];
  const s = perm.map((p) => inStride[p]);
  const out = new Float32Array(size(shape));
  let o = 0;
  for (let a = 0; a < outShape[0]; a++) for (let b = 0; b < outShape[1]; b++) for (let c = 0; c < outShape[2]; c++) {
    const base = a * s[0] + b * s[1] + c * s[2];
    for (let d = 0; d < outShape[3]; d++) out[o++] = data[base + d * s[3]];
  }
  return { data: out, shape: outShape };
}

const HWIO_TO_OIHW = [3, 2, 0, 1];
const OIHW_TO_HWIO = [2, 3, 1, 0];

const f32 = (data: Float32Array, shape: number[]): SafeTensor => ({ dtype: 'F32', shape, data });

/**
 * Position embeddings [1, M, hidden] from the file onto `tokens` = g² rows: as they are, without the class token's
 * row, or (without it) resized from the file's grid with corner-aligned linear interpolation.
 */
export function adaptPositionEmbeddings(t: SafeTensor, tokens: number): SafeTensor {
  const hidden = t.shape[t.shape.length - 1];
  const m = size(t.shape) / hidden;
  const data = Float32Array.from(t.data);
  if (m === tokens) return f32(data, [1, tokens, hidden]);
  if (m - 1 === tokens) return f32(data.slice(hidden), [1, tokens, hidden]);
  // upstream: the grid is posemb[0, 1:] (the class token dropped), zoomed from gs_old² to gs_new² with order 1
  const gsOld = Math.floor(Math.sqrt(m - 1)), gsNew = Math.floor(Math.sqrt(tokens));
  if (gsOld * gsOld !== m - 1 || gsNew * gsNew !== tokens) throw new Error(`position embeddings: the file has ${m} rows (a class token and a square grid expected) and the network ${tokens} tokens (a square grid)`);
  const grid = data.subarray(hidden);
  const { i0, i1, w } = linearTaps(gsOld, gsNew, true);
  const out = new Float32Array(tokens * hidden);
  for (let y = 0; y < gsNew; y++) for (let x = 0; x < gsNew; x++) {
    const wy = w[y], wx = w[x];
    const at = (r: number, c: number) => (r * gsOld + c) * hidden;
    const a = at(i0[y], i0[x]), b = at(i0[y], i1[x]), c = at(i1[y], i0[x]), d = at(i1[y], i1[x]);
    const o = (y * gsNew + x) * hidden;
    for (let k = 0; k < hidden; k++) {
      const top = grid[a + k] + (grid[b + k] - grid[a + k]) * wx;
      const bottom = grid[c + k] + (grid[d + k] - grid[c + k]) * wx;
      out[o + k] = top + (bottom - top) * wy;
    }
  }
  return f32(out, [1, tokens, hidden]);
}

/**
 * The npz's tensors as this network's state-dict entries (PyTorch names and layouts): every key `transunetForeignKey`
 * maps into the encoder, converted; keys it leaves foreign (`cls`, `head/*`, `pre_logits/*`) are returned apart.
 * `tokens` is the network's token count, (imgSize/16)².
 */
export function npzToStateDict(npz: ReadonlyMap<string, SafeTensor>, tokens: number): { state: Map<string, SafeTensor>; unused: string[] } {
  const state = new Map<string, SafeTensor>();
  const unused: string[] = [];
  for (const [key, t] of npz) {
    const name = transunetForeignKey(key);
    if (name === key.replace(/^module\./, '')) {
      unused.push(key);
      continue;
    }
    const data = Float32Array.from(t.data);
    const n = size(t.shape);
    if (name.endsWith('position_embeddings')) state.set(name, adaptPositionEmbeddings(t, tokens));
    else if (key.endsWith('/kernel') && t.shape.length === 4) {
      const p = permute4(data, t.shape, HWIO_TO_OIHW); // HWIO → OIHW
      state.set(name, f32(p.data, p.shape));
    } else if (/\/(query|key|value)\/kernel$/.test(key)) {
      const hIn = t.shape[0], hOut = n / hIn; // [in, heads, dim] → [in, out] → [out, in]
      state.set(name, f32(transpose2(data, hIn, hOut), [hOut, hIn]));
    } else if (/\/out\/kernel$/.test(key)) {
      const hOut = t.shape[t.shape.length - 1], hIn = n / hOut; // [heads, dim, out] → [in, out] → [out, in]
      state.set(name, f32(transpose2(data, hIn, hOut), [hOut, hIn]));
    } else if (key.endsWith('/kernel')) {
      state.set(name, f32(transpose2(data, t.shape[0], t.shape[1]), [t.shape[1], t.shape[0]])); // dense [in, out] → [out, in]
    } else state.set(name, f32(data, [n])); // biases, norm scales: flattened
  }
  return { state, unused };
}

/**
 * The inverse: this network's encoder entries (PyTorch names and layouts) in the npz's names and layouts, with
 * attention kernels as flax's [hidden, heads, dim] / [heads, dim, hidden] and a class-token row on the position
 * embeddings (`classToken`, default zeros). For tests and for writing a checkpoint upstream's `load_from` reads.
 */
export function stateDictToNpz(state: ReadonlyMap<string, SafeTensor>, heads: number, classToken?: Float32Array): Map<string, SafeTensor> {
  const out = new Map<string, SafeTensor>();
  for (const [name, t] of state) {
    const key = npzKey(name);
    if (!key) continue;
    const data = Float32Array.from(t.data);
    if (name.endsWith('position_embeddings')) {
      const [, n, h] = t.shape;
      const withCls = new Float32Array((n + 1) * h);
      withCls.set(classToken ?? new Float32Array(h));
      withCls.set(data, h);
      out.set(key, f32(withCls, [1, n + 1, h]));
    } else if (t.shape.length === 4) {
      const p = permute4(data, t.shape, OIHW_TO_HWIO);
      out.set(key, f32(p.data, p.shape));
    } else if (/\/(query|key|value)\/kernel$/.test(key)) {
      const [o, i] = t.shape;
      out.set(key, f32(transpose2(data, o, i), [i, heads, o / heads]));
    } else if (/\/out\/kernel$/.test(key)) {
      const [o, i] = t.shape;
      out.set(key, f32(transpose2(data, o, i), [heads, i / heads, o]));
    } else if (/\/(query|key|value)\/bias$/.test(key)) out.set(key, f32(data, [heads, t.shape[0] / heads]));
    else if (t.shape.length === 2) out.set(key, f32(transpose2(data, t.shape[0], t.shape[1]), [t.shape[1], t.shape[0]]));
    else out.set(key, f32(data, [...t.shape]));
  }
  return out;
}

/**
 * Loads the npz's encoder into `net` (a TransUNet), keeping its decoder and head; every encoder tensor must be in the
 * file with the right shape (strict, via `loadStateDict`). Returns the file's keys that were not used.
 */
export async function loadNpzEncoder(net: Module & { options: { imgSize: number } }, npz: ReadonlyMap<string, SafeTensor>, where = 'R50+ViT-B_16.npz'): Promise<string[]> {
  const g = net.options.imgSize / 16;
  const { state, unused } = npzToStateDict(npz, g * g);
  const current = await stateDict(net);
  for (const [name, t] of current) {
    if (npzKey(name) === undefined) state.set(name, t); // decoder, head, BatchNorm buffers: as they are
  }
  loadStateDict(net, state, where, (k) => k);
  return unused;
}
