/**
 * `unet evaluate`: predictions against ground truth, matched by file name, scored per case and class the way the
 * field reports segmentation — Dice, IoU and the 95th-percentile Hausdorff distance (in mm where the files carry a
 * voxel spacing, else in pixels).
 *
 * Classes are label VALUES as stored in the files (a mask written by `unet predict` uses the training labels'
 * values, e.g. 255 for ISBI cells). The rule for a class absent from both prediction and truth of a case: Dice 1,
 * IoU 1, HD95 0, flagged `absent` (shown as `absent` in the table); the means include such cases unless
 * `excludeAbsent`. A class present in only one of the two has HD95 = ∞ (JSON `null`, flagged `hd95Infinite`); the
 * mean HD95 is over the cases where it is finite, with their count.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readVolume, stripExtension, fileExtension } from '../src/io/readers.js';
import type { Volume } from '../src/data/types.js';
import { confusionCounts, overlapScores } from '../src/metrics/overlap.js';
import { hd95 } from '../src/metrics/hausdorff.js';

export interface EvaluateOptions {
  pred: string;
  truth: string;
  /** Label values to score. Default: every nonzero value present in the truth files. */
  classes?: number[];
  /** Leave cases where a class is absent from both files out of that class's means. Default false. */
  excludeAbsent?: boolean;
}

export interface ClassScore {
  dice: number;
  iou: number;
  /** null when infinite (the class is in only one of prediction and truth). */
  hd95: number | null;
  absent: boolean;
}

export interface CaseScores {
  name: string;
  /** 'mm' when the truth file has a voxel spacing (NIfTI), else 'px'. */
  unit: 'mm' | 'px';
  classes: Record<string, ClassScore>;
}

export interface MeanScores {
  /** Per class value: mean Dice, IoU, HD95 (over finite cases) and how many cases each mean covers. */
  classes: Record<string, { dice: number; iou: number; hd95: number | null; cases: number; hd95Cases: number }>;
  /** Means over the classes of the per-class means. */
  overall: { dice: number; iou: number; hd95: number | null };
}

export interface EvaluateResult { cases: CaseScores[]; mean: MeanScores }

async function listCases(dir: string, what: string): Promise<Map<string, string>> {
  const names = await readdir(dir).catch((e: NodeJS.ErrnoException) => {
    throw new Error(`${what} folder ${dir}: ${e.code === 'ENOENT' ? 'does not exist' : e.message}`);
  });
  const out = new Map<string, string>();
  for (const n of names.sort()) if (fileExtension(n)) out.set(stripExtension(n), join(dir, n));
  if (out.size === 0) throw new Error(`${what} folder ${dir}: no image files (PNG, GIF, TIFF, NIfTI)`);
  return out;
}

async function readLabels(path: string): Promise<Volume> {
  const v = readVolume(new Uint8Array(await readFile(path)), path);
  if (v.channels !== 1) throw new Error(`${path}: a label map must have 1 channel, this one has ${v.channels}`);
  for (let i = 0; i < v.data.length; i++) {
    if (!Number.isInteger(v.data[i])) throw new Error(`${path}: label value ${v.data[i]} at index ${i} is not an integer`);
  }
  return v;
}

/** Scores one case: binary masks per class value, Dice/IoU from their confusion counts, HD95 with the spacing. */
export function scoreCase(name: string, pred: Volume, truth: Volume, classes: number[]): CaseScores {
  if (pred.shape.join('x') !== truth.shape.join('x')) {
    throw new Error(`${pred.source}: shape ${pred.shape.join('x')} differs from the truth ${truth.source}'s ${truth.shape.join('x')}; a prediction must cover its truth voxel for voxel`);
  }
  const unit = truth.affine ? 'mm' : 'px';
  const out: Record<string, ClassScore> = {};
  for (const c of classes) {
    const p = Uint8Array.from(pred.data, (v) => (v === c ? 1 : 0));
    const t = Uint8Array.from(truth.data, (v) => (v === c ? 1 : 0));
    const s = overlapScores(confusionCounts(p, t, 2));
    const h = hd95(p, t, truth.shape, truth.spacing);
    out[String(c)] = { dice: s.dice[1], iou: s.iou[1], hd95: Number.isFinite(h) ? h : null, absent: s.absent[1] };
  }
  return { name, unit, classes: out };
}

