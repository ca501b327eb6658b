/**
 * The train workflow (Node): a folder of images and labels → patches → the trainer → a run folder holding
 * `config.json`, `metrics.jsonl`, `curve.svg`, `checkpoints/` and `model.safetensors` + `model.json`. Any registered
 * architecture (`arch` / `preset`). Every option is checked, and every file read, before the run folder exists.
 * The CLI (`unet train`, `unet demo`) and the scripts call this; progress is reported through `onLog`.
 */
import { join } from 'node:path';
import { tf } from '../core/tf.js';
import { Rng } from '../core/rng.js';
import { lookUpOption } from '../core/registry.js';
import { useBestBackend } from '../backends/select.js';
import { architectures, createNet, presetSpec, presets, resolveSpec } from '../models/registry.js';
import type { NetSpec, TrainableNet } from '../models/types.js';
import { loadDataset } from '../data/dataset.js';
import type { ReadLimits } from '../io/limits.js';
import { applyNormalization, type Normalization, type NormalizeMode } from '../data/normalize.js';
import { foldsFor, NNUNET_RECIPE, planLabelMap, planSpec, readPlan, type PlanConfiguration } from '../train/plan-recipe.js';
import { nnunetHeadWeights } from '../train/step.js';
import { resampleLabels, resampleVolume } from '../infer/resample.js';
import { nnunetAugment } from '../data/augment.js';
import { sampleToPatch } from '../data/sampler.js';
import { sliceSamples, type Sample } from '../data/types.js';
import { lossFn, losses } from '../losses/index.js';
import { confusionCounts, overlapScores } from '../metrics/overlap.js';
import { predictWhole, toClasses } from '../infer/whole.js';
import { slidingWindowVolume } from '../infer/sliding-window.js';
import { slicewise, slidingWindowSlices } from '../infer/slices.js';
import { sameSpacing, targetSpacing } from '../infer/pipeline.js';
import { predictRun } from './predict-run.js';
import { probabilitiesToLabels } from '../infer/postprocess.js';
import { medianSpacing } from '../infer/resample.js';
import { train, type LogRecord, type TrainResult } from '../train/trainer.js';
import { PrefetchBatchSource } from '../train/sources.js';
import { RunFolder } from '../train/run-folder.js';
import { Adam } from '../train/adam.js';
import { decodeCheckpoint } from '../train/checkpoint.js';
import { folderCheckpoints } from '../train/checkpoint-fs.js';
import { TRAIN_DEFAULTS } from '../train/defaults.js';
import type { ScheduleName } from '../train/schedule.js';
import { optionsPath, readSpec, saveModel, writeFileAtomic } from '../io/files.js';
import { decodeWeights } from '../io/weights.js';
import { foreignKeyOf } from '../models/registry.js';
import { readFile, rm } from 'node:fs/promises';
import { existsSync, rmSync, statSync } from 'node:fs';
import { readSafetensors } from '../io/safetensors.js';
import { paramsOf } from '../models/registry.js';
import { checkMemory, checkRunFolderFree, lockRunFolder, removeOrphanTmp, trainStepBytes } from './guards.js';

