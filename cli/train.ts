/** `unet train` (and the demo's training): dataset → patches → trainer → run folder. */
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { Adam } from '../src/train/adam.js';
import { loadCheckpoint } from '../src/train/checkpoint.js';
import cliProgress from 'cli-progress';
import { tf } from '../src/core/tf.js';
import { Rng } from '../src/core/rng.js';
import { useBestBackend } from '../src/backends/select.js';
import { UNet } from '../src/models/unet/unet.js';
import { presetOptions } from '../src/models/unet/presets.js';
import { presets } from '../src/models/registry.js';
import { loadDataset } from '../src/data/dataset.js';
import { normalize, type NormalizeMode } from '../src/data/normalize.js';
import { sampleToPatch } from '../src/data/sampler.js';
import type { Sample } from '../src/data/types.js';
import { lossFn } from '../src/losses/index.js';
import { confusionCounts, overlapScores } from '../src/metrics/overlap.js';
import { predictWhole, toClasses } from '../src/infer/whole.js';
import { train, type TrainResult } from '../src/train/trainer.js';
import { PrefetchBatchSource } from '../src/train/sources.js';
import { RunFolder } from '../src/train/run-folder.js';
import { medianSpacing } from '../src/infer/resample.js';
import { checkInputSize } from '../src/models/unet/plan.js';
import { resolveOptions } from '../src/models/unet/options.js';
import { slidingWindowVolume } from '../src/infer/sliding-window.js';
import { probabilitiesToLabels } from '../src/infer/postprocess.js';
import { saveModel } from '../src/io/files.js';
import { lookUpOption } from '../src/core/registry.js';
import type { ScheduleName } from '../src/train/schedule.js';

export interface TrainCliOptions {
  data: string;
  out: string;
  /** Default 'seed2d'. */
  preset?: string;
  /** Default 16. */
  base?: number;
  /** Model output channels: 1 = binary (sigmoid), K ≥ 2 classes (softmax). Default: the preset's. */
  classes?: number;
  /** Image channels (every image must have them). Default: the first image's (opaque PNG alpha is dropped on reading). */
  inChannels?: number;
  /** Patch size; default 256x256 (2-D) or 48x64x48 (3-D); the valid-padded presets' own input (572², 132×132×116). */
  patch?: number[];
  /** Default 4 (2-D), 2 (3-D). */
  batch?: number;
  iterations?: number;
  epochs?: number;
  minutes?: number;
  /** A wall-clock ceiling that stops the run but leaves the schedule on the iterations (the demo's). */
  maxMinutes?: number;
  /** Default 'bce-dice' for binary, 'ce-dice' otherwise. */
  loss?: string;
  /** Default 1e-3. */
  lr?: number;
  /** Default 'poly' (nnU-Net's (1 − t)^0.9, over the iterations or the --minutes budget). */
  schedule?: ScheduleName;
  /** Default 0. */
  seed?: number;
  /** Default 0.2. */
  valFraction?: number;
  /** Raw label value → class, e.g. {0:0, 255:1}. */
  labelMap?: Record<number, number>;
  ignoreValue?: number;
  /** Default 'zscore'. */
  normalize?: NormalizeMode | 'none';
  /** Iterations per epoch (validation cadence). Default 100. */
  itersPerEpoch?: number;
  /** Elastic deformation probability. Default 0. */
  elastic?: number;
  resume?: boolean;
  /** Epochs without improvement before stopping. */
  patience?: number;
  quiet?: boolean;
  backend?: string;
  /** Convolution precision: 'auto' (bf16 where the CPU has AVX512-BF16, else fp32), 'fp32', 'bf16'. Default 'auto'. */
  precision?: 'fp32' | 'bf16' | 'auto';
}

