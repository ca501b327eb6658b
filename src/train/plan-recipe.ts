/**
 * Training from a plan (`unet train --plan plans.json --config 3d_fullres --fold K`): the plan's configuration read
 * and checked, the network it names, nnU-Net v2's fixed training recipe (nnUNetTrainer: SGD Nesterov lr 0.01
 * momentum 0.99 weight decay 3e-5, poly 0.9, gradient clipping at global norm 12, Dice + CE, deep-supervision weights
 * 1/2^i with the lowest head 0, one third of each batch centred on foreground) and its 5-fold cross-validation.
 *
 * `PlanConfiguration` is the planner's type (src/plan/types.ts); training reads it from the file and checks it here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readPlansFile, type PlanConfigName, type PlansFile } from '../plan/plans-file.js';
import { Rng } from '../core/rng.js';
import type { PlanConfiguration } from '../plan/types.js';
import type { NetSpec } from '../models/types.js';
import { resolveSpec } from '../models/registry.js';

export type { PlanConfiguration, PlanConfigName, PlansFile };

/** nnU-Net v2's nnUNetTrainer, the parts this library follows. */
export const NNUNET_RECIPE = {
  lr: 0.01,
  momentum: 0.99,
  weightDecay: 3e-5,
  nesterov: true,
  schedule: 'poly' as const,
  clipNorm: 12,
  loss: 'ce-dice',
  /** nnU-Net's DC_and_CE_loss: soft Dice without the background class, smoothing 1e-5, summed over the batch. */
  lossOptions: { includeBackground: false, smoothNr: 1e-5, smoothDr: 1e-5, batch: true },
  foregroundFraction: 1 / 3,
  folds: 5,
  /** nnU-Net's KFold random_state. */
  foldSeed: 12345,
} as const;

const isNums = (v: unknown, n?: number) => Array.isArray(v) && (n === undefined || v.length === n) && v.every((x) => typeof x === 'number' && Number.isFinite(x));

/** The configuration `name` of the plans file at `path`, checked; every error names the file and the field. */
export function readPlan(path: string, name: string): PlanConfiguration {
  const plans = readPlansFile(path, '--plan');
  const names = Object.keys(plans.configurations ?? {});
  const cfg = plans.configurations?.[name as PlanConfigName];
  if (!cfg) throw new Error(`--config ${name}: ${path} has no such configuration; it has ${names.join(', ') || 'none'}`);
  const where = `${path} configuration ${name}`;
  const d = cfg.spatialDims;
  if (d !== 2 && d !== 3) throw new Error(`${where}: spatialDims must be 2 or 3, got ${JSON.stringify(d)}`);
  for (const k of ['spacing', 'patch'] as const) if (!isNums(cfg[k], d) || cfg[k].some((v) => v <= 0)) throw new Error(`${where}: ${k} must list ${d} positive numbers, got ${JSON.stringify(cfg[k])}`);
  if (!Number.isInteger(cfg.batch) || cfg.batch < 1) throw new Error(`${where}: batch must be an integer ≥ 1, got ${JSON.stringify(cfg.batch)}`);
  if (!Array.isArray(cfg.normalization) || cfg.normalization.length === 0) throw new Error(`${where}: normalization must list one scheme per channel`);
  cfg.normalization.forEach((n, c) => {
    if (n.scheme !== 'zscore' && n.scheme !== 'ct') throw new Error(`${where}: normalization[${c}].scheme must be 'zscore' or 'ct', got ${JSON.stringify(n.scheme)}`);
    if (n.scheme === 'ct' && !(n.ct && [n.ct.mean, n.ct.std, n.ct.lower, n.ct.upper].every((v) => typeof v === 'number' && Number.isFinite(v)))) throw new Error(`${where}: normalization[${c}] is 'ct' and needs ct: { mean, std, lower, upper }`);
  });
  if (cfg.network?.arch !== 'nnunet') throw new Error(`${where}: network.arch must be 'nnunet', got ${JSON.stringify(cfg.network?.arch)}`);
  if (cfg.network.options?.spatialDims !== d) throw new Error(`${where}: network.options.spatialDims ${JSON.stringify(cfg.network.options?.spatialDims)} differs from spatialDims ${d}`);
  if (plans.labels !== undefined) {
    const L = plans.labels, K = cfg.network.options.classes;
    if (!isNums(L) || !L.every((v) => Number.isInteger(v)) || new Set(L).size !== L.length) throw new Error(`${path}: labels must list distinct integer label values, got ${JSON.stringify(L)}`);
    if (L.length !== K) throw new Error(`${where}: the plan lists ${L.length} label values (${L.join(', ')}) but the network has ${K} classes`);
  }
  return cfg;
}

