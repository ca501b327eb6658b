/**
 * Overlap metrics from integer label maps: confusion counts per class, Dice, IoU, mean IoU and pixel accuracy.
 *
 * Per class c: tp = #(pred = c ∧ truth = c), fp = #(pred = c ∧ truth ≠ c), fn = #(pred ≠ c ∧ truth = c);
 * Dice = 2tp / (2tp + fp + fn), IoU = tp / (tp + fp + fn). Voxels whose truth equals `ignore` are not counted.
 * Absent class (tp + fp + fn = 0, in neither prediction nor truth): Dice = IoU = 1, as the reference scripts do, and
 * `absent[c]` is true so callers can leave it out (`excludeAbsent` does so in the means).
 * Reductions: per image (`overlapScores(confusionCounts(...))` for each image, `meanOverImages` to average them) and
 * dataset-level micro (`datasetScores`: counts summed over all images, then the scores).
 *
 * `semantics: 'monai'` (MONAI's `compute_dice` / `compute_iou` with `ignore_empty=True`, the default of `DiceMetric`
 * and `MeanIoU`): a class whose ground truth is empty (tp + fn = 0) scores NaN, whatever the prediction, and is left
 * out of the means; `notNans` counts the scores a mean averages. The means follow `do_metric_reduction`: per image
 * the mean over its non-NaN classes, then over the images that had any; a mean over nothing is 0 there (with
 * `notNans` 0), as in MONAI. `absent` keeps its meaning (in neither map).
 */
import { checkSemantics, type Semantics } from './semantics.js';

/** Confusion counts of one image or a whole dataset. */
export interface ConfusionCounts {
  numClasses: number;
  tp: Float64Array;
  fp: Float64Array;
  fn: Float64Array;
  /** Voxels counted (those not ignored). */
  total: number;
}

export interface CountOptions {
  /** Truth value of unlabelled voxels, left out of every count (e.g. 255). */
  ignore?: number;
}

export interface ScoreOptions {
  /** Classes the means run over; default every class. */
  classes?: readonly number[];
  /** Leave absent classes out of the means (a mean over no class is NaN). Default false (they count as 1). */
  excludeAbsent?: boolean;
  /** Empty-truth and mean rules: 'unet-ts' (default) or 'monai' (see the file comment). */
  semantics?: Semantics;
}

export interface OverlapScores {
  dice: number[];
  iou: number[];
  absent: boolean[];
  meanDice: number;
  meanIoU: number;
  /** Scores averaged in meanDice / meanIoU (classes; with meanOverImages and 'monai', images). MONAI's `not_nans`. */
  notNans: number;
  /** Σ tp / total (NaN when no voxel was counted). */
  pixelAccuracy: number;
}

/** Confusion counts per class of an integer prediction and truth map of the same length. */
export function confusionCounts(pred: ArrayLike<number>, truth: ArrayLike<number>, numClasses: number, options: CountOptions = {}): ConfusionCounts {
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new Error(`confusionCounts: numClasses ${numClasses} must be a positive integer`);
  if (pred.length !== truth.length) throw new Error(`confusionCounts: prediction length ${pred.length} must equal truth length ${truth.length}`);
  const c = emptyCounts(numClasses);
  for (let i = 0; i < pred.length; i++) {
    const t = truth[i];
    if (t === options.ignore) continue;
    const p = pred[i];
    if (!(Number.isInteger(p) && p >= 0 && p < numClasses)) throw new Error(`confusionCounts: prediction ${p} at index ${i} must be an integer class in [0, ${numClasses})`);
    if (!(Number.isInteger(t) && t >= 0 && t < numClasses)) throw new Error(`confusionCounts: truth ${t} at index ${i} must be an integer class in [0, ${numClasses}) or the ignore value ${options.ignore}`);
    c.total++;
    if (p === t) c.tp[p]++;
    else {
      c.fp[p]++;
      c.fn[t]++;
    }
  }
  return c;
}

/** Zero counts for `numClasses` classes. */
export function emptyCounts(numClasses: number): ConfusionCounts {
  return { numClasses, tp: new Float64Array(numClasses), fp: new Float64Array(numClasses), fn: new Float64Array(numClasses), total: 0 };
}

/** Element-wise sum of confusion counts (micro reduction). */
export function addCounts(a: ConfusionCounts, b: ConfusionCounts): ConfusionCounts {
  if (a.numClasses !== b.numClasses) throw new Error(`addCounts: class counts ${a.numClasses} and ${b.numClasses} must match`);
  const s = emptyCounts(a.numClasses);
  for (let k = 0; k < a.numClasses; k++) {
    s.tp[k] = a.tp[k] + b.tp[k];
    s.fp[k] = a.fp[k] + b.fp[k];
    s.fn[k] = a.fn[k] + b.fn[k];
  }
  s.total = a.total + b.total;
  return s;
}

/** Mean over `classes` (absent ones skipped when asked, NaN ones always) and its count; `empty` when none. */
function mean(values: number[], absent: boolean[], classes: readonly number[], excludeAbsent: boolean, empty = NaN): [number, number] {
  let s = 0, m = 0;
  for (const k of classes) {
    if ((excludeAbsent && absent[k]) || Number.isNaN(values[k])) continue;
    s += values[k];
    m++;
  }
  return [m === 0 ? empty : s / m, m];
}

function checkClasses(classes: readonly number[] | undefined, numClasses: number, what: string): number[] {
  const cls = classes ? [...classes] : Array.from({ length: numClasses }, (_, k) => k);
  for (const k of cls) if (!(Number.isInteger(k) && k >= 0 && k < numClasses)) throw new Error(`${what}: class ${k} must be an integer in [0, ${numClasses})`);
  return cls;
}

