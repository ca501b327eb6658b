/**
 * Checkpoints: one safetensors file holding the model's state dict (PyTorch names and layout), the optimizer's moments
 * (`optim.<param>.m|v`) and, in its metadata, the step, the sampler's RNG state and the run's config. Encoding is
 * browser-safe; where the bytes go is a `CheckpointStore` (`checkpoint-fs.ts`: a folder, written atomically, so a run
 * killed at any moment leaves the last good checkpoint intact; `memoryCheckpoints()`: in memory).
 */
import { tf, type Tensor } from '../core/tf.js';
import type { TrainableNet } from '../models/types.js';
import { stateDict, loadStateDict } from '../io/weights.js';
import { readSafetensors, writeSafetensors, type SafeTensor } from '../io/safetensors.js';
import type { Tensor as T, Variable as V } from '../core/tf.js';

/** What a checkpoint keeps of an optimiser (Adam's moments, SGD's momentum buffers) and its step count. */
export interface CheckpointedOptimizer {
  t: number;
  stateTensors(named: [string, V][]): Map<string, T>;
  loadState(named: [string, V][], state: Map<string, T>, t: number): void;
}

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

/** Where checkpoints `last` and `best` are kept. */
export interface CheckpointStore {
  /** Stores the bytes of checkpoint `name`, replacing any earlier one whole. */
  write(name: CheckpointName, bytes: Uint8Array): Promise<void>;
  /** The bytes of checkpoint `name`, or undefined when there is none. */
  read(name: CheckpointName): Promise<Uint8Array | undefined>;
  /** Names the checkpoint in errors (a path, 'memory'). */
  where(name: CheckpointName): string;
}

export type CheckpointName = 'last' | 'best';

/** Checkpoints kept in memory (the browser, tests). */
export function memoryCheckpoints(): CheckpointStore {
  const held = new Map<CheckpointName, Uint8Array>();
  return {
    write: async (name, bytes) => { held.set(name, bytes); },
    read: async (name) => held.get(name),
    where: (name) => `memory:${name}`,
  };
}

/** The checkpoint's bytes: weights, the optimiser's moments and `meta`. */
export async function encodeCheckpoint(model: TrainableNet, opt: CheckpointedOptimizer, meta: CheckpointMeta): Promise<Uint8Array> {
  const tensors = await stateDict(model);
  for (const [k, t] of opt.stateTensors(model.namedParameters())) {
    tensors.set(`optim.${k}`, { dtype: 'F32', shape: [...t.shape], data: (await t.data()) as Float32Array } as SafeTensor);
  }
  return writeSafetensors(tensors, { format: 'unet-ts-checkpoint', meta: JSON.stringify({ ...meta, adamT: opt.t }) });
}

/** Loads checkpoint bytes (named `path` in errors) into `model` and `opt`; returns its metadata. */
export function decodeCheckpoint(bytes: Uint8Array, path: string, model: TrainableNet, opt: CheckpointedOptimizer): CheckpointMeta {
  const file = readSafetensors(bytes, path);
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