export interface TrainRunOptions {
  /** Folder with `images/` and `labels/`. Required. */
  data: string;
  /** Size limits each data file is checked against before decoding (`--max-voxels`; default 2^28 values per file). */
  limits?: ReadLimits;
  /** Run folder to create. Required. */
  out: string;
  /** Architecture (`unet`, `attention-unet`, `unetpp`, `unetr`, `transunet`). Default: the preset's. */
  arch?: string;
  /** Preset. Default: `small2d`, or with `arch` that architecture's first training preset. */
  preset?: string;
  /** Architecture options on top of the preset's (`{ base: 32 }`, `{ deepSupervision: true }`). Default none. */
  options?: Record<string, unknown>;
  /**
   * Start from these weights: a model file (`.safetensors` with its `.json`, e.g. from `unet import` or another run);
   * the network is the file's (its spec; `classes` may not change). Excludes `arch`, `preset` and `options`. Default none.
   */
  init?: string;
  /** Model output channels: 1 = binary (sigmoid), K ≥ 2 classes (softmax). Default: the preset's. */
  classes?: number;
  /** Image channels (every image must have them). Default: the first image's (opaque PNG alpha is dropped on reading). */
  inChannels?: number;
  /**
   * Patch size. Default: the network's one input size for fixed-size networks, the paper's input for valid-padded
   * ones, else 256×256 (2-D) or 48×64×48 (3-D).
   */
  patch?: number[];
  /** Default 4 (2-D), 2 (3-D). */
  batch?: number;
  /** Iterations. Default 1000 unless `epochs` or `minutes` is given. */
  iterations?: number;
  epochs?: number;
  /** Wall-clock budget (the schedule follows it). Default none. */
  minutes?: number;
  /** A wall-clock ceiling that stops the run but leaves the schedule on the iterations (the demo's). Default none. */
  maxMinutes?: number;
  /** Default 'bce-dice' for binary, 'ce-dice' otherwise. */
  loss?: string;
  /** Default `TRAIN_DEFAULTS.lr` (1e-3). */
  lr?: number;
  /** Default `TRAIN_DEFAULTS.schedule` ('poly', nnU-Net's (1 − t)^0.9 over the iterations or the budget). */
  schedule?: string;
  /** Default 0. */
  seed?: number;
  /** Share of the cases held back for validation. Default 0.2. */
  valFraction?: number;
  /** Raw label value → class, e.g. {0:0, 255:1}. Default none. */
  labelMap?: Record<number, number>;
  /** Raw label value that marks unlabelled voxels. Default none. */
  ignoreValue?: number;
  /** Default 'zscore'. */
  normalize?: NormalizeMode | 'none';
  /** Iterations per epoch (validation cadence). Default `TRAIN_DEFAULTS.itersPerEpoch` (100). */
  itersPerEpoch?: number;
  /** Elastic deformation probability. Default 0. */
  elastic?: number;
  /** Continue the run in `out` from its last checkpoint (same network, normalisation and label map). Default false. */
  resume?: boolean;
  /**
   * Start over in an `out` that already holds a run: its run files (config.json, metrics.jsonl, curve.svg,
   * checkpoints/, model.safetensors, model.json) are removed first. Default false: such a folder is refused.
   */
  overwrite?: boolean;
  /** Refuse a batch / patch whose estimated step memory exceeds the machine's (`trainStepBytes`). Default true. */
  memoryCheck?: boolean;
  /** Notes and warnings (a stale lock taken over, orphan files removed, memory tight). Default: stderr. */
  onNote?: (msg: string) => void;
  /** Epochs without improvement before stopping. Default none. */
  patience?: number;
  /** Backend name. Default: the fastest available (onednn in Node). */
  backend?: string;
  /** Convolution precision: 'auto' (bf16 where the CPU has AVX512-BF16, else fp32), 'fp32', 'bf16'. Default 'auto'. */
  precision?: 'fp32' | 'bf16' | 'auto';
  /**
   * Train from a plan (`unet plan`'s plans.json): the network, patch, batch, spacing and normalisation of
   * configuration `config`, nnU-Net's recipe (SGD Nesterov lr 0.01 momentum 0.99 weight decay 3e-5, poly 0.9,
   * gradient clipping 12, Dice + CE, deep-supervision weights, one third of each batch on foreground, nnU-Net's
   * augmentations) and its cross-validation fold `fold`. Excludes arch, preset, options, init, loss, lr, schedule,
   * normalize and valFraction. `patch` and `batch` override the plan's. Default none.
   */
  plan?: string;
  /** The plan's configuration (`2d`, `3d_fullres`, `3d_lowres`). Default '3d_fullres' for 3-D plans… required with `plan`. */
  config?: string;
  /** Cross-validation fold 0 … 4 (a splits.json in the run folder, else in the data folder, wins). Default 0. Only with `plan`. */
  fold?: number;
  /** Called once before the first iteration with the planned iterations (undefined for a time budget). */
  onStart?: (plannedIterations: number | undefined) => void;
  /** Every iteration and validation. */
  onLog?: (rec: LogRecord) => void;
}

export interface TrainRun {
  result: TrainResult;
  model: TrainableNet;
  spec: NetSpec;
  preset: string;
  /** The backend it trained on. */
  backend: string;
  val: Sample[];
  classes: number;
  finalMetrics?: Record<string, number>;
  /** Median seconds per training iteration (from the run's log). */
  stepMedianS: number;
}

/** The spec a run trains: preset (or the architecture's first training preset) with the run's overrides on top. */
export function runSpec(o: Pick<TrainRunOptions, 'arch' | 'preset' | 'options' | 'classes' | 'seed' | 'inChannels'>): { preset: string; spec: NetSpec } {
  let preset = o.preset;
  if (!preset) {
    if (!o.arch) preset = 'small2d';
    else {
      const a = architectures.get(o.arch); // unknown names: the valid ones and the nearest
      const names = Object.keys(a.presets);
      preset = names.find((n) => a.presets[n].role === 'train') ?? names[0];
    }
  }
  const p = presets.get(preset);
  if (o.arch && p.arch !== architectures.get(o.arch).name) throw new Error(`--preset ${preset} is a preset of '${p.arch}', not of --arch ${o.arch}`);
  const overrides = { ...(o.options ?? {}), classes: o.classes, seed: o.seed, inChannels: o.inChannels };
  return { preset, spec: presetSpec(preset, overrides) };
}

