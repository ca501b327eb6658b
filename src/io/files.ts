/** Node file helpers: atomic writes (temp file in the same folder, then rename) and the model's file pair (weights + spec). */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createNet, foreignKeyOf } from '../models/registry.js';
import type { NetSpec, TrainableNet } from '../models/types.js';
import { decodeWeights, encodeWeights } from './weights.js';
import { encodeNiftiFile, type NiftiImage, type NiftiWriteOptions } from './nifti-write.js';

/** Writes `data` to `path` so that readers see either the old file or the whole new one, never a part. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true }).catch((e: Error) => { throw new Error(`${dirname(path)}: cannot create the folder (${e.message})`); });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    const msg = (e as Error).message;
    throw msg.includes(path) || msg.includes(tmp) ? e : new Error(`${path}: cannot write (${msg})`); // ENOSPC, EACCES: name the file
  }
}

export const FORMAT = 'unet-ts';
/** 2: the file records the architecture (`arch`); version-1 files (options only) are U-Nets. */
export const FORMAT_VERSION = 2;

/** `model.safetensors` → `model.json`: the spec file beside a weights file. */
export const optionsPath = (weightsPath: string): string => weightsPath.replace(/\.safetensors$/, '') + '.json';

/** Saves weights (safetensors, PyTorch layout) and the spec (JSON: arch and options) beside each other, each atomically. */
export async function saveModel(model: TrainableNet, weightsPath: string): Promise<void> {
  if (!weightsPath.endsWith('.safetensors')) throw new Error(`saveModel: '${weightsPath}' must end in .safetensors`);
  await writeFileAtomic(weightsPath, await encodeWeights(model, { format: FORMAT, arch: model.spec.arch }));
  await writeFileAtomic(optionsPath(weightsPath), JSON.stringify({ format: FORMAT, version: FORMAT_VERSION, arch: model.spec.arch, options: model.spec.options }, null, 2) + '\n');
}

/** The spec in `<name>.json` (version 1 files: a U-Net). */
export async function readSpec(jsonPath: string): Promise<NetSpec> {
  let parsed: { format?: string; version?: number; arch?: string; options?: Record<string, unknown> };
  try {
    parsed = JSON.parse(await readFile(jsonPath, 'utf8'));
  } catch (e) {
    throw new Error(`${jsonPath}: cannot read the model options (${(e as Error).message}); pass the spec explicitly to load a bare state dict`);
  }
  if (parsed.format !== FORMAT || !parsed.options) throw new Error(`${jsonPath}: not a unet-ts options file (format '${String(parsed.format)}', expected '${FORMAT}')`);
  if ((parsed.version ?? 1) > FORMAT_VERSION) throw new Error(`${jsonPath}: format version ${parsed.version} is newer than this unet-ts reads (${FORMAT_VERSION}); update unet-ts`);
  return { arch: parsed.arch ?? 'unet', options: parsed.options };
}

/**
 * Builds the network from `<name>.json` (or `spec`) and loads `<name>.safetensors` — or a PyTorch state dict saved as
 * safetensors, in the architecture's reference names (or a naming its `foreignKey` maps).
 */
export async function loadModel(weightsPath: string, spec?: NetSpec): Promise<TrainableNet> {
  const s = spec ?? (await readSpec(optionsPath(weightsPath)));
  let model: TrainableNet;
  try {
    model = createNet(s);
  } catch (e) {
    throw new Error(`${optionsPath(weightsPath)}: ${(e as Error).message}`);
  }
  const bytes = new Uint8Array(await readFile(weightsPath));
  try {
    decodeWeights(model, bytes, weightsPath, foreignKeyOf(s.arch));
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
