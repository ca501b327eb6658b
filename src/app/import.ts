/**
 * `unet import`: a model file (`model.safetensors` + `model.json`) from weights made elsewhere —
 * - a PyTorch checkpoint (`torch.save`, `.pth` / `.pt` / `.bin` / `.ckpt`, recognised by its content): read without
 *   running anything (src/io/pth.ts), its state dict found at the top or under `model`, `state_dict`, `net`,
 *   `network_weights` (nnU-Net), … (or `key`), a `module.` prefix (DataParallel) removed, and a wrapper's attribute
 *   before every name (PyTorch Lightning's `model.`) where the names fit the network only without it;
 * - a PyTorch `state_dict` saved as safetensors;
 * both in the architecture's reference names or a naming its `foreignKey` maps (the papers' modules, MONAI's and
 * nnU-Net's upstream names; an architecture may read its options off the weights, `optionsFromWeights`: nnU-Net's
 * topology); or an upstream release in its own format that the architecture knows how to read
 * (`importPretrained`: TransUNet's `R50+ViT-B_16.npz`, encoder only; the decoder and head keep their seeded
 * initialisation). `unet train --init` then fine-tunes from it. Nothing is written unless every tensor the network
 * needs loaded and every tensor of the state dict found its place.
 */
import { readFile } from 'node:fs/promises';
import { architectures, createNet, presets, presetSpec } from '../models/registry.js';
import type { NetSpec } from '../models/types.js';
import type { SafeTensor } from '../io/safetensors.js';
import { readNpz } from '../io/npz.js';
import { readSafetensors } from '../io/safetensors.js';
import { looksLikePth, readPthStateDict } from '../io/pth.js';
import { loadStateDict } from '../io/weights.js';
import { saveModel } from '../io/files.js';
import { foreignKeyOf } from '../models/registry.js';

export interface ImportOptions {
  /**
   * The weights: a PyTorch checkpoint (`torch.save`; recognised by content, whatever its extension), a `.safetensors`
   * state dict or an `.npz` release. Required.
   */
  weights: string;
  /** The preset whose network the weights are for. Required unless `arch` is given. */
  preset?: string;
  /** The architecture the weights are for: its first preset, unless `preset` names one of its presets. Default: the preset's. */
  arch?: string;
  /** Options on top of the preset's (e.g. `classes`, `imgSize`). Default none. */
  options?: Record<string, unknown>;
  /** PyTorch checkpoints: the top-level key holding the state dict. Default: the checkpoint itself if it is one, else the first of model, state_dict, … that holds one. */
  key?: string;
  /** The model file to write (`.safetensors`; its `.json` goes beside it). Required. */
  out: string;
}

export interface ImportResult {
  spec: NetSpec;
  params: number;
  /** Tensors of an `.npz` release the architecture did not use. */
  unused: string[];
  /**
   * What was read: the format; for a PyTorch checkpoint the key its state dict was under; the prefix removed from every
   * name (`module.` of DataParallel, `_orig_mod.` of torch.compile, a wrapper's attribute such as Lightning's `model.`).
   */
  source: { format: 'pth' | 'safetensors' | 'npz'; key: string | null; strippedPrefix: string | null; tensors: number };
  /** The options read off the weights (`Architecture.optionsFromWeights`: nnU-Net's topology), under the given ones. */
  fromWeights: Record<string, unknown>;
}

/** File name endings read as PyTorch checkpoints without sniffing (their errors then say what the file is instead). */
const PTH = /\.(pth|pt|bin|ckpt|pth\.tar)$/i;

/** `P.` when every name starts with the same first segment P (and has more after it), else null. */
function commonFirstSegment(keys: readonly string[]): string | null {
  const first = keys[0]?.split('.')[0];
  if (!first || !keys.every((k) => k.startsWith(`${first}.`))) return null;
  return `${first}.`;
}

function resolvePreset(o: ImportOptions): string {
  if (o.preset === undefined && o.arch === undefined) throw new Error('give --preset NAME or --arch NAME: the network the weights are for');
  if (o.arch === undefined) return o.preset!;
  const a = architectures.get(o.arch);
  const preset = o.preset ?? Object.keys(a.presets)[0];
  if (presets.get(preset).arch !== a.name) throw new Error(`--preset ${preset} is a preset of '${presets.get(preset).arch}', not of --arch ${o.arch}`);
  return preset;
}