/**
 * Mean Dice of the foreground classes of each validation case (and per class): the score `best` tracks. A class in
 * neither the truth nor the prediction of a case is absent there, not perfect: it is left out of that class's mean,
 * a class absent from every case is NaN (`absent` in the log, `null` in metrics.jsonl), and the score is the mean over
 * the classes that are present somewhere (NaN when none is, which never counts as an improvement).
 */
export async function validationDice(model: TrainableNet, samples: Sample[], k: number, patch: readonly number[]): Promise<Record<string, number> & { score: number }> {
  const n = Math.max(k, 2);
  const g = model.geometry;
  const sum = new Array(n).fill(0), count = new Array(n).fill(0);
  for (const s of samples) {
    let pred: Int32Array;
    const whole = g.padding === 'same' && !g.fixed && s.image.shape.every((v) => v % g.stride === 0);
    if (slicewise(g, s.image.shape)) {
      pred = probabilitiesToLabels(await slidingWindowSlices(model, s.image, { window: patch })); // a 2-D network on a volume's slices
    } else if (whole) {
      const x = tf.tensor(s.image.data, [1, ...s.image.shape, s.image.channels]);
      const logits = predictWhole(model, x);
      pred = toClasses(logits);
      tf.dispose([x, logits]);
    } else {
      // Overlap-tile (valid padding) or windows of the training patch (fixed-size networks, sizes off the grid).
      pred = probabilitiesToLabels(await slidingWindowVolume(model, s.image, g.padding === 'valid' ? {} : { window: patch }));
    }
    const sc = overlapScores(confusionCounts(pred, s.label, n, { ignore: -1 }));
    for (let c = 1; c < n; c++) {
      if (sc.absent[c]) continue;
      sum[c] += sc.dice[c];
      count[c] += 1;
    }
  }
  const fg = sum.slice(1).map((v, i) => (count[i + 1] ? v / count[i + 1] : NaN));
  const present = fg.filter((d) => !Number.isNaN(d));
  const out: Record<string, number> & { score: number } = { score: present.length ? present.reduce((a, b) => a + b, 0) / present.length : NaN };
  fg.forEach((d, i) => (out[`dice_${i + 1}`] = d));
  return out;
}

