/**
 * nnU-Net's evaluation, ensembling and learned post-processing, on typed arrays (browser-safe).
 *
 * Evaluation (`nnunetSummary`, nnunetv2/evaluation/evaluate_predictions.py): per case and foreground label, Dice =
 * 2tp / (2tp + fp + fn), NaN when tp + fp + fn = 0 (the label in neither file); per label the mean over cases with
 * NaN left out (`np.nanmean`); `foregroundMean` = the plain mean of the per-label means.
 *
 * Post-processing decision (`learnPostprocessing`, nnunetv2/postprocessing/remove_connected_components.py
 * `determine_postprocessing`), in nnU-Net's order:
 *  1. all foreground labels as one mask, all but its largest connected component set to background: kept when the
 *     foreground mean Dice rises and no label's mean Dice falls;
 *  2. with more than one label, each label in turn (on the result so far): all but its largest component removed,
 *     kept when that label's mean Dice rises.
 * Components use full connectivity (8 in 2-D, 26 in 3-D), as acvl_utils' `remove_all_but_largest_component` labels
 * with skimage's default; every component of the largest size is kept (its `x == max(sizes)` filter).
 *
 * Ensembling (`averageProbabilities`, nnunetv2/ensembling/ensemble.py): the mean of the members' class probabilities.
 */
import type { ProbabilityMap } from './sliding-window.js';
import { connectedComponents, probabilitiesToLabels, type Connectivity } from './postprocess.js';

/** One case: predicted and true class labels on one grid (row-major over `shape`). */
export interface LabelledCase {
  name: string;
  pred: ArrayLike<number>;
  truth: ArrayLike<number>;
  shape: readonly number[];
}

/** Mean Dice per foreground label (NaN cases left out) and their mean. */
export interface NnunetSummary {
  perLabel: Record<number, number>;
  foregroundMean: number;
}

/** One learned step: keep only the largest component(s) of the union of `labels`. */
export interface PostprocessStep {
  kind: 'largest-component';
  labels: number[];
}

export interface LearnedPostprocessing {
  steps: PostprocessStep[];
  before: NnunetSummary;
  after: NnunetSummary;
  /** Each decision with its numbers, e.g. "largest foreground component: mean Dice 0.8012 → 0.8150, kept". */
  log: string[];
}

function caseDice(pred: ArrayLike<number>, truth: ArrayLike<number>, label: number, ignore?: number): number {
  let tp = 0, fp = 0, fn = 0;
  for (let i = 0; i < pred.length; i++) {
    if (ignore !== undefined && truth[i] === ignore) continue;
    const p = pred[i] === label, t = truth[i] === label;
    if (p && t) tp++;
    else if (p) fp++;
    else if (t) fn++;
  }
  return tp + fp + fn === 0 ? NaN : (2 * tp) / (2 * tp + fp + fn);
}

/** nnU-Net's summary of a set of cases for the foreground `labels` (see the file comment). */
export function nnunetSummary(cases: readonly LabelledCase[], labels: readonly number[], ignore?: number): NnunetSummary {
  if (labels.length === 0) throw new Error('nnunetSummary: no foreground labels to score');
  const perLabel: Record<number, number> = {};
  for (const l of labels) {
    let s = 0, m = 0;
    for (const c of cases) {
      if (c.pred.length !== c.truth.length) throw new Error(`${c.name}: prediction has ${c.pred.length} voxels, truth ${c.truth.length} — rule: one grid`);
      const d = caseDice(c.pred, c.truth, l, ignore);
      if (!Number.isNaN(d)) { s += d; m++; }
    }
    perLabel[l] = m === 0 ? NaN : s / m;
  }
  const means = labels.map((l) => perLabel[l]);
  return { perLabel, foregroundMean: means.reduce((a, b) => a + b, 0) / means.length };
}

/** Keeps only the largest connected component(s) of the union of `labels`; the rest of that union becomes 0. */
export function keepLargestOf(pred: ArrayLike<number>, shape: readonly number[], labels: readonly number[], connectivity: Connectivity = 'full'): Int32Array {
  const set = new Set(labels);
  const mask = Uint8Array.from({ length: pred.length }, (_, i) => (set.has(pred[i]) ? 1 : 0));
  const { labels: comp, sizes } = connectedComponents(mask, shape, connectivity);
  const out = Int32Array.from(pred);
  if (sizes.length <= 1) return out;
  const largest = Math.max(...sizes);
  for (let i = 0; i < out.length; i++) if (comp[i] && sizes[comp[i] - 1] !== largest) out[i] = 0;
  return out;
}

/** Applies learned steps in order. */
export function applyPostprocessing(pred: ArrayLike<number>, shape: readonly number[], steps: readonly PostprocessStep[], connectivity: Connectivity = 'full'): Int32Array {
  let out: Int32Array = Int32Array.from(pred);
  for (const s of steps) out = keepLargestOf(out, shape, s.labels, connectivity);
  return out;
}

const f4 = (x: number) => (Number.isNaN(x) ? 'NaN' : x.toFixed(4));

