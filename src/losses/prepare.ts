/** Shared input checks and flattening of the loss contract (internal to src/losses). */
import { tf, type Tensor } from '../core/tf.js';
import type { LossInputs, LossOptions } from './types.js';

/** Flattened loss inputs: logits [N, K], target [N] (float32), weights [N] or undefined. */
export interface Flat {
  mode: 'binary' | 'multiclass' | 'multilabel';
  k: number;
  /** Batch size B (rows are B blocks of N / B voxels). */
  b: number;
  logits: Tensor;
  target: Tensor;
  weights?: Tensor;
}

/**
 * Checks shapes and the mode, and flattens every voxel of the whole batch into rows (call inside tf.tidy); target
 * [N, K] for 'multilabel' (allowed only where `multilabel` is true).
 */
export function flatten(inputs: LossInputs, options: LossOptions | undefined, loss: string, multilabel = false): Flat {
  const { logits, target, weights } = inputs;
  if (logits.rank < 2) throw new Error(`${loss}: logits rank ${logits.rank} must be ≥ 2 ([B, ...S, K])`);
  const k = logits.shape[logits.rank - 1];
  const mode = options?.mode ?? (k === 1 ? 'binary' : 'multiclass');
  if (mode === 'binary' && k !== 1) throw new Error(`${loss}: mode 'binary' needs K = 1 logit channel, got K = ${k}`);
  if (mode === 'multiclass' && k < 2) throw new Error(`${loss}: mode 'multiclass' needs K ≥ 2 logit channels, got K = ${k}`);
  if (!['binary', 'multiclass', 'multilabel'].includes(mode)) throw new Error(`${loss}: mode '${mode}' must be binary, multiclass${multilabel ? ' or multilabel' : ''}`);
  if (mode === 'multilabel' && !multilabel) throw new Error(`${loss}: mode 'multilabel' is for the Dice-family losses (dice, tversky, focal-tversky); use bce per channel otherwise`);
  const want = logits.shape.slice(0, -1);
  const same = (s: number[], w = want) => s.length === w.length && s.every((v, i) => v === w[i]);
  if (mode === 'multilabel') {
    if (!same(target.shape, logits.shape)) throw new Error(`${loss}: mode 'multilabel' needs a target of the logits' shape [${logits.shape}] (0/1 per channel), got [${target.shape}]`);
  } else if (!same(target.shape)) throw new Error(`${loss}: target shape [${target.shape}] must equal the logits shape without K, [${want}]`);
  if (weights && !same(weights.shape)) throw new Error(`${loss}: weights shape [${weights.shape}] must equal the target shape [${want}]`);
  const n = want.reduce((a, b) => a * b, 1);
  return {
    mode,
    k,
    b: logits.shape[0],
    logits: tf.reshape(logits, [n, k]),
    target: tf.reshape(tf.cast(target, 'float32'), mode === 'multilabel' ? [n, k] : [n]),
    weights: weights ? tf.reshape(tf.cast(weights, 'float32'), [n]) : undefined,
  };
}

/** Class indices of the Dice / Tversky terms, checked against K (binary: the single foreground channel). */
export function diceClassList(f: Flat, options: LossOptions | undefined, loss: string): number[] {
  if (f.mode === 'binary') return [0];
  if (options?.includeBackground !== undefined && options.diceClasses) throw new Error(`${loss}: give includeBackground or diceClasses, not both`);
  const all = options?.includeBackground || f.mode === 'multilabel';
  const cls = options?.diceClasses ?? Array.from({ length: all ? f.k : f.k - 1 }, (_, i) => (all ? i : i + 1));
  if (cls.length === 0) throw new Error(`${loss}: diceClasses is empty; it must name at least one class`);
  for (const c of cls) {
    if (!Number.isInteger(c) || c < 0 || c >= f.k) throw new Error(`${loss}: diceClasses entry ${c} must be an integer in [0, ${f.k})`);
  }
  return cls;
}
