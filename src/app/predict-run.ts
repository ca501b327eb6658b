/**
 * The predict workflow (Node; `unet predict` adapts its flags): segments images and volumes with a trained run folder, writing one mask per input in the input's
 * kind (PNG for 2-D images, NIfTI — keeping the input's header and affine — for volumes), with the training labels'
 * value convention (e.g. 255 for ISBI cells, from the run's --label-map).
 *
 * Per input, `segmentVolume` (src/infer/pipeline.ts). Every input is read and checked before the first window runs;
 * files are written atomically. Any registered architecture (the run folder's model.json names it).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { useBestBackend } from '../backends/select.js';
import { loadModel, writeFileAtomic, writeNifti } from '../io/files.js';
import { readVolume, fileExtension, stripExtension } from '../io/readers.js';
import { encodePng } from '../io/png.js';
import type { Volume } from '../io/volume.js';
import { maxVoxelsOf, type ReadLimits } from '../io/limits.js';
import type { SegmentationNet, TrainableNet } from '../models/types.js';
import { applyPostprocessing, averageProbabilities, type PostprocessStep } from '../infer/learn-postprocessing.js';
import { postprocess } from '../infer/postprocess.js';
import type { ProbabilityMap } from '../infer/sliding-window.js';
import { slidingWindowPlan, type Blend } from '../infer/sliding-window.js';
import { defaultWindow, predictionGrid, segmentVolume, targetSpacing, type TrainingConventions } from '../infer/pipeline.js';
import { slicewise } from '../infer/slices.js';
import type { NormalizeMode } from '../data/normalize.js';
import { checkMemory, checkNoOverwrite, checkOutputFolder, predictBytes, removeOrphanTmp } from './guards.js';
import { existsSync } from 'node:fs';

export interface PredictOptions {
  /**
   * Run folder of `unet train` (model.safetensors, model.json, config.json), or several: an ensemble whose class
   * probabilities are averaged on each input's grid (nnU-Net's folds and configurations; same classes, dimensions,
   * channels and label map). Each member keeps its own normalisation, spacing and window.
   */
  model: string | string[];
  /** Steps learned by `unet find-best` (plans.json `postprocessing.steps`), applied to each mask. Default none. */
  postprocessing?: readonly PostprocessStep[];
  /** An image / volume file, or a folder of them, or a list of files (the library's; `unet train --plan` predicts its validation cases). */
  input: string | readonly string[];
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
  /** Backend name. Default: the fastest available. */
  backend?: string;
  /** Size limits each input is checked against before decoding (`--max-voxels`; default 2^28 values per file). */
  limits?: ReadLimits;
  /**
   * For a run folder without config.json only (it records both): the normalisation the network was trained with, and
   * the label map (`{}` for none: masks hold class indices). Both are required there; refused where config.json exists.
   */
  normalize?: NormalizeMode | 'none';
  labelMap?: Record<string, number>;
  /** Refuse an input whose estimated memory exceeds the machine's (`predictBytes`). Default true. */
  memoryCheck?: boolean;
  /** Notes and warnings. Default: stderr. */
  onNote?: (msg: string) => void;
  /** Per input: windows done of total (a progress bar). Default none. */
  onProgress?: (input: string, done: number, total: number) => void;
}

/** What `unet train` records in config.json and predict needs. */
interface RunConfig extends TrainingConventions {
  labelMap?: Record<string, number> | null;
}

