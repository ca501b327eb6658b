/**
 * `unet find-best`: nnU-Net's choice among trained configurations (and their pairwise ensembles) from their
 * cross-validation probabilities, then the post-processing learned on the winner's predictions
 * (src/infer/learn-postprocessing.ts). Each candidate is a folder of `CASE.prob.nii.gz` files, as
 * `unet predict --probabilities` writes them for the held-back cases of each fold; the truth is a folder of label maps
 * of the same case names. The decision is written as JSON (atomically), and, with `plans`, into the plans file as
 * `postprocessing` and `best`, so that prediction from the plan applies it.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { readVolume, stripExtension, fileExtension } from '../io/readers.js';
import { writeFileAtomic } from '../io/files.js';
import type { ReadLimits } from '../io/limits.js';
import type { ProbabilityMap } from '../infer/sliding-window.js';
import { findBest, type Candidate, type FindBestResult, type PostprocessStep } from '../infer/learn-postprocessing.js';
import { readPlansFile } from '../plan/plans-file.js';

export interface FindBestOptions {
  /** Folder of true label maps (any reader's format), one per case. */
  truth: string;
  /** Name → folder of `CASE.prob.nii.gz` (a configuration's cross-validation probabilities). At least one. */
  candidates: Record<string, string>;
  /** Truth label value → class index (as `unet train --label-map`). Default: the values are the class indices. */
  labelMap?: Record<number, number>;
  /** Score pairwise probability ensembles too. Default true. */
  ensembles?: boolean;
  /** Write the decision here (JSON). Default none. */
  out?: string;
  /** A plans.json (from `unet plan`) to record `best` and `postprocessing` in. Default none. */
  plans?: string;
  /** Size limits of every file read. Default 2^28 values per file. */
  limits?: ReadLimits;
}

async function readProbabilities(dir: string, limits?: ReadLimits): Promise<Map<string, ProbabilityMap>> {
  const names = await readdir(dir).catch((e: NodeJS.ErrnoException) => { throw new Error(`candidate folder ${dir}: ${e.code === 'ENOENT' ? 'does not exist' : e.message}`); });
  const out = new Map<string, ProbabilityMap>();
  for (const n of names.filter((x) => /\.prob\.nii(\.gz)?$/i.test(x)).sort()) {
    const path = join(dir, n);
    const v = readVolume(new Uint8Array(await readFile(path)), path, limits);
    out.set(n.replace(/\.prob\.nii(\.gz)?$/i, ''), { data: Float32Array.from(v.data), shape: [...v.shape], classes: v.channels });
  }
  if (out.size === 0) throw new Error(`candidate folder ${dir}: no CASE.prob.nii.gz files — rule: a candidate is the output of unet predict --probabilities on its cross-validation cases`);
  return out;
}

