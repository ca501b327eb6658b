/**
 * Reading a plans file (`unet plan`'s plans.json) — the one place that parses it and checks its format, for
 * `train --plan`, `predict --plan` and `find-best --plans`. Every error names the flag, the file and the rule.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { PlanConfiguration } from './types.js';

export type PlanConfigName = '2d' | '3d_fullres' | '3d_lowres';

/** A plans file as read back: the planner's `Plans`, with what training needs required and what it adds optional. */
export interface PlansFile {
  format: 'unet-ts-plans';
  version: 1;
  /** Label values the network's classes stand for, in class order (class k = labels[k]); absent: identity. */
  labels?: number[];
  fingerprint?: unknown;
  configurations: Partial<Record<PlanConfigName, PlanConfiguration>>;
  /** Written by `unet find-best --plans`. */
  best?: unknown;
  postprocessing?: unknown;
  [key: string]: unknown;
}

export const PLANS_FORMAT = 'unet-ts-plans';
export const PLANS_VERSION = 1;

/**
 * The plans file at `path`, parsed, its format and version checked; `flag` (`--plan`, `--plans`) starts every error.
 * Throws: no such file, not JSON, not a unet-ts plans file, another version.
 */
export function readPlansFile(path: string, flag: string): PlansFile {
  if (!existsSync(path)) throw new Error(`${flag} ${path}: no such file (write one with unet plan --data DIR)`);
  let plans: PlansFile;
  try {
    plans = JSON.parse(readFileSync(path, 'utf8')) as PlansFile;
  } catch (e) {
    throw new Error(`${flag} ${path}: not valid JSON (${(e as Error).message})`);
  }
  if (plans === null || typeof plans !== 'object' || plans.format !== PLANS_FORMAT) {
    throw new Error(`${flag} ${path}: not a unet-ts plans file (format ${JSON.stringify((plans as { format?: unknown } | null)?.format)}, expected '${PLANS_FORMAT}')`);
  }
  if (plans.version !== PLANS_VERSION) throw new Error(`${flag} ${path}: version ${JSON.stringify(plans.version)}; this unet-ts reads version ${PLANS_VERSION}`);
  return plans;
}