async function listInputs(input: string): Promise<string[]> {
  const s = await stat(input).catch(() => { throw new Error(`--input ${input}: no such file or folder`); });
  if (!s.isDirectory()) {
    if (!fileExtension(input)) throw new Error(`--input ${input}: unsupported file type; supported: .png, .gif, .tif, .tiff, .nii, .nii.gz`);
    return [input];
  }
  const files = (await readdir(input)).filter((n) => fileExtension(n) && !/\.prob\.nii(\.gz)?$/i.test(n)).sort().map((n) => join(input, n));
  // Two inputs of one name (0.png, 0.tif) would write one mask file: refused, naming both.
  const byName = new Map<string, string>();
  for (const f of files) {
    const key = stripExtension(basename(f));
    if (byName.has(key)) throw new Error(`${f}: case name '${key}' also used by ${byName.get(key)} — rule: one input per name (their masks would share a file name)`);
    byName.set(key, f);
  }
  if (files.length === 0) {
    const others = (await readdir(input)).filter((n) => !n.startsWith('.')).sort();
    throw new Error(`--input ${input}: the folder holds no image files (.png, .gif, .tif, .tiff, .nii, .nii.gz)${others.length ? `; skipped for their extension: ${others.slice(0, 5).join(', ')}${others.length > 5 ? `, … (${others.length})` : ''}` : ''}`);
  }
  return files;
}