/** Dice, IoU (absent classes = 1 and flagged), their means over `classes`, and pixel accuracy from counts. */
export function overlapScores(c: ConfusionCounts, options: ScoreOptions = {}): OverlapScores {
  const classes = checkClasses(options.classes, c.numClasses, 'overlapScores');
  const monai = checkSemantics(options.semantics, 'overlapScores') === 'monai';
  const dice: number[] = [], iou: number[] = [], absent: boolean[] = [];
  let correct = 0;
  for (let k = 0; k < c.numClasses; k++) {
    const tp = c.tp[k], fp = c.fp[k], fn = c.fn[k];
    correct += tp;
    const none = tp + fp + fn === 0;
    absent.push(none);
    const undef = monai ? tp + fn === 0 : none; // MONAI ignore_empty: an empty truth is NaN
    dice.push(undef ? (monai ? NaN : 1) : (2 * tp) / (2 * tp + fp + fn));
    iou.push(undef ? (monai ? NaN : 1) : tp / (tp + fp + fn));
  }
  const ex = options.excludeAbsent ?? false;
  const [meanDice, notNans] = mean(dice, absent, classes, ex, monai ? 0 : NaN);
  return {
    dice, iou, absent, meanDice, notNans,
    meanIoU: mean(iou, absent, classes, ex, monai ? 0 : NaN)[0],
    pixelAccuracy: c.total === 0 ? NaN : correct / c.total,
  };
}

/** Per-image scores of paired prediction and truth maps. */
export function perImageScores(preds: readonly ArrayLike<number>[], truths: readonly ArrayLike<number>[], numClasses: number, options: CountOptions & ScoreOptions = {}): OverlapScores[] {
  if (preds.length !== truths.length) throw new Error(`perImageScores: ${preds.length} predictions must pair with ${truths.length} truths`);
  return preds.map((p, i) => overlapScores(confusionCounts(p, truths[i], numClasses, options), options));
}

/** Dataset-level (micro) scores: confusion counts summed over every image, then the scores. */
export function datasetScores(preds: readonly ArrayLike<number>[], truths: readonly ArrayLike<number>[], numClasses: number, options: CountOptions & ScoreOptions = {}): OverlapScores {
  if (preds.length !== truths.length) throw new Error(`datasetScores: ${preds.length} predictions must pair with ${truths.length} truths`);
  let c = emptyCounts(numClasses);
  preds.forEach((p, i) => { c = addCounts(c, confusionCounts(p, truths[i], numClasses, options)); });
  return overlapScores(c, options);
}

/**
 * Macro mean of per-image scores: per class, the mean Dice / IoU over images (images where the class is absent left
 * out when `excludeAbsent`; NaN if none remain); meanDice, meanIoU and pixelAccuracy averaged over images (NaN ones
 * skipped). `absent[c]` is true when the class is absent from every image.
 * With 'monai' (scores from overlapScores with 'monai'): MONAI's `mean_batch` per class (0 where no image scored it)
 * and `mean` for meanDice / meanIoU (the mean of the per-image means over images with notNans > 0; 0 if none), and
 * notNans the number of such images.
 */
export function meanOverImages(scores: readonly OverlapScores[], options: { excludeAbsent?: boolean; semantics?: Semantics } = {}): OverlapScores {
  if (scores.length === 0) throw new Error('meanOverImages: no per-image scores to average');
  const k = scores[0].dice.length;
  const ex = options.excludeAbsent ?? false;
  if (checkSemantics(options.semantics, 'meanOverImages') === 'monai') {
    const avg0 = (vs: number[]) => { const f = vs.filter((v) => !Number.isNaN(v)); return f.length ? f.reduce((a, b) => a + b, 0) / f.length : 0; };
    const cls = Array.from({ length: k }, (_, c) => c);
    const scored = scores.filter((s) => s.notNans > 0);
    const accuracies = scores.map((s) => s.pixelAccuracy).filter((v) => !Number.isNaN(v));
    return {
      dice: cls.map((c) => avg0(scores.map((s) => s.dice[c]))),
      iou: cls.map((c) => avg0(scores.map((s) => s.iou[c]))),
      absent: cls.map((c) => scores.every((s) => s.absent[c])),
      meanDice: avg0(scored.map((s) => s.meanDice)),
      meanIoU: avg0(scored.map((s) => s.meanIoU)),
      notNans: scored.length,
      pixelAccuracy: accuracies.length ? accuracies.reduce((a, b) => a + b, 0) / accuracies.length : NaN,
    };
  }
  const avg = (get: (s: OverlapScores) => number, skip: (s: OverlapScores) => boolean) => {
    let sum = 0, m = 0;
    for (const s of scores) {
      const v = get(s);
      if (skip(s) || Number.isNaN(v)) continue;
      sum += v;
      m++;
    }
    return m === 0 ? NaN : sum / m;
  };
  const cls = Array.from({ length: k }, (_, c) => c);
  return {
    dice: cls.map((c) => avg((s) => s.dice[c], (s) => ex && s.absent[c])),
    iou: cls.map((c) => avg((s) => s.iou[c], (s) => ex && s.absent[c])),
    absent: cls.map((c) => scores.every((s) => s.absent[c])),
    meanDice: avg((s) => s.meanDice, () => false),
    meanIoU: avg((s) => s.meanIoU, () => false),
    notNans: scores.filter((s) => !Number.isNaN(s.meanDice)).length,
    pixelAccuracy: avg((s) => s.pixelAccuracy, () => false),
  };
}