export async function importRun(o: ImportOptions): Promise<ImportResult> {
  if (!o.out.endsWith('.safetensors')) throw new Error(`--out ${o.out}: the model file must end in .safetensors (its spec goes beside it as .json)`);
  const preset = resolvePreset(o);
  const a = architectures.get(presets.get(preset).arch);
  presetSpec(preset, o.options ?? {}); // the options are checked before the file is read
  const file = o.weights;
  const bytes = new Uint8Array(await readFile(file).catch((e: Error) => { throw new Error(`${file}: unreadable (${e.message})`); }));
  const format = /\.npz$/i.test(file) ? 'npz' : /\.safetensors$/i.test(file) ? 'safetensors' : PTH.test(file) || looksLikePth(bytes) ? 'pth' : null;
  if (!format) throw new Error(`${file}: neither a PyTorch checkpoint (torch.save: a zip holding data.pkl) nor named .safetensors or .npz — rule: a torch.save checkpoint, a .safetensors state dict or an .npz release`);
  if (o.key !== undefined && format !== 'pth') throw new Error(`--key ${o.key}: only a PyTorch checkpoint has keys to choose from; ${file} is ${format === 'npz' ? 'an .npz release' : 'a .safetensors state dict'}`);
  if (format === 'npz' && !a.importPretrained) {
    const able = architectures.names().filter((n) => architectures.get(n).importPretrained);
    throw new Error(`${file}: ${a.name} reads no .npz release (architectures that do: ${able.join(', ') || 'none'}); give a PyTorch checkpoint or a .safetensors state dict`);
  }
  const source: ImportResult['source'] = { format, key: null, strippedPrefix: null, tensors: 0 };
  let arrays: Map<string, SafeTensor>;
  let where = file;
  if (format === 'npz') {
    arrays = readNpz(bytes, file);
  } else {
    const sd = format === 'pth' ? readPthStateDict(bytes, file, { key: o.key }) : { tensors: readSafetensors(bytes, file).tensors, key: null, strippedPrefix: null };
    Object.assign(source, { key: sd.key, strippedPrefix: sd.strippedPrefix });
    arrays = sd.tensors;
    if (sd.key) where = `${file} ['${sd.key}']`;
  }
  source.tensors = arrays.size;
  const mapKey = foreignKeyOf(a.name);
  // A wrapper's attribute before every name (PyTorch Lightning: `model.`) is dropped where the names fit without it
  // and not with it: first for the options the weights fix, then against the built network's names.
  let wrapper = format === 'npz' ? null : commonFirstSegment([...arrays.keys()]);
  const strip = (m: Map<string, SafeTensor>, p: string) => new Map([...m].map(([k, t]) => [k.slice(p.length), t]));
  const shapes = (m: Map<string, SafeTensor>) => new Map([...m].map(([k, t]) => [mapKey(k), t.shape]));
  let fromWeights: Record<string, unknown> = {};
  if (format !== 'npz' && a.optionsFromWeights) {
    const read = a.optionsFromWeights(shapes(arrays), where);
    const unwrapped = !read && wrapper ? a.optionsFromWeights(shapes(strip(arrays, wrapper)), where) : null;
    if (unwrapped) {
      arrays = strip(arrays, wrapper!);
      source.strippedPrefix = (source.strippedPrefix ?? '') + wrapper;
      wrapper = null;
    }
    fromWeights = read ?? unwrapped ?? {};
  }
  const spec = presetSpec(preset, { ...fromWeights, ...(o.options ?? {}) });
  const net = createNet(spec);
  try {
    const unused = format === 'npz' ? await a.importPretrained!(net, arrays, file) : [];
    if (format !== 'npz') {
      const own = new Set(net.stateEntries().map(([n]) => n));
      const fits = (m: Map<string, SafeTensor>) => [...m.keys()].some((k) => own.has(mapKey(k)));
      if (wrapper && !fits(arrays) && fits(strip(arrays, wrapper))) {
        arrays = strip(arrays, wrapper);
        source.strippedPrefix = (source.strippedPrefix ?? '') + wrapper;
      }
      loadStateDict(net, arrays, where, mapKey);
    }
    await saveModel(net, o.out);
    return { spec, params: net.parameterCount(), unused, source, fromWeights };
  } finally {
    net.dispose();
  }
}