/** Checks an input against the model: spatial dimensions (a volume for a 2-D network trained on slices), channels, finite values. */
export function checkInput(v: Volume, model: Pick<SegmentationNet, 'geometry'>, conv: TrainingConventions = {}): void {
  const o = model.geometry;
  const dims = v.shape.length;
  if (dims !== o.spatialDims && !(conv.slices && slicewise(o, v.shape))) {
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

/** Output file name for an input: its name, in the input's kind (NIfTI keeps its extension; other volumes → .nii.gz). */
function maskName(v: Volume): string {
  const ext = fileExtension(v.source)!;
  return stripExtension(basename(v.source)) + (ext.startsWith('.nii') ? ext : v.shape.length === 3 ? '.nii.gz' : '.png');
}

/** The largest overlap accepted: above it the windows grow as 1 / (1 − overlap)^dims for no gain (0.95: 400× in 2-D). */
export const MAX_OVERLAP = 0.95;
/** The most windows one input may take (× the TTA mirrorings): above, predict refuses and names the count (at one window per ~10 ms on a CPU, over 3 minutes an input). */
export const MAX_WINDOWS = 20_000;

/** The run's config.json, or the explicit conventions that stand in for it; refuses a folder without either. */
async function runConfig(o: PredictOptions & { model: string }): Promise<RunConfig> {
  const path = join(o.model, 'config.json');
  const explicit = o.normalize !== undefined || o.labelMap !== undefined;
  if (!existsSync(path)) {
    if (o.normalize !== undefined && o.labelMap !== undefined) return { normalize: o.normalize, labelMap: o.labelMap };
    throw new Error(`--model ${o.model}: no config.json; it records the training's normalisation and label map (e.g. 255 = class 1), without which the masks would be computed on unnormalised images and written as class indices — restore it from the run, or give both --normalize MODE and --label-map MAP (or --label-map identity) to state them`);
  }
  if (explicit) throw new Error(`--model ${o.model} has a config.json, which records the normalisation and label map; --normalize and --label-map are only for run folders without one — drop them`);
  const text = await readFile(path, 'utf8').catch((e: Error) => { throw new Error(`${path}: unreadable (${e.message})`); });
  try {
    return JSON.parse(text) as RunConfig;
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

/** Reads an input, naming the file in an error that does not. */
function readInput(bytes: Uint8Array, f: string, limits?: ReadLimits): Volume {
  try {
    return readVolume(bytes, f, limits);
  } catch (e) {
    const msg = (e as Error).message;
    throw msg.includes(f) ? e : new Error(`${f}: ${msg}`);
  }
}

export async function predictRun(o: PredictOptions): Promise<{ written: string[] }> {
  if (o.overlap !== undefined && !(o.overlap >= 0 && o.overlap <= MAX_OVERLAP)) throw new Error(`--overlap must be in [0, ${MAX_OVERLAP}], got ${o.overlap}; rule: above ${MAX_OVERLAP} the windows multiply (≈ ${Math.round(1 / (1 - 0.99) ** 2)}× at 0.99 in 2-D) for no gain`);
  const note = o.onNote ?? ((m: string) => console.error(m));
  const files = typeof o.input === 'string' ? await listInputs(o.input) : [...o.input];
  checkOutputFolder(o.out, '--out', (typeof o.input === 'string' ? [o.input] : o.input).map((path) => ({ path, flag: '--input' })));
  const runs = typeof o.model === 'string' ? [o.model] : [...o.model];
  if (runs.length === 0) throw new Error('--model: give at least one run folder');
  const cfgs: RunConfig[] = [];
  for (const m of runs) cfgs.push(await runConfig({ ...o, model: m }));
  await useBestBackend({ backend: o.backend });
  const models: TrainableNet[] = [];
  const dispose = () => { for (const m of models) m.dispose(); };
  try {
    for (const m of runs) models.push(await loadModel(join(m, 'model.safetensors')).catch((e: Error) => { throw new Error(`--model ${m}: ${e.message}`); }));
    const [model] = models, cfg = cfgs[0];
    for (const [k, m] of models.entries()) {
      const a = model.geometry, b = m.geometry;
      const takes = (g: typeof a, c: RunConfig) => (g.spatialDims === 3 || c.slices ? 3 : 2); // the inputs' dimensions: a 2-D network trained on slices takes volumes
      if (takes(a, cfg) !== takes(b, cfgs[k]) || a.inChannels !== b.inChannels || a.classes !== b.classes) throw new Error(`--model ${runs[k]}: a ${b.spatialDims}-D network${cfgs[k].slices ? ' (slice-wise)' : ''} of ${b.inChannels} channel(s) and ${b.classes} classes, --model ${runs[0]} is ${a.spatialDims}-D${cfg.slices ? ' (slice-wise)' : ''}, ${a.inChannels}, ${a.classes} — rule: ensemble members predict the same classes from the same images`);
      if (JSON.stringify(cfgs[k].labelMap ?? null) !== JSON.stringify(cfg.labelMap ?? null)) throw new Error(`--model ${runs[k]}: label map ${JSON.stringify(cfgs[k].labelMap ?? null)}, --model ${runs[0]} has ${JSON.stringify(cfg.labelMap ?? null)} — rule: ensemble members share the label map`);
    }
    for (const s of o.postprocessing ?? []) {
      if (!s.labels.every((l) => Number.isInteger(l) && l >= 1 && l < Math.max(model.geometry.classes, 2))) throw new Error(`post-processing step on labels ${s.labels.join(', ')}: the model's foreground classes are 1…${Math.max(model.geometry.classes, 2) - 1}`);
    }
    return await predictWith(o, files, runs, models, cfgs, note);
  } finally {
    dispose();
  }
}

async function predictWith(o: PredictOptions, files: string[], runs: string[], models: TrainableNet[], cfgs: RunConfig[], note: (m: string) => void): Promise<{ written: string[] }> {
  const [model] = models, cfg = cfgs[0];
  // Everything is read and checked before any window runs.
  const inputs: Volume[] = [];
  for (const f of files) {
    const v = readInput(new Uint8Array(await readFile(f).catch((e: Error) => { throw new Error(`${f}: unreadable (${e.message})`); })), f, o.limits);
    for (const [k, m] of models.entries()) checkInput(v, m, cfgs[k]);
    inputs.push(v);
  }
  const g = model.geometry;
  const windows = models.map((m, k) => defaultWindow(m, cfgs[k], o.window));
  for (const [k, window] of windows.entries()) if (window && window.length !== models[k].geometry.spatialDims) throw new Error(`--window ${window.join('x')} has ${window.length} axes; the model${models.length > 1 ? ` ${runs[k]}` : ''} is ${models[k].geometry.spatialDims}-D`);
  for (const [k, m] of models.entries()) {
    const params = m.parameterCount(), window = windows[k], mcfg = cfgs[k];
    for (const v of inputs) {
      // A volume resampled to the training spacing is checked at that size (a huge pixdim would ask for 10^12 voxels).
      const grid = predictionGrid(v, mcfg, o.resample ?? true);
      if (grid.join() !== v.shape.join()) {
        const n = grid.reduce((a, b) => a * b, 1) * v.channels;
        if (n > maxVoxelsOf(o.limits)) throw new Error(`${v.source}: resampling its ${v.shape.join('×')} voxels of ${v.spacing.join('×')} mm to the training spacing ${targetSpacing(v, mcfg)!.join('×')} mm gives ${grid.join('×')} = ${n} values — rule: at most ${maxVoxelsOf(o.limits)} values (maxVoxels); check the file's pixdim, pass --no-resample, or raise --max-voxels`);
      }
      const slices = slicewise(m.geometry, grid); // a 2-D network on a volume: the windows of one slice × the slices
      const plan = slidingWindowPlan(m.geometry, slices ? grid.slice(1) : grid, { window, overlap: o.overlap, swBatch: o.swBatch }); // throws on a window the model cannot take
      const count = plan.windows * (slices ? grid[0] : 1) * (o.tta ? 2 ** m.geometry.spatialDims : 1);
      if (count > MAX_WINDOWS) throw new Error(`${v.source}: ${count.toLocaleString('en-US')} windows of ${plan.axes.map((a) => a.window).join('x')} at overlap ${plan.overlap}${o.tta ? ' with --tta' : ''}${runs.length > 1 ? ` (--model ${runs[k]})` : ''}; rule: at most ${MAX_WINDOWS.toLocaleString('en-US')} per input — lower --overlap or enlarge --window`);
      const vox = Math.max(grid.reduce((a, b) => a * b, 1), v.shape.reduce((a, b) => a * b, 1));
      const bytes = predictBytes(m.spec, plan.axes.map((a) => a.window), plan.swBatch, params, vox, v.channels, g.classes);
      if (o.memoryCheck ?? true) checkMemory(bytes, `predicting ${v.source} (${v.shape.join('x')}) with windows of ${plan.axes.map((a) => a.window).join('x')} × --sw-batch ${plan.swBatch}`, 'lower --window or --sw-batch', note);
    }
  }
  const values = classValues(cfg.labelMap, g.classes);
  const maxValue = Math.max(...values);
  const png = inputs.find((v) => !maskName(v).includes('.nii'));
  if (png && maxValue > 255) throw new Error(`${png.source}: its mask would hold label values up to ${maxValue}; rule: PNG masks are 8-bit (0…255)`);
  const outputs = inputs.flatMap((v) => [join(o.out, maskName(v)), ...(o.probabilities ? [join(o.out, `${stripExtension(basename(v.source))}.prob.nii.gz`)] : [])]);
  checkNoOverwrite(outputs, files);
  const gone = removeOrphanTmp(o.out);
  if (gone.length) note(`note: removed ${gone.length} temporary file(s) of an interrupted predict in ${o.out}: ${gone.join(', ')}`);
  mkdirSync(o.out, { recursive: true });
  for (const m of models) m.eval();
  const written: string[] = [];
  for (const v of inputs) {
    const members: ProbabilityMap[] = [];
    for (const [k, m] of models.entries()) {
      const r = await segmentVolume(m, v, cfgs[k], {
        window: windows[k], overlap: o.overlap, blend: o.blend, swBatch: o.swBatch, tta: o.tta, resample: o.resample, largestComponent: o.largestComponent,
        onProgress: (done, total) => o.onProgress?.(v.source, k * total + done, models.length * total),
      });
      members.push(r.probs);
    }
    const probs = members.length === 1 ? members[0] : averageProbabilities(members);
    let classes = postprocess(probs, { largestComponent: o.largestComponent });
    if (o.postprocessing?.length) classes = applyPostprocessing(classes, v.shape, o.postprocessing);
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
  return { written };
}
