/**
 * `unet evaluate`: predictions against ground truth, matched by file name, scored per case and class the way the
 * field reports segmentation — Dice, IoU and the 95th-percentile Hausdorff distance (in mm where the files carry a
 * voxel spacing, else in pixels).
 *
 * Classes are label VALUES as stored in the files (a mask written by `unet predict` uses the training labels'
 * values, e.g. 255 for ISBI cells). Metrics come from the `maskMetrics` registry (default Dice, IoU, HD95). The rule
 * for a class absent from both prediction and truth of a case: overlap metrics 1, distances 0, flagged `absent`
 * (shown as `absent` in the table); the means include such cases unless `excludeAbsent`. A class present in only one
 * of the two has distance ∞ (JSON `null`); each mean is over the cases where its metric is finite, with their count.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readVolume, stripExtension, fileExtension } from '../src/io/readers.js';
import type { Volume } from '../src/io/volume.js';
import type { ReadLimits } from '../src/io/limits.js';
import { checkGeometry } from '../src/data/dataset.js';
import { isDistance, maskMetrics } from '../src/metrics/registry.js';
import { checkSemantics, type Semantics } from '../src/metrics/semantics.js';

/** The metrics `unet evaluate` reports unless `--metrics` names others (see `maskMetrics`). */
export const DEFAULT_METRICS = ['dice', 'iou', 'hd95'];

export interface EvaluateOptions {
  pred: string;
  truth: string;
  /** Label values to score. Default: every nonzero value present in the truth files. */
  classes?: number[];
  /**
   * Every label value the files may hold (background included), as `unet train --label-map` declares them: any other
   * value in a prediction or truth is refused, naming the file, the value and the voxel; `classes` must be among them.
   * Default: not checked (`classes` then only selects what is scored).
   */
  labels?: number[];
  /** Leave cases where a class is absent from both files out of that class's means. Default false. */
  excludeAbsent?: boolean;
  /** Metric names of `maskMetrics`. Default DEFAULT_METRICS (Dice, IoU, HD95). */
  metrics?: string[];
  /** Size limits each file is checked against before decoding (`--max-voxels`; default 2^28 values per file). */
  limits?: ReadLimits;
  /**
   * 'unet-ts' (default) or 'monai': MONAI's empty-mask rules and percentiles (Dice/IoU NaN on an empty truth, distances
   * NaN when both masks are empty, linearly interpolated HD95); NaN scores are JSON null and left out of the means.
   */
  semantics?: Semantics;
}

/** Per metric its value (null when infinite or undefined, e.g. HD95 of a class in only one file), and `absent`. */
export type ClassScore = Record<string, number | boolean | null> & { absent: boolean };

export interface CaseScores {
  name: string;
  /** 'mm' when the truth file has a voxel spacing (NIfTI), else 'px'. */
  unit: 'mm' | 'px';
  classes: Record<string, ClassScore>;
}

export interface MeanScores {
  /**
   * Per class value: the mean of each metric over the cases where it is finite (null if none), `cases` (cases in the
   * means) and `<metric>Cases` for each metric (cases where it was finite).
   */
  classes: Record<string, Record<string, number | null>>;
  /** Means over the classes of the per-class means. */
  overall: Record<string, number | null>;
}

/** Per-case scores, their means, and the semantics they follow. */
export interface EvaluateResult { cases: CaseScores[]; mean: MeanScores; semantics: Semantics }