/** Runs the choice (see the file comment); every file is read and checked before any scoring. */
export async function findBestRun(o: FindBestOptions): Promise<FindBestResult & { labels: number[] }> {
  const entries = Object.entries(o.candidates);
  if (entries.length === 0) throw new Error('--candidate: give at least one NAME=FOLDER');
  const plans = o.plans === undefined ? undefined : readPlansFile(o.plans, '--plans'); // checked before any work
  const candidates: Candidate[] = [];
  for (const [name, dir] of entries) candidates.push({ name, probabilities: await readProbabilities(dir, o.limits) });
  const classes = candidates[0].probabilities.values().next().value!.classes;
  for (const c of candidates) {
    for (const [n, p] of c.probabilities) {
      if (p.classes !== classes) throw new Error(`${join(o.candidates[c.name], `${n}.prob.nii.gz`)}: ${p.classes} classes, candidate '${candidates[0].name}' has ${classes} — rule: every candidate predicts the same classes`);
    }
  }
  // The cases scored are those the candidates predict (one fold's validation cases, or all of a full cross-validation);
  // the truth folder may hold more (the whole data set's labels).
  const predicted = new Set(candidates.flatMap((c) => [...c.probabilities.keys()]));
  for (const c of candidates) {
    const missing = [...predicted].filter((n) => !c.probabilities.has(n)).sort();
    if (missing.length) throw new Error(`candidate '${c.name}' has no probabilities for case${missing.length > 1 ? 's' : ''} ${missing.slice(0, 5).join(', ')} — rule: every candidate predicts every case`);
  }
  const all = (await readdir(o.truth).catch((e: NodeJS.ErrnoException) => { throw new Error(`--truth ${o.truth}: ${e.code === 'ENOENT' ? 'does not exist' : e.message}`); }))
    .filter((n) => fileExtension(n) && !n.startsWith('.')).sort();
  if (all.length === 0) throw new Error(`--truth ${o.truth}: no label files`);
  const files = all.filter((n) => predicted.has(stripExtension(basename(n))));
  const withTruth = new Set(files.map((f) => stripExtension(basename(f))));
  const truthless = [...predicted].filter((n) => !withTruth.has(n)).sort();
  if (truthless.length) throw new Error(`--truth ${o.truth}: no label file for case${truthless.length > 1 ? 's' : ''} ${truthless.slice(0, 5).join(', ')}${truthless.length > 5 ? ', …' : ''}, which the candidates predict — rule: every scored case has its truth`);
  const truths = new Map<string, { labels: Int32Array; shape: number[] }>();
  for (const f of files) {
    const path = join(o.truth, f);
    const v = readVolume(new Uint8Array(await readFile(path)), path, o.limits);
    const labels = new Int32Array(v.data.length);
    for (let i = 0; i < v.data.length; i++) {
      const raw = v.data[i];
      const cls = o.labelMap ? o.labelMap[raw] : raw;
      if (cls === undefined || !Number.isInteger(cls) || cls < 0 || cls >= Math.max(classes, 2)) {
        throw new Error(`${path}: label value ${raw} at voxel ${i} ${o.labelMap ? 'is not in --label-map' : `is not a class index of the ${classes}-class probabilities`} — rule: truth values map to the predicted classes (pass --label-map, e.g. 0:0,255:1)`);
      }
      labels[i] = cls;
    }
    const name = stripExtension(basename(f));
    for (const c of candidates) {
      const p = c.probabilities.get(name);
      if (p && p.data.length / p.classes !== labels.length) throw new Error(`${join(o.candidates[c.name], `${name}.prob.nii.gz`)}: ${p.data.length / p.classes} voxels, its truth ${path} has ${labels.length} — rule: one grid`);
    }
    truths.set(name, { labels, shape: v.shape });
  }
  const labels = classes === 1 ? [1] : Array.from({ length: classes - 1 }, (_, k) => k + 1);
  const r = findBest(candidates, truths, labels, { ensembles: o.ensembles ?? true });
  const record = { ...r, labels };
  if (o.out) await writeFileAtomic(o.out, JSON.stringify(record, null, 2) + '\n');
  if (o.plans && plans) { // read and checked at the start
    plans.best = { ...r.best, foregroundMean: r.ranking[0].foregroundMean };
    plans.postprocessing = { steps: r.postprocessing.steps, connectivity: 'full', before: r.postprocessing.before, after: r.postprocessing.after, log: r.postprocessing.log };
    await writeFileAtomic(o.plans, JSON.stringify(plans, null, 2) + '\n');
  }
  return record;
}

/** The report `unet find-best` prints. */
export function findBestText(r: FindBestResult): string {
  const f = (x: number) => (Number.isNaN(x) ? 'NaN' : x.toFixed(4));
  return [
    'foreground mean Dice (nnU-Net: per-label means over cases, NaN cases left out):',
    ...r.ranking.map((x, i) => `  ${i === 0 ? '*' : ' '} ${x.name.padEnd(40)} ${f(x.foregroundMean)}  (${Object.entries(x.perLabel).map(([l, d]) => `label ${l} ${f(d)}`).join(', ')})`),
    `best: ${r.best.name}`,
    'post-processing learned on its predictions:',
    ...r.postprocessing.log.map((l) => `  ${l}`),
    `  → ${r.postprocessing.steps.length ? r.postprocessing.steps.map((s) => `largest component of ${s.labels.join('+')}`).join(', then ') : 'none'}; foreground mean Dice ${f(r.postprocessing.before.foregroundMean)} → ${f(r.postprocessing.after.foregroundMean)}`,
  ].join('\n');
}

/** The post-processing steps `find-best` recorded in a plans file; refuses a plan without them. */
export async function planPostprocessing(path: string): Promise<PostprocessStep[]> {
  const plans = readPlansFile(path, '--plan');
  const steps = (plans.postprocessing as { steps?: PostprocessStep[] } | undefined)?.steps;
  if (!Array.isArray(steps) || !steps.every((s) => s.kind === 'largest-component' && Array.isArray(s.labels))) {
    throw new Error(`--plan ${path}: no post-processing decision in it — rule: run unet find-best --plans ${path} on the cross-validation predictions first`);
  }
  return steps;
}
