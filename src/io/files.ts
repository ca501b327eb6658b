/** Node file helpers: atomic writes (temp file in the same folder, then rename) and the model's file pair. */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UNet } from '../models/unet/unet.js';
import type { UNetOptions } from '../models/unet/options.js';
import { decodeWeights, encodeWeights } from './weights.js';
import { encodeNiftiFile, type NiftiImage, type NiftiWriteOptions } from './nifti-write.js';

/** Writes `data` to `path` so that readers see either the old file or the whole new one, never a part. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

export const FORMAT = 'unet-ts';
export const FORMAT_VERSION = 1;

/** `model.safetensors` → `model.json`: the options file beside a weights file. */
export const optionsPath = (weightsPath: string): string => weightsPath.replace(/\.safetensors$/, '') + '.json';

/** Saves weights (safetensors, PyTorch layout) and options (JSON) beside each other, each atomically. */
export async function saveModel(model: UNet, weightsPath: string): Promise<void> {
  if (!weightsPath.endsWith('.safetensors')) throw new Error(`saveModel: '${weightsPath}' must end in .safetensors`);
  await writeFileAtomic(weightsPath, await encodeWeights(model, { format: FORMAT }));
  await writeFileAtomic(optionsPath(weightsPath), JSON.stringify({ format: FORMAT, version: FORMAT_VERSION, options: model.options }, null, 2) + '\n');
}

/** Builds the model from `<name>.json` and loads `<name>.safetensors` (or a PyTorch state dict saved as safetensors). */
export async function loadModel(weightsPath: string, options?: UNetOptions): Promise<UNet> {
  let opts = options;
  if (!opts) {
    const jsonPath = optionsPath(weightsPath);
    let parsed: { format?: string; options?: UNetOptions };
    try {
      parsed = JSON.parse(await readFile(jsonPath, 'utf8'));
    } catch (e) {
      throw new Error(`${jsonPath}: cannot read the model options (${(e as Error).message}); pass the options explicitly to load a bare state dict`);
    }
    if (parsed.format !== FORMAT || !parsed.options) throw new Error(`${jsonPath}: not a unet-ts options file (format '${String(parsed.format)}', expected '${FORMAT}')`);
    opts = parsed.options;
  }
  const bytes = new Uint8Array(await readFile(weightsPath));
  const model = new UNet(opts);
  try {
    decodeWeights(model, bytes, weightsPath);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

/** Writes a NIfTI-1 file atomically, gzip-compressed for .nii.gz (see `encodeNifti` for the header it keeps). */
export async function writeNifti(path: string, image: NiftiImage, options: NiftiWriteOptions = {}): Promise<void> {
  await writeFileAtomic(path, await encodeNiftiFile(path, image, options));
}
