/**
 * The option checks every architecture's `resolve` uses: each error names the option, the value and the rule.
 * (Names not in a fixed list go through `lookUpOption`, which also names the nearest valid one.)
 */
export { lookUpOption } from '../core/registry.js';

/** An integer in [min, max]. */
export function int(name: string, v: unknown, min = 1, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    const rule = max === Infinity ? `an integer ≥ ${min}` : `an integer in [${min}, ${max}]`;
    throw new Error(`option ${name} must be ${rule}, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** A finite number in [min, max] (a probability by default). */
export function num(name: string, v: unknown, min = 0, max = 1): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw new Error(`option ${name} must be a number in [${min}, ${max}], got ${JSON.stringify(v)}`);
  return v;
}

/** 2 or 3. */
export function spatialDims(v: unknown): 2 | 3 {
  if (v !== 2 && v !== 3) throw new Error(`option spatialDims must be 2 or 3, got ${JSON.stringify(v)}`);
  return v;
}

/** A boolean. */
export function bool(name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new Error(`option ${name} must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

/** A list of integers, each ≥ min, of the given length (any length ≥ 1 when undefined). */
export function intList(name: string, v: unknown, min = 1, length?: number): number[] {
  if (!Array.isArray(v) || v.length === 0 || (length !== undefined && v.length !== length)) {
    throw new Error(`option ${name} must be a list of ${length ?? 'one or more'} integers, got ${JSON.stringify(v)}`);
  }
  return v.map((x, i) => int(`${name}[${i}]`, x, min));
}

/** Throws for option names the architecture does not know, naming the nearest known one. */
export function rejectUnknown(arch: string, options: Record<string, unknown>, known: readonly string[]): void {
  for (const k of Object.keys(options)) {
    if (options[k] === undefined || known.includes(k)) continue;
    const near = nearestName(k, known);
    throw new Error(`option '${k}' is not an option of ${arch}${near ? `; did you mean '${near}'?` : ''} Options: ${known.join(', ')}`);
  }
}

import { nearest as nearestName } from '../core/registry.js';