/** nnU-Net's post-processing decision on validation cases (see the file comment). */
export function learnPostprocessing(cases: readonly LabelledCase[], labels: readonly number[], options: { ignore?: number; connectivity?: Connectivity } = {}): LearnedPostprocessing {
  const conn = options.connectivity ?? 'full';
  const steps: PostprocessStep[] = [];
  const log: string[] = [];
  const before = nnunetSummary(cases, labels, options.ignore);
  let source = cases;
  let current = before;
  const tryStep = (step: PostprocessStep) => {
    const out = source.map((c) => ({ ...c, pred: keepLargestOf(c.pred, c.shape, step.labels, conn) }));
    return { out, summary: nnunetSummary(out, labels, options.ignore) };
  };
  const all = tryStep({ kind: 'largest-component', labels: [...labels] });
  const fell = labels.filter((l) => all.summary.perLabel[l] < current.perLabel[l]);
  const keepAll = all.summary.foregroundMean > current.foregroundMean && fell.length === 0;
  log.push(`largest component of all foreground (${labels.join(', ')}): foreground mean Dice ${f4(current.foregroundMean)} → ${f4(all.summary.foregroundMean)}${fell.length ? `, label ${fell.join(', ')} fell` : ''} — ${keepAll ? 'kept' : 'not kept'} (rule: the mean rises and no label falls)`);
  if (keepAll) {
    steps.push({ kind: 'largest-component', labels: [...labels] });
    source = all.out;
    current = all.summary;
  }
  if (labels.length > 1) {
    for (const l of labels) {
      const one = tryStep({ kind: 'largest-component', labels: [l] });
      const keep = one.summary.perLabel[l] > current.perLabel[l];
      log.push(`largest component of label ${l}: its mean Dice ${f4(current.perLabel[l])} → ${f4(one.summary.perLabel[l])} — ${keep ? 'kept' : 'not kept'} (rule: that label's mean rises)`);
      if (keep) {
        steps.push({ kind: 'largest-component', labels: [l] });
        source = one.out;
        current = one.summary;
      }
    }
  }
  return { steps, before, after: current, log };
}

/** The mean of the members' probabilities (same grid and classes). */
export function averageProbabilities(maps: readonly ProbabilityMap[]): ProbabilityMap {
  if (maps.length === 0) throw new Error('averageProbabilities: no members');
  const [first] = maps;
  for (const m of maps) {
    if (m.classes !== first.classes || m.shape.join() !== first.shape.join()) throw new Error(`averageProbabilities: members of [${first.shape}] × ${first.classes} and [${m.shape}] × ${m.classes} — rule: one grid and one set of classes`);
  }
  const data = new Float32Array(first.data.length);
  for (const m of maps) for (let i = 0; i < data.length; i++) data[i] += m.data[i];
  for (let i = 0; i < data.length; i++) data[i] /= maps.length;
  return { data, shape: [...first.shape], classes: first.classes };
}

/** A candidate of `findBest`: a configuration's (or an ensemble's) cross-validation probabilities per case. */
export interface Candidate {
  name: string;
  probabilities: Map<string, ProbabilityMap>;
}

export interface FindBestResult {
  /** Every candidate and pairwise ensemble with its foreground mean Dice, best first. */
  ranking: { name: string; members: string[]; foregroundMean: number; perLabel: Record<number, number> }[];
  best: { name: string; members: string[] };
  postprocessing: LearnedPostprocessing;
}

/**
 * nnU-Net's `find_best_configuration`: each candidate's foreground mean Dice on the cases, and (with `ensembles`)
 * every pair's probability average; the best by foreground mean Dice, then the post-processing learned on its
 * predictions. `truths` holds class indices per case.
 */
export function findBest(candidates: readonly Candidate[], truths: Map<string, { labels: ArrayLike<number>; shape: readonly number[] }>, labels: readonly number[], options: { ensembles?: boolean; ignore?: number; connectivity?: Connectivity } = {}): FindBestResult {
  if (candidates.length === 0) throw new Error('findBest: no candidates');
  const names = [...truths.keys()].sort();
  for (const c of candidates) {
    const missing = names.filter((n) => !c.probabilities.has(n));
    if (missing.length) throw new Error(`candidate '${c.name}' has no probabilities for case${missing.length > 1 ? 's' : ''} ${missing.slice(0, 5).join(', ')} — rule: every candidate predicts every case`);
  }
  const casesOf = (probs: (n: string) => ProbabilityMap): LabelledCase[] => names.map((n) => {
    const p = probs(n), t = truths.get(n)!;
    return { name: n, pred: probabilitiesToLabels(p), truth: t.labels, shape: t.shape };
  });
  const entries: { name: string; members: string[]; cases: LabelledCase[] }[] = candidates.map((c) => ({ name: c.name, members: [c.name], cases: casesOf((n) => c.probabilities.get(n)!) }));
  if (options.ensembles ?? true) {
    for (let i = 0; i < candidates.length; i++) {
      for (let j = i + 1; j < candidates.length; j++) {
        const [a, b] = [candidates[i], candidates[j]];
        entries.push({ name: `ensemble(${a.name}, ${b.name})`, members: [a.name, b.name], cases: casesOf((n) => averageProbabilities([a.probabilities.get(n)!, b.probabilities.get(n)!])) });
      }
    }
  }
  const ranking = entries.map((e) => ({ ...e, ...nnunetSummary(e.cases, labels, options.ignore) })).sort((x, y) => y.foregroundMean - x.foregroundMean);
  const top = ranking[0];
  return {
    ranking: ranking.map((r) => ({ name: r.name, members: r.members, foregroundMean: r.foregroundMean, perLabel: r.perLabel })),
    best: { name: top.name, members: top.members },
    postprocessing: learnPostprocessing(top.cases, labels, options),
  };
}
