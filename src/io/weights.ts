/**
 * Weights on disk: a safetensors file in PyTorch's layout and names, so that a PyTorch `state_dict` saved with
 * `safetensors.torch.save_file(model.state_dict(), path)` loads directly, plus a JSON file with the options.
 *
 * Names: each architecture's reference module's (the U-Net's: the chapter's module tree); an architecture may map
 * other namings onto its own (`Architecture.foreignKey`), passed here as `mapKey`; a `module.` prefix
 * (DataParallel) is dropped by default.
 * Layouts: conv weights are [Cout, Cin, k…] in PyTorch and [k…, Cin, Cout] here; transposed-conv weights
 * [Cin, Cout, k…] and [k…, Cout, Cin]. Both convert with the same permutation.
 */
import { tf, type Variable } from '../core/tf.js';
import type { Module } from '../nn/module.js';
import { readSafetensors, writeSafetensors, type SafeTensor } from './safetensors.js';

/** PyTorch → tfjs permutation of a conv weight of the given rank (4 or 5); the inverse for tfjs → PyTorch. */
const TORCH_TO_TF: Record<number, number[]> = { 4: [2, 3, 1, 0], 5: [2, 3, 4, 1, 0] };
const TF_TO_TORCH: Record<number, number[]> = { 4: [3, 2, 0, 1], 5: [4, 3, 0, 1, 2] };

const isConvWeight = (name: string, rank: number) => name.endsWith('weight') && rank >= 4;

export const permuteShape = (shape: readonly number[], perm: readonly number[]): number[] => perm.map((p) => shape[p]);

/** The default key mapping: drops a `module.` prefix (DataParallel). */
export const stripModulePrefix = (key: string): string => key.replace(/^module\./, '');

/** The model's state as safetensors entries in PyTorch layout and names (num_batches_tracked as I64). */
export async function stateDict(model: Module): Promise<Map<string, SafeTensor>> {
  const out = new Map<string, SafeTensor>();
  for (const [name, v] of model.stateEntries()) {
    if (v.dtype === 'int32') {
      out.set(name, { dtype: 'I64', shape: [...v.shape], data: (await v.data()) as Int32Array });
      continue;
    }
    const t = isConvWeight(name, v.rank) ? tf.transpose(v, TF_TO_TORCH[v.rank]) : v;
    out.set(name, { dtype: 'F32', shape: [...t.shape], data: (await t.data()) as Float32Array });
    if (t !== v) t.dispose();
  }
  return out;
}

/**
 * Loads PyTorch-layout tensors into the model. Every model tensor must be present with the right shape and finite
 * values (NaN/Inf refused), and no unknown tensor may be left over; errors name the source, the first offending
 * tensor and both shapes or the value.
 * Nothing is assigned unless everything matches.
 */
export function loadStateDict(model: Module, tensors: Map<string, SafeTensor>, where: string, mapKey: (key: string) => string = stripModulePrefix): void {
  const byName = new Map<string, SafeTensor>();
  for (const [key, t] of tensors) byName.set(mapKey(key), t);
  const targets = model.stateEntries();
  const plan: [Variable, tf.Tensor][] = [];
  try {
    for (const [name, v] of targets) {
      const t = byName.get(name);
      if (!t) throw new Error(`${where}: tensor '${name}' (expected shape [${expectedTorchShape(name, v)}]) is missing; the file has ${tensors.size} tensors, e.g. ${[...tensors.keys()].slice(0, 3).join(', ')}`);
      const want = expectedTorchShape(name, v);
      if (t.shape.length !== want.length || t.shape.some((s, i) => s !== want[i])) {
        throw new Error(`${where}: tensor '${name}' has shape [${t.shape}] in the file but the model's options need [${want}] (PyTorch layout)`);
      }
      byName.delete(name);
      if (t.data instanceof Float32Array) {
        for (let i = 0; i < t.data.length; i++) {
          if (!Number.isFinite(t.data[i])) throw new Error(`${where}: tensor '${name}' holds ${t.data[i]} at index ${i} (of ${t.data.length}) — rule: weights are finite (NaN/Inf weights predict garbage)`);
        }
      }
      const value = v.dtype === 'int32' ? tf.tensor(Int32Array.from(t.data), [...v.shape], 'int32') : tf.tensor(Float32Array.from(t.data), t.shape, 'float32');
      plan.push([v, isConvWeight(name, v.rank) ? tf.tidy(() => tf.transpose(value, TORCH_TO_TF[v.rank])) : value]);
      if (isConvWeight(name, v.rank)) value.dispose();
    }
    if (byName.size > 0) throw new Error(`${where}: tensor '${[...byName.keys()][0]}' does not belong to this model (${byName.size} unexpected tensors in all)`);
    for (const [v, t] of plan) v.assign(t);
  } finally {
    for (const [, t] of plan) t.dispose();
  }
}

function expectedTorchShape(name: string, v: Variable): number[] {
  return isConvWeight(name, v.rank) ? permuteShape(v.shape, TF_TO_TORCH[v.rank]) : [...v.shape];
}

/** Serialises the model's weights to safetensors bytes (PyTorch names and layout). */
export async function encodeWeights(model: Module, metadata?: Record<string, string>): Promise<Uint8Array> {
  return writeSafetensors(await stateDict(model), metadata);
}

/** Loads safetensors bytes into the model. */
export function decodeWeights(model: Module, bytes: Uint8Array, where = 'weights', mapKey?: (key: string) => string): void {
  loadStateDict(model, readSafetensors(bytes, where).tensors, where, mapKey);
}