/** Every option checked (names, ranges, the patch against the network), before any file is read or written. */
export function checkTrainOptions(o: TrainRunOptions, initSpec?: NetSpec): { preset: string; spec: NetSpec; patch: number[]; lossName: string; schedule: ScheduleName; normMode: Normalization; plan?: PlanConfiguration } {
  if (o.plan !== undefined) return checkPlanOptions(o);
  if (o.config !== undefined || o.fold !== undefined) throw new Error(`${o.config !== undefined ? '--config' : '--fold'} needs --plan (a plans.json from unet plan)`);
  if (initSpec && (o.arch || o.preset || (o.options && Object.keys(o.options).length))) throw new Error(`--init ${o.init}: the network is the file's; drop --arch, --preset and --option`);
  const { preset, spec } = initSpec ? { preset: `--init ${o.init}`, spec: resolveSpec(initSpec.arch, { ...initSpec.options, seed: o.seed ?? (initSpec.options.seed as number | undefined) }) } : runSpec(o);
  const g = createGeometry(spec);
  const dims = g.spatialDims;
  const paperInput = initSpec ? undefined : presets.get(preset).defaultInput;
  const patch = o.patch ?? (g.fixed ? [...g.fixed] : g.padding === 'valid' && paperInput ? [...paperInput] : dims === 2 ? [256, 256] : [48, 64, 48]);
  if (patch.length !== dims) throw new Error(`--patch ${patch.join('x')} has ${patch.length} axes; preset ${preset} is ${dims}-D`);
  try {
    g.output(patch); // a size the network cannot take fails here, before any file is written
  } catch (e) {
    throw new Error(`--patch ${patch.join('x')}: ${(e as Error).message}`);
  }
  const lossName = o.loss ?? (g.classes === 1 ? 'bce-dice' : 'ce-dice');
  losses.get(lossName);
  const schedule = lookUpOption('schedule', o.schedule ?? TRAIN_DEFAULTS.schedule, ['constant', 'step', 'cosine', 'poly'] as const);
  const normMode = lookUpOption('normalisation', o.normalize ?? 'zscore', ['zscore', 'minmax', 'percentile', 'none'] as const);
  const positive = (name: string, v: number | undefined, integer: boolean) => {
    if (v !== undefined && !(Number.isFinite(v) && v > 0 && (!integer || Number.isInteger(v)))) throw new Error(`${name} must be ${integer ? 'an integer' : 'a number'} > 0, got ${v}`);
  };
  positive('--batch', o.batch, true);
  positive('--iterations', o.iterations, true);
  positive('--epochs', o.epochs, true);
  positive('--minutes', o.minutes, false);
  positive('--max-minutes', o.maxMinutes, false);
  positive('--lr', o.lr, false);
  positive('--iters-per-epoch', o.itersPerEpoch, true);
  positive('--patience', o.patience, true);
  if (o.valFraction !== undefined && !(o.valFraction >= 0 && o.valFraction < 1)) throw new Error(`--val-fraction must be in [0, 1), got ${o.valFraction}`);
  if (o.elastic !== undefined && !(o.elastic >= 0 && o.elastic <= 1)) throw new Error(`--elastic must be a probability in [0, 1], got ${o.elastic}`);
  if (o.seed !== undefined && !(Number.isInteger(o.seed) && o.seed >= 0 && o.seed <= 0xffffffff)) throw new Error(`--seed must be an integer in [0, 2^32), got ${o.seed}`);
  if (o.ignoreValue !== undefined && !Number.isInteger(o.ignoreValue)) throw new Error(`--ignore must be an integer label value, got ${o.ignoreValue}`);
  if (o.backend !== undefined && !TRAIN_BACKENDS.includes(o.backend)) throw new Error(`--backend ${o.backend}: training runs on ${TRAIN_BACKENDS.join(' or ')}${o.backend === 'wasm' ? ' (wasm has no training kernels; it serves predict in browsers)' : ''}`);
  if (o.labelMap) {
    const k = Math.max(g.classes, 2);
    for (const [v, c] of Object.entries(o.labelMap)) {
      if (!Number.isInteger(Number(v))) throw new Error(`--label-map: label value '${v}' is not an integer`);
      if (!(Number.isInteger(c) && c >= 0 && c < k)) throw new Error(`--label-map ${v}:${c}: class ${c} is outside the network's classes 0…${k - 1}`);
    }
  }
  return { preset, spec, patch, lossName, schedule, normMode };
}

/** The options of a run from a plan, checked: the plan's configuration, the conflicting flags refused. */
function checkPlanOptions(o: TrainRunOptions): ReturnType<typeof checkTrainOptions> {
  const clash = (['arch', 'preset', 'options', 'init', 'loss', 'lr', 'schedule', 'normalize', 'valFraction', 'inChannels'] as const)
    .filter((k) => o[k] !== undefined && !(k === 'options' && Object.keys(o.options ?? {}).length === 0));
  if (clash.length) throw new Error(`--plan ${o.plan}: the plan and nnU-Net's recipe fix the network, loss, optimiser, normalisation and split; drop ${clash.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')}`);
  if (o.config === undefined) throw new Error(`--plan ${o.plan}: give --config (2d, 3d_fullres or 3d_lowres)`);
  if (o.fold !== undefined && !(Number.isInteger(o.fold) && o.fold >= 0)) throw new Error(`--fold must be an integer ≥ 0, got ${o.fold}`);
  const cfg = readPlan(o.plan!, o.config);
  let spec: NetSpec;
  try {
    spec = planSpec(cfg, o.seed ?? 0);
    if (o.classes !== undefined && o.classes !== spec.options.classes) throw new Error(`--classes ${o.classes}: the plan's network has ${String(spec.options.classes)} classes`);
  } catch (e) {
    throw new Error(`--plan ${o.plan} configuration ${o.config}: ${(e as Error).message}`);
  }
  const patch = o.patch ?? [...cfg.patch];
  const g = createGeometry(spec);
  if (patch.length !== g.spatialDims) throw new Error(`--patch ${patch.join('x')} has ${patch.length} axes; configuration ${o.config} is ${g.spatialDims}-D`);
  try {
    g.output(patch);
  } catch (e) {
    throw new Error(`${o.patch ? '--patch' : `--plan ${o.plan} configuration ${o.config} patch`} ${patch.join('x')}: ${(e as Error).message}`);
  }
  const { plan: _p, config: _c, fold: _f, ...rest } = o;
  checkTrainOptions({ ...rest, preset: 'small2d', patch: undefined }); // the plain flags (--batch, --minutes, --seed …) by the same rules
  return { preset: `plan ${o.config}`, spec, patch, lossName: NNUNET_RECIPE.loss, schedule: NNUNET_RECIPE.schedule, normMode: cfg.normalization, plan: cfg };
}

