/**
 * `unet fingerprint` and `unet plan`: the dataset's fingerprint read one case at a time (never the whole set in
 * memory), then nnU-Net v2's planner (src/plan); plans.json written atomically, the explanation returned for printing.
 */
import { readFile } from 'node:fs/promises';
import { datasetPairs, nodeFileSource } from '../data/dataset.js';
import { readVolume } from '../io/readers.js';
import { writeFileAtomic } from '../io/files.js';
import type { ReadLimits } from '../io/limits.js';
import { FingerprintBuilder, type FingerprintOptions } from '../plan/fingerprint.js';
import { plan } from '../plan/planner.js';
import type { Fingerprint, Plans } from '../plan/types.js';
import { PLANS_FORMAT } from '../plan/plans-file.js';

export interface FingerprintRunOptions extends FingerprintOptions {
  /** Dataset folder with images/ and labels/. */
  data: string;
  /** The labels' sub-folder of `data`. Default 'labels'. */
  labelsDir?: string;
  /** Write the fingerprint here (JSON). Default none. */
  out?: string;
  limits?: ReadLimits;
}

export interface PlanRunOptions extends FingerprintRunOptions {
  /** GB the batch is sized for (nnU-Net's gpu_memory_target_in_gb). Default 8. */
  memoryGB?: number;
}

/** Parses `--memory 8GB` (or 8, 8G, 8192MB) to GB. */
export function parseMemory(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(gb|g|mb|m)?\s*$/i.exec(text);
  const gb = m ? Number(m[1]) / (/^m/i.test(m[2] ?? '') ? 1024 : 1) : NaN;
  if (!(gb > 0)) throw new Error(`--memory '${text}': expected a size such as 8GB or 12 (GB) — rule: a positive amount`);
  return gb;
}

/**
 * Refuses, before any case is read, a dataset whose file kinds already mix dimensionalities: NIfTI volumes beside
 * plain images (PNG, JPEG, BMP, GIF). TIFF may be either; the fingerprint checks every case as it reads it.
 */
export function mixedKinds(images: readonly string[]): void {
  const volume = images.find((f) => /\.nii(\.gz)?$/i.test(f));
  const image = images.find((f) => /\.(png|jpe?g|bmp|gif)$/i.test(f));
  if (volume && image) throw new Error(`${image}: a 2-D image, but ${volume} is a NIfTI volume — rule: one dimensionality per dataset`);
}

export async function fingerprintRun(o: FingerprintRunOptions): Promise<Fingerprint> {
  const src = await nodeFileSource();
  const pairs = await datasetPairs(o.data, src, o.labelsDir);
  mixedKinds(pairs.map((p) => p.image));
  const b = new FingerprintBuilder(o);
  for (const p of pairs) {
    const image = readVolume(new Uint8Array(await readFile(p.image)), p.image, o.limits);
    const label = readVolume(new Uint8Array(await readFile(p.label)), p.label, o.limits);
    b.add(p.name, image, label);
  }
  const f = b.finish();
  if (o.out) await writeFileAtomic(o.out, JSON.stringify(f) + '\n');
  return f;
}

export async function planRun(o: PlanRunOptions): Promise<Plans & { explanation: string[] }> {
  if (o.memoryGB !== undefined && !(o.memoryGB > 0)) throw new Error(`--memory ${o.memoryGB} — rule: a positive number of GB`);
  // The existing --out is read (and a non-plans file refused) before any case is: options first, then the work.
  const existing = o.out ? await readExisting(o.out) : undefined;
  const f = await fingerprintRun({ ...o, out: undefined });
  const p = plan(f, { memoryGB: o.memoryGB });
  if (o.out) {
    const { explanation: _, ...plans } = p;
    const merged = mergeExisting(plans, existing, p.explanation);
    await writeFileAtomic(o.out, JSON.stringify(merged, null, 1) + '\n');
  }
  return p;
}

/** The plans file already at `path` (undefined when there is none); refuses a file that is not one. */
async function readExisting(path: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`--out ${path}: cannot read the existing file (${(e as Error).message})`);
  }
  let old: unknown;
  try { old = JSON.parse(text); } catch { old = undefined; }
  if (!old || typeof old !== 'object' || (old as { format?: unknown }).format !== PLANS_FORMAT) {
    throw new Error(`--out ${path}: exists and is not a unet-ts plans file — rule: unet plan overwrites only its own plans`);
  }
  return old as Record<string, unknown>;
}

/**
 * As nnU-Net's save_plans: configurations in the existing file that this planner does not make (custom ones) are kept.
 * Other keys the planner does not write (`best`, `postprocessing` from unet find-best) are kept when the fingerprint
 * is unchanged (same data, same plan), else dropped: they were decided on another dataset.
 */
export function mergeExisting(plans: Plans, old: Record<string, unknown> | undefined, log: string[]): Record<string, unknown> {
  if (!old) return { ...plans };
  const out: Record<string, unknown> = { ...plans };
  const oldConfigs = (old.configurations ?? {}) as Record<string, unknown>;
  const custom = Object.keys(oldConfigs).filter((k) => !(k in plans.configurations) && !['2d', '3d_fullres', '3d_lowres'].includes(k));
  if (custom.length) {
    out.configurations = { ...plans.configurations, ...Object.fromEntries(custom.map((k) => [k, oldConfigs[k]])) };
    log.push(`kept from the existing plans file: configuration(s) ${custom.join(', ')} (not made by this planner)`);
  }
  const extra = Object.keys(old).filter((k) => !(k in plans));
  if (extra.length) {
    const same = JSON.stringify(old.fingerprint) === JSON.stringify(plans.fingerprint);
    if (same) for (const k of extra) out[k] = old[k];
    log.push(`${same ? 'kept' : 'dropped'} from the existing plans file: ${extra.join(', ')} (${same ? 'the fingerprint is unchanged' : 'the fingerprint changed: decided on other data'})`);
  }
  return out;
}

export { planText } from '../plan/explain.js';