async function listCases(dir: string, what: string): Promise<Map<string, string>> {
  const names = await readdir(dir).catch((e: NodeJS.ErrnoException) => {
    throw new Error(`${what} folder ${dir}: ${e.code === 'ENOENT' ? 'does not exist' : e.message}`);
  });
  const out = new Map<string, string>();
  for (const n of names.sort()) {
    if (!fileExtension(n) || n.startsWith('.')) continue;
    const p = join(dir, n);
    // stat follows symbolic links: a linked file counts, a loop or a dangling link is refused.
    const st = await stat(p).catch((e: NodeJS.ErrnoException) => {
      throw new Error(`${p}: ${e.code === 'ELOOP' ? 'a symbolic link loop (ELOOP)' : e.code === 'ENOENT' ? 'a symbolic link to nothing' : `cannot stat it (${e.code ?? e.message})`} — rule: every ${what} entry resolves to a file`);
    });
    if (!st.isFile()) continue;
    const key = stripExtension(n);
    if (out.has(key)) throw new Error(`${p}: case name '${key}' also used by ${out.get(key)} — rule: one file per case name (extension aside) in ${what}`);
    out.set(key, p);
  }
  if (out.size === 0) throw new Error(`${what} folder ${dir}: no image files (PNG, GIF, TIFF, NIfTI)`);
  return out;
}

async function readLabels(path: string, limits?: ReadLimits, labels?: ReadonlySet<number>): Promise<Volume> {
  const v = readVolume(new Uint8Array(await readFile(path)), path, limits);
  if (v.channels !== 1) throw new Error(`${path}: a label map must have 1 channel, this one has ${v.channels}`);
  for (let i = 0; i < v.data.length; i++) {
    if (!Number.isInteger(v.data[i])) throw new Error(`${path}: label value ${v.data[i]} at index ${i} is not an integer`);
    if (labels && !labels.has(v.data[i])) throw new Error(`${path}: label value ${v.data[i]} at index ${i} is not one of --labels ${[...labels].join(',')} — rule: the files hold only the declared label values`);
  }
  return v;
}

/** Scores one case: binary masks per class value, every metric of `metrics` on them, with the truth's spacing. */
export function scoreCase(name: string, pred: Volume, truth: Volume, classes: number[], metrics = DEFAULT_METRICS, semantics: Semantics = 'unet-ts'): CaseScores {
  if (pred.shape.join('x') !== truth.shape.join('x')) {
    throw new Error(`${pred.source}: shape ${pred.shape.join('x')} differs from the truth ${truth.source}'s ${truth.shape.join('x')}; a prediction must cover its truth voxel for voxel`);
  }
  const fns = metrics.map((m) => [m, maskMetrics.get(m)] as const);
  const unit = truth.affine ? 'mm' : 'px';
  const out: Record<string, ClassScore> = {};
  for (const c of classes) {
    const pair = { pred: Uint8Array.from(pred.data, (v) => (v === c ? 1 : 0)), truth: Uint8Array.from(truth.data, (v) => (v === c ? 1 : 0)), shape: truth.shape, spacing: truth.spacing };
    const score: ClassScore = { absent: !pair.pred.some((v) => v) && !pair.truth.some((v) => v) };
    for (const [m, f] of fns) {
      const v = f(pair, { semantics });
      score[m] = Number.isFinite(v) ? v : null;
    }
    out[String(c)] = score;
  }
  return { name, unit, classes: out };
}

export function meanScores(cases: CaseScores[], classes: number[], excludeAbsent = false, metrics = DEFAULT_METRICS): MeanScores {
  const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const per: MeanScores['classes'] = {};
  for (const c of classes.map(String)) {
    const kept = cases.map((k) => k.classes[c]).filter((s) => !(excludeAbsent && s.absent));
    const row: Record<string, number | null> = { cases: kept.length };
    for (const m of metrics) {
      const finite = kept.map((s) => s[m]).filter((v): v is number => typeof v === 'number');
      row[m] = avg(finite);
      row[`${m}Cases`] = finite.length;
    }
    per[c] = row;
  }
  const overall: Record<string, number | null> = {};
  for (const m of metrics) overall[m] = avg(Object.values(per).map((r) => r[m]).filter((v): v is number => v !== null));
  return { classes: per, overall };
}

