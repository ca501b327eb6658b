/**
 * Checkpoints: one safetensors file holding the model's state dict (PyTorch names and layout), the optimizer's moments
 * (`optim.<param>.m|v`) and, in its metadata, the step, the sampler's RNG state and the run's config; written
 * atomically (temp file, then rename), so a run killed at any moment leaves the last good checkpoint intact.
 */
import { readFile } from 'node:fs/promises';
import { tf, type Tensor } from '../core/tf.js';
import type { TrainableNet } from '../models/types.js';
import { stateDict, loadStateDict } from '../io/weights.js';
import { readSafetensors, writeSafetensors, type SafeTensor } from '../io/safetensors.js';
import { writeFileAtomic } from '../io/files.js';
import type { Adam } from './adam.js';

export interface CheckpointMeta {
  /** Iterations done. */
  step: number;
  epoch: number;
  /** RNG state of the batch sampler after `step` batches. */
  rng: [number, number, number | null];
  /** Training seconds spent before this checkpoint (a resumed run's time budget and schedule go on from here). */
  elapsedS?: number;
  /** Best validation score so far and its step. */
  best: { score: number; step: number };
  /** Free-form run configuration (options of the run). */
  config: Record<string, unknown>;
}

export async function saveCheckpoint(path: string, model: TrainableNet, opt: Adam, meta: CheckpointMeta): Promise<void> {
  const tensors = await stateDict(model);
  for (const [k, t] of opt.stateTensors(model.namedParameters())) {
    tensors.set(`optim.${k}`, { dtype: 'F32', shape: [...t.shape], data: (await t.data()) as Float32Array } as SafeTensor);
  }
  const bytes = writeSafetensors(tensors, { format: 'unet-ts-checkpoint', meta: JSON.stringify({ ...meta, adamT: opt.t }) });
  await writeFileAtomic(path, bytes);
}

/** Loads a checkpoint into `model` and `opt`; returns its metadata. */
export async function loadCheckpoint(path: string, model: TrainableNet, opt: Adam): Promise<CheckpointMeta> {
  const file = readSafetensors(new Uint8Array(await readFile(path)), path);
  if (file.metadata.format !== 'unet-ts-checkpoint') throw new Error(`${path}: not a unet-ts checkpoint (metadata format '${file.metadata.format}')`);
  const weights = new Map([...file.tensors].filter(([k]) => !k.startsWith('optim.')));
  loadStateDict(model, weights, path);
  const meta = JSON.parse(file.metadata.meta) as CheckpointMeta & { adamT: number };
  const state = new Map<string, Tensor>();
  for (const [k, t] of file.tensors) if (k.startsWith('optim.')) state.set(k.slice(6), tf.tensor(Float32Array.from(t.data), t.shape));
  opt.loadState(model.namedParameters(), state, meta.adamT);
  tf.dispose([...state.values()]);
  return meta;
}