/** Backends that train (wasm has no training kernels). */
export const TRAIN_BACKENDS = ['onednn', 'cpu'];

/** The files a run writes into its folder: a folder holding any of them holds a run. */
export const RUN_FILES = ['config.json', 'metrics.jsonl', 'curve.svg', 'checkpoints', 'model.safetensors', 'model.json', 'validation'];

/** The run's fields a resume must keep: the network, and how images and labels were turned into its inputs and targets. */
const KEPT_ON_RESUME = ['arch', 'options', 'normalize', 'labelMap', 'ignoreValue'] as const;

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}

/** The metadata of checkpoint bytes (step, best, config), or an error naming the file. */
function checkpointMeta(bytes: Uint8Array, path: string): { step: number; best: { score: number; step: number }; config: Record<string, unknown> } {
  const file = readSafetensors(bytes, path);
  try {
    return JSON.parse(file.metadata.meta);
  } catch (e) {
    throw new Error(`${path}: the checkpoint's metadata is not JSON (${(e as Error).message})`);
  }
}

/**
 * The run folder checked before any work: not locked by a live process; without `resume` it must not hold a run
 * (unless `overwrite`); with `resume` it must hold config.json and checkpoints/last.safetensors. Reads only.
 */
export async function checkRunFolder(o: Pick<TrainRunOptions, 'out' | 'resume' | 'overwrite'>): Promise<{ last?: Uint8Array; lastMeta?: ReturnType<typeof checkpointMeta> }> {
  if (o.resume && o.overwrite) throw new Error('--resume and --overwrite exclude each other: continue the run, or start over');
  if (!existsSync(o.out)) {
    if (o.resume) throw new Error(`--resume: ${o.out} does not exist; nothing to resume`);
    return {};
  }
  if (!statSync(o.out).isDirectory()) throw new Error(`--out ${o.out} is a file; a run folder is a folder`);
  checkRunFolderFree(o.out);
  const held = RUN_FILES.filter((f) => existsSync(join(o.out, f)));
  if (!o.resume) {
    if (held.length && !o.overwrite) {
      throw new Error(`--out ${o.out} already holds a run (${held.join(', ')}); rule: one run per folder, so that metrics.jsonl and the checkpoints never mix two runs — continue it with --resume, start over with --overwrite (removes those files), or give another --out`);
    }
    return {};
  }
  const lastPath = join(o.out, 'checkpoints', 'last.safetensors');
  if (!existsSync(lastPath)) throw new Error(`--resume: no checkpoint at ${lastPath}; nothing to resume (the run stopped before its first checkpoint: start it again without --resume, with --overwrite)`);
  if (!existsSync(join(o.out, 'config.json'))) {
    throw new Error(`--resume: ${join(o.out, 'config.json')} is missing; it records the run's normalisation, label map and split, which the resumed run and unet predict need — restore it, or start a new run`);
  }
  const last = new Uint8Array(await readFile(lastPath));
  return { last, lastMeta: checkpointMeta(last, lastPath) };
}

/** nnU-Net's deep-supervision weights for a plan's network (one head without deep supervision). */
function headWeightsOf(spec: NetSpec): number[] {
  const o = spec.options as { features: number[]; deepSupervision: boolean };
  return nnunetHeadWeights(o.deepSupervision ? o.features.length - 1 : 1);
}

function createGeometry(spec: NetSpec) {
  return architectures.get(spec.arch).geometry(spec.options as never);
}

