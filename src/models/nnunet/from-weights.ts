/**
 * An nnU-Net checkpoint's topology read off its weights, so that `unet import --from checkpoint_final.pth --arch nnunet`
 * needs no options: PlainConvUNet's state dict fixes every option but deep supervision — the stages' widths and
 * kernels (each conv weight is [Cout, Cin, k…]), the convs per stage, the input channels and classes, the spatial
 * dimensions (the weights' rank) and the strides: each transposed conv's kernel equals the stride it undoes
 * (`decoder.transpconvs.i` undoes stage n−1−i's), and stage 0 has stride 1.
 */
import type { NnUNetOptions } from './options.js';

/**
 * The options `shapes` (state-dict names of this network, after `nnunetForeignKey`, → PyTorch-layout shapes) fix; null
 * when the names are not a PlainConvUNet's (the caller then keeps the preset's). Throws, naming the tensor and the
 * rule, where the weights are a PlainConvUNet this port cannot build (a ResEnc U-Net, per-stage conv counts).
 */
export function nnunetOptionsFromWeights(shapes: ReadonlyMap<string, readonly number[]>, where: string): NnUNetOptions | null {
  if ([...shapes.keys()].some((k) => k.startsWith('encoder.stem.'))) {
    throw new Error(`${where}: tensor '${[...shapes.keys()].find((k) => k.startsWith('encoder.stem.'))}' is a residual-encoder U-Net's (nnU-Net ResEnc presets) — rule: this port is nnU-Net's PlainConvUNet`);
  }
  const enc = (s: number, c: number) => shapes.get(`encoder.stages.${s}.0.convs.${c}.conv.weight`);
  if (!enc(0, 0)) return null;
  let n = 0;
  while (enc(n, 0)) n++;
  const count = (prefix: string) => { let c = 0; while (shapes.has(`${prefix}.convs.${c}.conv.weight`)) c++; return c; };
  const convs = count('encoder.stages.0.0');
  for (let s = 0; s < n; s++) {
    const c = count(`encoder.stages.${s}.0`);
    if (c !== convs) throw new Error(`${where}: encoder stage ${s} has ${c} convs, stage 0 ${convs} — rule: one number of convs per stage (this port's convsPerStage)`);
  }
  for (let d = 0; d < n - 1; d++) {
    const c = count(`decoder.stages.${d}`);
    if (c !== convs) throw new Error(`${where}: decoder stage ${d} has ${c} convs, the encoder's stages ${convs} — rule: as many convs per decoder stage as per encoder stage (this port's convsPerStage)`);
  }
  const first = enc(0, 0)!;
  const spatialDims = first.length - 2;
  if (spatialDims !== 2 && spatialDims !== 3) throw new Error(`${where}: tensor 'encoder.stages.0.0.convs.0.conv.weight' has shape [${first}] — rule: a 2-D or 3-D conv weight [Cout, Cin, k…]`);
  const features: number[] = [], kernels: number[][] = [], strides: number[][] = [Array<number>(spatialDims).fill(1)];
  for (let s = 0; s < n; s++) {
    const w = enc(s, 0)!;
    features.push(w[0]);
    kernels.push(w.slice(2));
  }
  for (let s = 1; s < n; s++) {
    const t = shapes.get(`decoder.transpconvs.${n - 1 - s}.weight`);
    if (!t || t.length !== spatialDims + 2) throw new Error(`${where}: tensor 'decoder.transpconvs.${n - 1 - s}.weight' (undoing stage ${s}'s stride) is ${t ? `of shape [${t}]` : 'missing'} — rule: a transposed conv weight [Cin, Cout, stride…] for every stage but the last`);
    strides.push(t.slice(2));
  }
  const seg = shapes.get('decoder.seg_layers.0.weight');
  if (!seg) throw new Error(`${where}: tensor 'decoder.seg_layers.0.weight' is missing — rule: a PlainConvUNet has a 1×1 segmentation head per decoder stage`);
  return { spatialDims: spatialDims as 2 | 3, inChannels: first[1], classes: seg[0], features, kernels, strides, convsPerStage: convs };
}