/** Parses "0:0,255:1". */
export function parseLabelMap(text: string): Record<number, number> {
  const out: Record<number, number> = {};
  for (const part of text.split(',')) {
    const m = part.trim().match(/^(-?\d+):(\d+)$/);
    if (!m) throw new Error(`--label-map '${text}': each entry must be VALUE:CLASS, e.g. 0:0,255:1`);
    out[Number(m[1])] = Number(m[2]);
  }
  return out;
}

/** Mean Dice of the foreground classes of each validation case, and per class. */
async function evaluate(model: UNet, samples: Sample[], k: number): Promise<Record<string, number> & { score: number }> {
  const n = Math.max(k, 2);
  const perClass = new Array(n).fill(0);
  for (const s of samples) {
    let pred: Int32Array;
    if (model.options.padding === 'same') {
      const x = tf.tensor(s.image.data, [1, ...s.image.shape, s.image.channels]);
      const logits = predictWhole(model, x);
      pred = toClasses(logits);
      tf.dispose([x, logits]);
    } else {
      pred = probabilitiesToLabels(await slidingWindowVolume(model, s.image)); // overlap-tile over the whole image
    }
    const sc = overlapScores(confusionCounts(pred, s.label, n, { ignore: -1 }));
    for (let c = 1; c < n; c++) perClass[c] += sc.dice[c] / samples.length;
  }
  const fg = perClass.slice(1);
  const out: Record<string, number> & { score: number } = { score: fg.reduce((a, b) => a + b, 0) / fg.length };
  fg.forEach((d, i) => (out[`dice_${i + 1}`] = d));
  return out;
}

export interface TrainRun { result: TrainResult; model: UNet; val: Sample[]; classes: number; finalMetrics?: Record<string, number> }