export async function trainRun(o: TrainRunOptions): Promise<TrainRun> {
  const initSpec = o.init ? await readSpec(optionsPath(o.init)).catch((e: Error) => { throw new Error(`--init ${o.init}: ${e.message}`); }) : undefined;
  if (initSpec && o.classes !== undefined && o.classes !== initSpec.options.classes) throw new Error(`--init ${o.init}: the file's network has ${String(initSpec.options.classes)} classes; --classes ${o.classes} would change it`);
  const checked = checkTrainOptions(o, initSpec);
  if (checked.plan && o.labelMap === undefined) {
    const planned = planLabelMap(o.plan!); // the plan's label values (class k = labels[k]), e.g. 0/255 → 0/1
    if (planned) o = { ...o, labelMap: planned };
  }
  const note = o.onNote ?? ((m: string) => console.error(m));
  {
    const { spec: s0, patch: p0 } = checked;
    const dims0 = createGeometry(s0).spatialDims;
    const batch0 = o.batch ?? checked.plan?.batch ?? (dims0 === 2 ? 4 : 2);
    const bytes = trainStepBytes(s0, p0, batch0, paramsOf(s0), createGeometry(s0).inChannels);
    if (o.memoryCheck ?? true) checkMemory(bytes, `a training step of ${s0.arch} (${checked.preset}) with --batch ${batch0} --patch ${p0.join('x')}`, 'lower --batch or --patch', note);
  }
  const prior = await checkRunFolder(o);
  const backend = await useBestBackend({ backend: o.backend, precision: o.precision ?? 'auto' });
  let { spec } = checked;
  const { preset, patch, lossName, schedule, normMode, plan } = checked;
  const g = createGeometry(spec);
  const dims = g.spatialDims;
  const K = g.classes;
  const loss = lossFn(lossName);
  // Everything is read and checked before any training starts.
  const samples = await loadDataset(o.data, { classes: Math.max(K, 2), labelMap: o.labelMap, ignoreValue: o.ignoreValue, channels: o.inChannels, limits: o.limits })
    .catch((e: Error) => {
      const hint = !o.labelMap && /label value/.test(e.message) ? ' (labels stored as other values, e.g. 0/255, need --label-map VALUE:CLASS,…, e.g. 0:0,255:1)' : '';
      throw new Error(e.message + hint);
    });
  // A 2-D plan configuration of volumes (nnU-Net's `2d` of 3-D data) trains on their slices along the first axis.
  const slices = !!plan && dims === 2 && samples[0]?.image.shape.length === 3;
  const odd = samples.find((s) => s.image.shape.length !== (slices ? 3 : dims));
  if (odd) throw new Error(`${o.data}: preset ${preset} is ${dims}-D${slices ? ' on the slices of volumes' : ''} but ${odd.name} is ${odd.image.shape.length}-D — rule: one dimensionality per data set`);
  if (plan) {
    const c = samples.find((s) => s.image.channels !== g.inChannels);
    if (c) throw new Error(`${o.data}: ${c.name} has ${c.image.channels} channel(s); the plan's network takes ${g.inChannels}`);
    if (dims === 3 || slices) {
      // nnU-Net's preprocessing: every case on the plan's spacing (images linear, labels by per-class maps); slices
      // keep each volume's own spacing along the slice axis
      for (const s of samples) {
        const target = targetSpacing(s.image, { spacing: plan.spacing, slices })!; // what `unet predict` will resample it to
        if (sameSpacing(s.image.spacing, target)) continue;
        const from = s.image.shape;
        s.image = resampleVolume(s.image, { spacing: target });
        const ignore = s.label.some((v) => v < 0);
        s.label = resampleLabels(s.label, from, s.image.shape, ignore ? { method: 'nearest' } : { classes: Math.max(K, 2) });
      }
    }
  } else if (o.inChannels === undefined && samples[0].image.channels !== g.inChannels) {
    spec = resolveSpec(spec.arch, { ...spec.options, inChannels: samples[0].image.channels }); // the data's channels by default
  }
  for (const s of samples) if (normMode !== 'none') s.image.data = applyNormalization(s.image.data, s.image.channels, normMode);
  const rng = new Rng(o.seed ?? 0);
  let foldInfo: { fold: number; source: string } | undefined;
  const order = samples.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) { const j = rng.int(i + 1); [order[i], order[j]] = [order[j], order[i]]; }
  const nVal = o.valFraction === 0 ? 0 : Math.max(1, Math.round((o.valFraction ?? 0.2) * samples.length));
  if (samples.length - nVal < 1) throw new Error(`${o.data}: ${samples.length} cases leave none for training with --val-fraction ${o.valFraction ?? 0.2}`);
  let val = order.slice(0, nVal).map((i) => samples[i]);
  let trn = order.slice(nVal).map((i) => samples[i]);
  if (plan) {
    const { folds, source } = foldsFor(o.data, samples.map((s) => s.name), o.out);
    const fold = o.fold ?? 0;
    if (fold >= folds.length) throw new Error(`--fold ${fold}: ${source} has ${folds.length} folds (0 … ${folds.length - 1})`);
    const byName = new Map(samples.map((s) => [s.name, s]));
    trn = folds[fold].train.map((n) => byName.get(n)!);
    val = folds[fold].val.map((n) => byName.get(n)!);
    foldInfo = { fold, source };
  }
  const model = createNet(spec);
  if (o.init) {
    try {
      decodeWeights(model, new Uint8Array(await readFile(o.init)), o.init, foreignKeyOf(spec.arch));
    } catch (e) {
      model.dispose();
      throw new Error(`--init: ${(e as Error).message}`);
    }
  }
  const lr = plan ? NNUNET_RECIPE.lr : o.lr ?? TRAIN_DEFAULTS.lr;
  const batch = o.batch ?? (plan ? plan.batch : dims === 2 ? 4 : 2);
  const headWeights = plan ? headWeightsOf(spec) : undefined;
  const config = {
    arch: spec.arch, preset, options: spec.options, init: o.init ?? null, data: o.data, patch, batch, loss: lossName, lr,
    schedule, precision: o.precision ?? 'auto', iterations: o.iterations, epochs: o.epochs, minutes: o.minutes, seed: o.seed ?? 0,
    labelMap: o.labelMap ?? null, ignoreValue: o.ignoreValue ?? null, normalize: normMode, train: trn.map((s) => s.name),
    val: val.map((s) => s.name), backend,
    // The training images' median voxel spacing: `unet predict` resamples volumes to it.
    spacing: plan && (dims === 3 || slices) ? [...plan.spacing] : medianSpacing(trn.map((s) => s.image)),
    // a 2-D network trained on the slices of volumes: `unet predict` segments volumes slice by slice
    ...(slices ? { slices: true } : {}),
    ...(plan ? {
      plan: o.plan, planConfig: o.config, fold: foldInfo!.fold, folds: foldInfo!.source,
      recipe: { lossOptions: NNUNET_RECIPE.lossOptions, optimizer: 'sgd', momentum: NNUNET_RECIPE.momentum, nesterov: true, weightDecay: NNUNET_RECIPE.weightDecay, clipNorm: NNUNET_RECIPE.clipNorm, foregroundPerBatch: NNUNET_RECIPE.foregroundFraction, augment: 'nnunet', headWeights },
    } : {}),
  };
  if (prior.lastMeta) {
    const was = prior.lastMeta.config as Record<string, unknown>;
    for (const k of KEPT_ON_RESUME) {
      const now = (config as Record<string, unknown>)[k];
      if (k in was && !sameJson(was[k] ?? null, now ?? null)) {
        const a = was[k], b = now;
        const diff = k === 'options' && a && b && typeof a === 'object' && typeof b === 'object'
          ? [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((n) => !sameJson((a as Record<string, unknown>)[n], (b as Record<string, unknown>)[n]))
            .map((n) => `${n} ${JSON.stringify((a as Record<string, unknown>)[n])} → ${JSON.stringify((b as Record<string, unknown>)[n])}`).join(', ')
          : `${JSON.stringify(a)} → ${JSON.stringify(b)}`;
        throw new Error(`--resume: these options change the run's ${k === 'options' ? 'network' : k} (${diff}); rule: a resumed run keeps the network, normalisation and label map of its checkpoints — drop the options that change them (nothing was written)`);
      }
    }
  }
  const created = !existsSync(o.out);
  const release = lockRunFolder(o.out, note);
  const folder = new RunFolder(o.out);
  try {
    if (o.overwrite) for (const f of RUN_FILES) await rm(join(o.out, f), { recursive: true, force: true });
    if (prior.lastMeta) await prepareResume(o.out, prior.last!, prior.lastMeta, note);
    await folder.init(config, !!prior.lastMeta);
  } catch (e) {
    release();
    if (created) rmSync(o.out, { recursive: true, force: true });
    throw e;
  }
  const drawn = slices ? trn.flatMap(sliceSamples) : trn; // what patches are drawn from
  const data = new PrefetchBatchSource(drawn.map(sampleToPatch), {
    batchSize: config.batch, patch: { size: patch, foregroundFraction: 0.33 },
    augment: { flip: true, rotate: true, elasticProb: o.elastic ?? 0, scale: 0, shift: 0 },
    ...(plan ? { patch: { size: patch }, foregroundPerBatch: NNUNET_RECIPE.foregroundFraction, augment: nnunetAugment({ elasticProb: o.elastic ?? 0 }) } : {}),
  }, rng, drawn.map((s) => s.name));
  const perEpoch = o.itersPerEpoch ?? TRAIN_DEFAULTS.itersPerEpoch;
  const total = o.iterations ?? (o.epochs !== undefined ? o.epochs * perEpoch : o.minutes !== undefined ? 1e9 : 1000);
  const checkpoints = folderCheckpoints(join(o.out, 'checkpoints'));
  const stepTimes: number[] = [];
  let lastT = 0;
  o.onStart?.(o.minutes !== undefined && o.iterations === undefined ? undefined : total);
  try {
    const result = await train({
      model, data, lr, schedule: { name: schedule }, iterations: total, itersPerEpoch: perEpoch,
      minutes: o.minutes, maxMinutes: o.maxMinutes, patience: o.patience, checkpoints, resume: o.resume, config,
      ...(plan ? {
        sgd: { momentum: NNUNET_RECIPE.momentum, nesterov: NNUNET_RECIPE.nesterov, weightDecay: NNUNET_RECIPE.weightDecay },
        step: { headWeights, clipNorm: NNUNET_RECIPE.clipNorm },
      } : {}),
      loss: (logits, target, weights) => loss({ logits, target, weights }, plan ? NNUNET_RECIPE.lossOptions : undefined),
      validate: val.length ? () => validationDice(model, val, K, patch) : undefined,
      onLog: (rec) => {
        void folder.log(rec);
        if (rec.kind === 'iter') { stepTimes.push(rec.elapsedS - lastT); }
        lastT = rec.elapsedS;
        o.onLog?.(rec);
      },
    });
    await folder.flush();
    // Keep the weights that validated best (the last ones when there is no validation).
    const best = val.length ? await checkpoints.read('best') : undefined;
    if (best) {
      const scratch = new Adam();
      decodeCheckpoint(best, checkpoints.where('best'), model, scratch);
      scratch.dispose();
    }
    model.eval();
    const finalMetrics = val.length ? await validationDice(model, val, K, patch) : undefined;
    await saveModel(model, join(o.out, 'model.safetensors'));
    if (plan && val.length) {
      // nnU-Net's end of a fold: the held-back cases segmented as `unet predict` would, with their probabilities, for
      // `unet find-best --candidate NAME=RUN/validation` (configurations, ensembles, post-processing)
      const dir = join(o.out, 'validation');
      await rm(dir, { recursive: true, force: true });
      await predictRun({ model: o.out, input: val.map((s) => s.image.source), out: dir, probabilities: true, backend: o.backend, limits: o.limits, onNote: note });
    }
    const sorted = [...stepTimes].sort((a, b) => a - b);
    return { result, model, spec, preset, backend, val, classes: K, finalMetrics, stepMedianS: sorted.length ? sorted[Math.floor(sorted.length / 2)] : NaN };
  } finally {
    await data.close();
    release();
  }
}

