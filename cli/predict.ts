/**
 * `unet predict`: segments images and volumes with a trained run folder, writing one mask per input in the input's
 * kind (PNG for 2-D images, NIfTI — keeping the input's header and affine — for volumes), with the training labels'
 * value convention (e.g. 255 for ISBI cells, from the run's --label-map).
 *
 * Per input: the training normalisation → resampling to the run's median training spacing (volumes whose spacing
 * differs) → sliding windows of the training patch size with Gaussian blending (or overlap-tile for valid-padded
 * models) → probabilities resampled back to the input grid → argmax / threshold, optionally the largest component.
 * Every input is read and checked before the first window runs; files are written atomically.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { mkdirSync } from 'node:fs';
import cliProgress from 'cli-progress';
import { useBestBackend } from '../src/backends/select.js';
import { loadModel, writeFileAtomic, writeNifti } from '../src/io/files.js';
import { readVolume, fileExtension, stripExtension } from '../src/io/readers.js';
import { encodePng } from '../src/io/png.js';
import type { Volume } from '../src/data/types.js';
import { normalize, type NormalizeMode } from '../src/data/normalize.js';
import { slidingWindowPlan, slidingWindowVolume, type Blend, type ProbabilityMap } from '../src/infer/sliding-window.js';
import { resampleGrid, resampleVolume } from '../src/infer/resample.js';
import { postprocess } from '../src/infer/postprocess.js';
import type { UNet } from '../src/models/unet/unet.js';

export interface PredictOptions {
  /** Run folder of `unet train` (model.safetensors, model.json, config.json). */
  model: string;
  /** An image / volume file, or a folder of them. */
  input: string;
  out: string;
  /** Window overlap. Default 0.5 (padded models); valid-padded models tile with overlap-tile. */
  overlap?: number;
  /** Default 'gaussian'. */
  blend?: Blend;
  /** Windows per forward pass. Default 1. */
  swBatch?: number;
  /** Mirroring test-time augmentation. Default false. */
  tta?: boolean;
  /** Also write the class probabilities as NAME.prob.nii.gz (float32, one channel per class). Default false. */
  probabilities?: boolean;
  /** Keep only the largest connected component of each class. Default false. */
  largestComponent?: boolean;
  /** Resample to the training spacing first (volumes). Default true. */
  resample?: boolean;
  /** Window size; default the run's training patch. */
  window?: number[];
  backend?: string;
  quiet?: boolean;
}

/** What `unet train` records in config.json and predict needs. */
interface RunConfig {
  patch?: number[];
  normalize?: NormalizeMode | 'none';
  labelMap?: Record<string, number> | null;
  spacing?: number[];
}

async function listInputs(input: string): Promise<string[]> {
  const s = await stat(input).catch(() => { throw new Error(`--input ${input}: no such file or folder`); });
  if (!s.isDirectory()) {
    if (!fileExtension(input)) throw new Error(`--input ${input}: unsupported file type; supported: .png, .gif, .tif, .tiff, .nii, .nii.gz`);
    return [input];
  }
  const files = (await readdir(input)).filter((n) => fileExtension(n) && !/\.prob\.nii(\.gz)?$/i.test(n)).sort().map((n) => join(input, n));
  if (files.length === 0) throw new Error(`--input ${input}: the folder holds no image files (.png, .gif, .tif, .tiff, .nii, .nii.gz)`);
  return files;
}

/** Checks an input against the model: spatial dimensions, channels, finite values. */
export function checkInput(v: Volume, model: UNet): void {
  const o = model.options;
  const dims = v.shape.length;
  if (dims !== o.spatialDims) {
    throw new Error(`${v.source}: a ${dims}-D ${dims === 2 ? 'image' : 'volume'} (${v.shape.join('x')}), but the model is ${o.spatialDims}-D; a ${o.spatialDims}-D model segments ${o.spatialDims === 2 ? '2-D images' : '3-D volumes'}`);
  }
  if (v.channels !== o.inChannels) {
    throw new Error(`${v.source}: ${v.channels} channel(s), but the model takes ${o.inChannels}; the input must have the training images' channels`);
  }
  for (let i = 0; i < v.data.length; i++) {
    if (!Number.isFinite(v.data[i])) throw new Error(`${v.source}: value ${v.data[i]} at index ${i}; every voxel must be finite`);
  }
}

/** Class index → stored label value (the inverse of the run's --label-map; identity without one). */
export function classValues(labelMap: Record<string, number> | null | undefined, classes: number): number[] {
  const values = Array.from({ length: Math.max(classes, 2) }, (_, c) => c);
  if (labelMap) for (const [v, c] of Object.entries(labelMap)) values[c] = Number(v);
  return values;
}