export async function runTraining(o: TrainCliOptions): Promise<TrainRun> {
  const backend = await useBestBackend({ backend: o.backend, precision: o.precision ?? 'auto' });
  const preset = o.preset ?? 'seed2d';
  const base = presetOptions(preset, { base: o.base ?? 16, classes: o.classes, seed: o.seed ?? 0 });
  const resolved = resolveOptions(base);
  const dims = resolved.spatialDims;
  const K = resolved.classes;
  const valid = resolved.padding === 'valid'; // the papers' presets: their own input size by default
  const patch = o.patch ?? (valid ? [...presets.get(preset).defaultInput] : dims === 2 ? [256, 256] : [48, 64, 48]);
  if (patch.length !== dims) throw new Error(`--patch ${patch.join('x')} has ${patch.length} axes; preset ${preset} is ${dims}-D`);
  try {
    checkInputSize(resolved, patch); // a size the network cannot take fails here, before any file is written
  } catch (e) {
    throw new Error(`--patch ${patch.join('x')}: ${(e as Error).message}`);
  }
  const lossName = o.loss ?? (K === 1 ? 'bce-dice' : 'ce-dice');
  const loss = lossFn(lossName);
  const normMode = lookUpOption('normalisation', o.normalize ?? 'zscore', ['zscore', 'minmax', 'percentile', 'none'] as const);
  // Everything is read and checked before any training starts.
  const samples = await loadDataset(o.data, { classes: Math.max(K, 2), labelMap: o.labelMap, ignoreValue: o.ignoreValue, channels: o.inChannels })
    .catch((e: Error) => {
      const hint = !o.labelMap && /label value/.test(e.message) ? ' (labels stored as other values, e.g. 0/255, need --label-map VALUE:CLASS,…, e.g. 0:0,255:1)' : '';
      throw new Error(e.message + hint);
    });
  const dimsOk = samples.every((s) => s.image.shape.length === dims);
  if (!dimsOk) throw new Error(`${o.data}: preset ${preset} is ${dims}-D but ${samples.find((s) => s.image.shape.length !== dims)!.name} is ${samples.find((s) => s.image.shape.length !== dims)!.image.shape.length}-D`);
  for (const s of samples) if (normMode !== 'none') s.image.data = normalize(s.image.data, s.image.channels, normMode);
  const rng = new Rng(o.seed ?? 0);
  const order = samples.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) { const j = rng.int(i + 1); [order[i], order[j]] = [order[j], order[i]]; }
  const nVal = o.valFraction === 0 ? 0 : Math.max(1, Math.round((o.valFraction ?? 0.2) * samples.length));
  if (samples.length - nVal < 1) throw new Error(`${o.data}: ${samples.length} cases leave none for training with --val-fraction ${o.valFraction ?? 0.2}`);
  const val = order.slice(0, nVal).map((i) => samples[i]);
  const trn = order.slice(nVal).map((i) => samples[i]);
  const model = new UNet({ ...base, inChannels: o.inChannels ?? samples[0].image.channels }); // the data's channels by default
  const config = {
    preset, options: model.options, data: o.data, patch, batch: o.batch ?? (dims === 2 ? 4 : 2), loss: lossName, lr: o.lr ?? 1e-3,
    schedule: o.schedule ?? 'poly', precision: o.precision ?? 'auto', iterations: o.iterations, epochs: o.epochs, minutes: o.minutes, seed: o.seed ?? 0,
    labelMap: o.labelMap ?? null, ignoreValue: o.ignoreValue ?? null, normalize: normMode, train: trn.map((s) => s.name),
    val: val.map((s) => s.name), backend,
    // The training images' median voxel spacing: `unet predict` resamples volumes to it.
    spacing: medianSpacing(trn.map((s) => s.image)),
  };
  const folder = new RunFolder(o.out);
  await folder.init(config);
  const data = new PrefetchBatchSource(trn.map(sampleToPatch), {
    batchSize: config.batch, patch: { size: patch, foregroundFraction: 0.33 },
    augment: { flip: true, rotate: true, elasticProb: o.elastic ?? 0, scale: 0, shift: 0 },
  }, rng, trn.map((s) => s.name));
  const perEpoch = o.itersPerEpoch ?? 100;
  const total = o.iterations ?? (o.epochs !== undefined ? o.epochs * perEpoch : o.minutes !== undefined ? 1e9 : 1000);
  const bar = o.quiet ? undefined : new cliProgress.SingleBar({
    format: 'train {bar} {value}/{total} | ETA {eta_formatted} | loss {loss} | val Dice {val}', hideCursor: true,
  }, cliProgress.Presets.shades_classic);
  bar?.start(o.minutes !== undefined && o.iterations === undefined ? 0 : total, 0, { loss: '-', val: '-' });
  let lastVal = '-';
  try {
    const result = await train({
      model, data, lr: config.lr, schedule: { name: config.schedule as ScheduleName }, iterations: total, itersPerEpoch: perEpoch,
      minutes: o.minutes, maxMinutes: o.maxMinutes, patience: o.patience, checkpointDir: join(o.out, 'checkpoints'), resume: o.resume, config,
      loss: (logits, target, weights) => loss({ logits, target, weights }),
      validate: val.length ? () => evaluate(model, val, K) : undefined,
      onLog: (rec) => {
        void folder.log(rec);
        if (rec.kind === 'epoch' && rec.metrics) lastVal = rec.metrics.score.toFixed(4);
        bar?.update(rec.iter, { loss: rec.loss?.toFixed(4) ?? '-', val: lastVal });
      },
    });
    bar?.stop();
    await folder.flush();
    // Keep the weights that validated best (the last ones when there is no validation).
    const bestPath = join(o.out, 'checkpoints', 'best.safetensors');
    if (val.length && existsSync(bestPath)) {
      const scratch = new Adam();
      await loadCheckpoint(bestPath, model, scratch);
      scratch.dispose();
    }
    model.eval();
    const finalMetrics = val.length ? await evaluate(model, val, K) : undefined;
    await saveModel(model, join(o.out, 'model.safetensors'));
    return { result, model, val, classes: K, finalMetrics };
  } finally {
    bar?.stop();
    await data.close();
  }
}

export const PRESETS_HELP = presets.names().join(', ');