/**
 * The label map of a plans file (label value → class, from its `labels`: class k = labels[k]), or undefined when it
 * has none or they are the identity 0 … K−1.
 */
export function planLabelMap(path: string): Record<number, number> | undefined {
  const L = readPlansFile(path, '--plan').labels;
  if (!L || L.every((v, k) => v === k)) return undefined;
  return Object.fromEntries(L.map((v, k) => [v, k]));
}

/** The network of a plan configuration (resolved: every option checked), with a weight seed. */
export function planSpec(cfg: PlanConfiguration, seed = 0): NetSpec {
  return resolveSpec('nnunet', { ...cfg.network.options, seed });
}

export interface Fold {
  train: string[];
  val: string[];
}

/**
 * nnU-Net's 5-fold split: the case ids sorted, shuffled with a fixed seed, cut into `k` folds of near-equal size (the
 * first n mod k one larger, as sklearn's KFold); fold i validates on its cases and trains on the rest. (nnU-Net
 * shuffles with numpy's generator: the same rule, other folds.)
 */
export function makeFolds(ids: readonly string[], k: number = NNUNET_RECIPE.folds, seed: number = NNUNET_RECIPE.foldSeed): Fold[] {
  const sorted = [...ids].sort();
  if (sorted.length < k) throw new Error(`${sorted.length} case(s) cannot make ${k} folds; rule: at least ${k} cases, or give a splits.json`);
  const rng = new Rng(seed);
  for (let i = sorted.length - 1; i > 0; i--) { const j = rng.int(i + 1); [sorted[i], sorted[j]] = [sorted[j], sorted[i]]; }
  const folds: Fold[] = [];
  let start = 0;
  for (let f = 0; f < k; f++) {
    const size = Math.floor(sorted.length / k) + (f < sorted.length % k ? 1 : 0);
    const val = sorted.slice(start, start + size);
    start += size;
    folds.push({ train: sorted.filter((s) => !val.includes(s)).sort(), val: [...val].sort() });
  }
  return folds;
}

/**
 * The folds for the cases `ids` of data folder `dir`: a `splits.json` ([{ train: [...], val: [...] }, …], nnU-Net's
 * format) in the run folder `runDir`, else in `dir`, when present, checked against the cases; else `makeFolds(ids)`.
 */
export function foldsFor(dir: string, ids: readonly string[], runDir?: string): { folds: Fold[]; source: string } {
  const path = [...(runDir ? [join(runDir, 'splits.json')] : []), join(dir, 'splits.json')].find((f) => existsSync(f));
  if (!path) {
    try {
      return { folds: makeFolds(ids), source: `5 folds over the ${ids.length} sorted case ids, seed ${NNUNET_RECIPE.foldSeed}` };
    } catch (e) {
      throw new Error(`${dir}: ${(e as Error).message} (DATA/splits.json or OUT/splits.json)`);
    }
  }
  let folds: Fold[];
  try {
    folds = JSON.parse(readFileSync(path, 'utf8')) as Fold[];
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(folds) || folds.length === 0) throw new Error(`${path}: must be a list of { train: [...], val: [...] }`);
  const known = new Set(ids);
  folds.forEach((f, i) => {
    if (!Array.isArray(f?.train) || !Array.isArray(f?.val)) throw new Error(`${path}: fold ${i} must have train and val lists`);
    for (const c of [...f.train, ...f.val]) if (!known.has(c)) throw new Error(`${path}: fold ${i} names case '${c}', which ${dir} does not hold (cases: ${[...known].slice(0, 5).join(', ')}${known.size > 5 ? ', …' : ''})`);
    const overlap = f.val.find((c) => f.train.includes(c));
    if (overlap) throw new Error(`${path}: fold ${i} has case '${overlap}' in both train and val`);
    if (f.train.length === 0) throw new Error(`${path}: fold ${i} has no training cases`);
  });
  return { folds, source: path };
}