/**
 * Before a resume: orphan `*.tmp` files of a killed write removed; `best` made consistent with `last` (a best written
 * at last's step but lost to a kill is restored from last; a best newer than last, from runs of earlier versions that
 * wrote best first, is removed); metrics.jsonl cut back to the checkpoint's iteration, so no iteration is logged twice.
 */
async function prepareResume(dir: string, last: Uint8Array, meta: ReturnType<typeof checkpointMeta>, note: (m: string) => void): Promise<void> {
  const ckpt = join(dir, 'checkpoints');
  const gone = [...removeOrphanTmp(dir), ...removeOrphanTmp(ckpt)];
  if (gone.length) note(`note: removed ${gone.length} temporary file(s) of an interrupted write: ${gone.join(', ')}`);
  const bestPath = join(ckpt, 'best.safetensors');
  const bestStep = existsSync(bestPath) ? checkpointMeta(new Uint8Array(await readFile(bestPath)), bestPath).step : undefined;
  if (bestStep !== undefined && bestStep > meta.step) {
    note(`note: ${bestPath} (iteration ${bestStep}) is newer than the last checkpoint (iteration ${meta.step}); removed, the resumed run keeps its own best`);
    await rm(bestPath, { force: true });
  } else if (meta.best.step === meta.step && bestStep !== meta.step && Number.isFinite(meta.best.score)) {
    await writeFileAtomic(bestPath, last); // best was taken at last's step; its write did not finish
  }
  const metrics = join(dir, 'metrics.jsonl');
  if (existsSync(metrics)) {
    const lines = (await readFile(metrics, 'utf8')).split('\n').filter((l) => l.trim());
    const kept = lines.filter((l) => {
      try { return (JSON.parse(l) as { iter: number }).iter <= meta.step; } catch { return false; }
    });
    if (kept.length !== lines.length) await writeFileAtomic(metrics, kept.map((l) => l + '\n').join(''));
  }
}