const sameSpacing = (a: readonly number[], b: readonly number[]) => a.every((s, i) => Math.abs(s - b[i]) <= 1e-3 * Math.max(s, b[i]));

/** Output file name for an input: its name, in the input's kind (NIfTI keeps its extension; other volumes → .nii.gz). */
function maskName(v: Volume): string {
  const ext = fileExtension(v.source)!;
  return stripExtension(basename(v.source)) + (ext.startsWith('.nii') ? ext : v.shape.length === 3 ? '.nii.gz' : '.png');
}

export async function predict(o: PredictOptions): Promise<{ written: string[] }> {
  await useBestBackend({ backend: o.backend });
  const weights = join(o.model, 'model.safetensors');
  const model = await loadModel(weights).catch((e: Error) => { throw new Error(`--model ${o.model}: ${e.message}`); });
  const cfg: RunConfig = JSON.parse(await readFile(join(o.model, 'config.json'), 'utf8').catch(() => '{}'));
  const files = await listInputs(o.input);
  // Everything is read and checked before any window runs.
  const inputs: Volume[] = [];
  for (const f of files) {
    const v = readVolume(new Uint8Array(await readFile(f).catch((e: Error) => { throw new Error(`${f}: unreadable (${e.message})`); })), f);
    checkInput(v, model);
    inputs.push(v);
  }
  const window = o.window ?? (model.options.padding === 'same' ? cfg.patch : undefined);
  if (window && window.length !== model.options.spatialDims) throw new Error(`--window ${window.join('x')} has ${window.length} axes; the model is ${model.options.spatialDims}-D`);
  for (const v of inputs) slidingWindowPlan(model.geometry, v.shape, { window, overlap: o.overlap }); // throws on a window the model cannot take
  const values = classValues(cfg.labelMap, model.options.classes);
  const maxValue = Math.max(...values);
  const png = inputs.find((v) => !maskName(v).includes('.nii'));
  if (png && maxValue > 255) throw new Error(`${png.source}: its mask would hold label values up to ${maxValue}; rule: PNG masks are 8-bit (0…255)`);
  mkdirSync(o.out, { recursive: true });
  model.eval();
  const written: string[] = [];
  for (const v of inputs) {
    const prepared: Volume = { ...v, data: cfg.normalize && cfg.normalize !== 'none' ? normalize(Float32Array.from(v.data), v.channels, cfg.normalize) : v.data };
    const resample = (o.resample ?? true) && v.shape.length === 3 && cfg.spacing && cfg.spacing.length === 3 && !sameSpacing(v.spacing, cfg.spacing);
    const grid = resample ? resampleVolume(prepared, { spacing: cfg.spacing! }) : prepared;
    const bar = o.quiet ? undefined : new cliProgress.SingleBar({ format: `${basename(v.source)} {bar} {value}/{total} windows | ETA {eta_formatted}`, hideCursor: true }, cliProgress.Presets.shades_classic);
    let started = false;
    let probs: ProbabilityMap = await slidingWindowVolume(model, grid, {
      window, overlap: o.overlap, blend: o.blend, swBatch: o.swBatch, tta: o.tta,
      onProgress: (done, total) => {
        if (!started) { bar?.start(total, 0); started = true; }
        bar?.update(done);
      },
    });
    bar?.stop();
    if (resample) probs = { data: resampleGrid(probs.data, probs.shape, probs.classes, v.shape, 'linear'), shape: [...v.shape], classes: probs.classes };
    const classes = postprocess(probs, { largestComponent: o.largestComponent });
    const mask = Int32Array.from(classes, (c) => values[c]);
    const name = maskName(v);
    const path = join(o.out, name);
    if (name.includes('.nii')) {
      await writeNifti(path, { data: mask, shape: v.shape }, { datatype: maxValue > 255 ? 'int16' : 'uint8', like: v, description: 'unet-ts mask' });
    } else {
      await writeFileAtomic(path, encodePng(mask, v.shape[1], v.shape[0], 1));
    }
    written.push(path);
    if (o.probabilities) {
      const p = join(o.out, `${stripExtension(basename(v.source))}.prob.nii.gz`);
      await writeNifti(p, { data: probs.data, shape: v.shape, channels: probs.classes }, { datatype: 'float32', like: v.shape.length === 3 ? v : undefined, description: 'unet-ts probabilities' });
      written.push(p);
    }
  }
  model.dispose();
  return { written };
}