export function meanScores(cases: CaseScores[], classes: number[], excludeAbsent = false): MeanScores {
  const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  const per: MeanScores['classes'] = {};
  for (const c of classes.map(String)) {
    const kept = cases.map((k) => k.classes[c]).filter((s) => !(excludeAbsent && s.absent));
    const finite = kept.map((s) => s.hd95).filter((h): h is number => h !== null);
    per[c] = { dice: avg(kept.map((s) => s.dice)), iou: avg(kept.map((s) => s.iou)), hd95: finite.length ? avg(finite) : null, cases: kept.length, hd95Cases: finite.length };
  }
  const vals = Object.values(per);
  const hds = vals.map((v) => v.hd95).filter((h): h is number => h !== null);
  return { classes: per, overall: { dice: avg(vals.map((v) => v.dice)), iou: avg(vals.map((v) => v.iou)), hd95: hds.length ? avg(hds) : null } };
}

/** Matches files by name (extension aside), checks every pair before scoring, then scores them. */
export async function evaluate(o: EvaluateOptions): Promise<EvaluateResult> {
  const truths = await listCases(o.truth, '--truth');
  const preds = await listCases(o.pred, '--pred');
  const missing = [...truths.keys()].filter((n) => !preds.has(n));
  if (missing.length) {
    throw new Error(`${truths.get(missing[0])}: no prediction named ${missing[0]}.* in ${o.pred} (every truth file needs a prediction of the same name${missing.length > 1 ? `; ${missing.length} are missing: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}` : ''})`);
  }
  const pairs: [string, Volume, Volume][] = [];
  for (const [name, tp] of truths) pairs.push([name, await readLabels(preds.get(name)!), await readLabels(tp)]);
  for (const [, p, t] of pairs) {
    if (p.shape.join('x') !== t.shape.join('x')) scoreCase('', p, t, []); // throws the shape rule before any scoring
  }
  const classes = o.classes ?? [...new Set(pairs.flatMap(([, , t]) => [...new Set(t.data)]))].filter((v) => v !== 0).sort((a, b) => a - b);
  if (classes.length === 0) throw new Error(`--truth ${o.truth}: no nonzero label value in any file; name the classes with --classes`);
  const cases = pairs.map(([name, p, t]) => scoreCase(name, p, t, classes));
  return { cases, mean: meanScores(cases, classes, o.excludeAbsent) };
}

/** The table `unet evaluate` prints. */
export function formatEvaluation(r: EvaluateResult): string {
  const classes = Object.keys(r.mean.classes);
  const unit = r.cases.some((c) => c.unit === 'mm') ? 'mm' : 'px';
  const f = (v: number | null) => (v === null ? '∞' : v.toFixed(4));
  const head = ['case', ...classes.flatMap((c) => [`Dice ${c}`, `IoU ${c}`, `HD95 ${c} (${unit})`])];
  const rows = r.cases.map((k) => [k.name, ...classes.flatMap((c) => {
    const s = k.classes[c];
    return s.absent ? ['absent', 'absent', 'absent'] : [f(s.dice), f(s.iou), f(s.hd95)];
  })]);
  rows.push(['mean', ...classes.flatMap((c) => [f(r.mean.classes[c].dice), f(r.mean.classes[c].iou), f(r.mean.classes[c].hd95)])]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  const o = r.mean.overall;
  return [
    line(head), ...rows.map(line), '',
    `overall (mean over classes ${classes.join(', ')}): Dice ${f(o.dice)}, IoU ${f(o.iou)}, HD95 ${f(o.hd95)} ${unit}`,
    'absent = the class is in neither prediction nor truth of that case: scored Dice 1, IoU 1, HD95 0 and counted in the means;',
    '∞ = the class is in only one of the two (HD95 undefined); mean HD95 is over the cases where it is finite.',
  ].join('\n');
}
