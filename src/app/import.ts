/**
 * `unet import`: a model file (`model.safetensors` + `model.json`) from weights made elsewhere — a PyTorch
 * `state_dict` saved as safetensors in the architecture's reference names (or a naming its `foreignKey` maps), or an
 * upstream release in its own format that the architecture knows how to read (`importPretrained`: TransUNet's
 * `R50+ViT-B_16.npz`, encoder only; the decoder and head keep their seeded initialisation). `unet train --init` then
 * fine-tunes from it. Nothing is written unless every tensor the network needs loaded.
 */
import { readFile } from 'node:fs/promises';
import { architectures, createNet, presetSpec } from '../models/registry.js';
import type { NetSpec } from '../models/types.js';
import { readNpz } from '../io/npz.js';
import { readSafetensors } from '../io/safetensors.js';
import { loadStateDict } from '../io/weights.js';
import { saveModel } from '../io/files.js';
import { foreignKeyOf } from '../models/registry.js';

export interface ImportOptions {
  /** The weights: `.safetensors` (a full state dict) or `.npz` (an upstream release). Required. */
  weights: string;
  /** The preset whose network the weights are for. Required. */
  preset: string;
  /** Options on top of the preset's (e.g. `classes`, `imgSize`). Default none. */
  options?: Record<string, unknown>;
  /** The model file to write (`.safetensors`; its `.json` goes beside it). Required. */
  out: string;
}

export async function importRun(o: ImportOptions): Promise<{ spec: NetSpec; params: number; unused: string[] }> {
  if (!o.out.endsWith('.safetensors')) throw new Error(`--out ${o.out}: the model file must end in .safetensors (its spec goes beside it as .json)`);
  const spec = presetSpec(o.preset, o.options ?? {});
  const a = architectures.get(spec.arch);
  const npz = /\.npz$/i.test(o.weights);
  if (!npz && !/\.safetensors$/i.test(o.weights)) throw new Error(`--weights ${o.weights}: expected a .safetensors state dict or an .npz release`);
  if (npz && !a.importPretrained) {
    const able = architectures.names().filter((n) => architectures.get(n).importPretrained);
    throw new Error(`--weights ${o.weights}: ${spec.arch} reads no .npz release (architectures that do: ${able.join(', ') || 'none'}); give a .safetensors state dict`);
  }
  const bytes = new Uint8Array(await readFile(o.weights).catch((e: Error) => { throw new Error(`--weights ${o.weights}: unreadable (${e.message})`); }));
  const net = createNet(spec);
  try {
    let unused: string[] = [];
    if (npz) unused = await a.importPretrained!(net, readNpz(bytes, o.weights), o.weights);
    else loadStateDict(net, readSafetensors(bytes, o.weights).tensors, o.weights, foreignKeyOf(spec.arch));
    await saveModel(net, o.out);
    return { spec, params: net.parameterCount(), unused };
  } finally {
    net.dispose();
  }
}