/** Matches files by name (extension aside), checks every pair before scoring, then scores them. */
export async function evaluate(o: EvaluateOptions): Promise<EvaluateResult> {
  const metrics = o.metrics ?? DEFAULT_METRICS;
  const semantics = checkSemantics(o.semantics, '--semantics');
  for (const m of metrics) maskMetrics.get(m); // an unknown name fails here, before any file is read
  const truths = await listCases(o.truth, '--truth');
  const preds = await listCases(o.pred, '--pred');
  const missing = [...truths.keys()].filter((n) => !preds.has(n));
  if (missing.length) {
    throw new Error(`${truths.get(missing[0])}: no prediction named ${missing[0]}.* in ${o.pred} (every truth file needs a prediction of the same name${missing.length > 1 ? `; ${missing.length} are missing: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}` : ''})`);
  }
  const pairs: [string, Volume, Volume][] = [];
  const labels = o.labels ? new Set(o.labels) : undefined;
  if (labels) {
    const stray = (o.classes ?? []).filter((c) => !labels.has(c));
    if (stray.length) throw new Error(`--classes ${o.classes!.join(',')}: ${stray.join(', ')} not among --labels ${o.labels!.join(',')} — rule: the scored classes are declared label values`);
  }
  for (const [name, tp] of truths) pairs.push([name, await readLabels(preds.get(name)!, o.limits, labels), await readLabels(tp, o.limits, labels)]);
  for (const [, p, t] of pairs) {
    if (p.shape.join('x') !== t.shape.join('x')) scoreCase('', p, t, []); // throws the shape rule before any scoring
    checkGeometry(t, p, ['prediction', 'truth']); // NIfTI pairs: spacing and affine too
  }
  const classes = o.classes ?? [...new Set(pairs.flatMap(([, , t]) => [...new Set(t.data)]))].filter((v) => v !== 0).sort((a, b) => a - b);
  if (classes.length === 0) throw new Error(`--truth ${o.truth}: no nonzero label value in any file; name the classes with --classes`);
  const cases = pairs.map(([name, p, t]) => scoreCase(name, p, t, classes, metrics, semantics));
  return { cases, mean: meanScores(cases, classes, o.excludeAbsent, metrics), semantics };
}

/** The table `unet evaluate` prints. */
export function formatEvaluation(r: EvaluateResult): string {
  const classes = Object.keys(r.mean.classes);
  const metrics = Object.keys(r.mean.overall);
  const unit = r.cases.some((c) => c.unit === 'mm') ? 'mm' : 'px';
  const label = (m: string) => (isDistance(m) ? m.toUpperCase() : m === 'iou' ? 'IoU' : m === 'dice' ? 'Dice' : m);
  const f = (v: number | boolean | null, m: string) => (v === null ? (isDistance(m) ? '∞' : 'n/a') : (v as number).toFixed(4));
  const head = ['case', ...classes.flatMap((c) => metrics.map((m) => `${label(m)} ${c}${isDistance(m) ? ` (${unit})` : ''}`))];
  const rows = r.cases.map((k) => [k.name, ...classes.flatMap((c) => metrics.map((m) => (k.classes[c].absent ? 'absent' : f(k.classes[c][m], m))))]);
  rows.push(['mean', ...classes.flatMap((c) => metrics.map((m) => f(r.mean.classes[c][m], m)))]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  return [
    line(head), ...rows.map(line), '',
    `overall (mean over classes ${classes.join(', ')}): ${metrics.map((m) => `${label(m)} ${f(r.mean.overall[m], m)}${isDistance(m) ? ` ${unit}` : ''}`).join(', ')}`,
    r.semantics === 'monai'
      ? 'MONAI semantics: absent = the class is in neither prediction nor truth; n/a = NaN (empty truth: Dice/IoU; both empty: distances), left out of the means;'
      : 'absent = the class is in neither prediction nor truth of that case: overlap metrics 1, distances 0, counted in the means;',
    '∞ = the class is in only one of the two (distance undefined); means are over the cases where a metric is finite.',
  ].join('\n');
}
