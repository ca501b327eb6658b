/**
 * Per-case metrics of one class's binary masks, by name (`unet evaluate --metrics dice,iou,hd95`). The rule for a
 * class absent from both masks: overlap metrics 1, distances 0; a class in only one of them: distances ∞; a rate
 * whose denominator is 0 otherwise (sensitivity with no true voxel): NaN.
 *
 * With `{ semantics: 'monai' }` (second argument): MONAI's rules — Dice and IoU NaN when the truth is empty
 * (`ignore_empty=True` of DiceMetric / MeanIoU), sensitivity and precision NaN whenever their denominator is 0
 * (ConfusionMatrixMetric), distances NaN when both masks are empty and linearly interpolated percentiles
 * (HausdorffDistanceMetric); see hausdorff.ts and semantics.ts.
 */
import { Registry } from '../core/registry.js';
import { hausdorffDistance } from './hausdorff.js';
import type { DistanceMetric } from './edt.js';
import { checkSemantics, type Semantics } from './semantics.js';

/** Binary masks (nonzero = the class) of one case, row-major over `shape`, with the voxel size per axis. */
export interface MaskPair {
  pred: Uint8Array;
  truth: Uint8Array;
  shape: readonly number[];
  /** Default 1 per axis. */
  spacing?: readonly number[];
}

export interface MaskMetricOptions {
  /** Empty-mask and percentile rules: 'unet-ts' (default) or 'monai'. */
  semantics?: Semantics;
  /** Distances only: MONAI's `distance_metric`, 'euclidean' (default), 'chessboard' or 'taxicab'. */
  distanceMetric?: DistanceMetric;
  /** Distances only: from the prediction to the truth alone (MONAI's `directed`). Default false. */
  directed?: boolean;
}

export type MaskMetric = (m: MaskPair, options?: MaskMetricOptions) => number;

function counts(m: MaskPair): { tp: number; fp: number; fn: number } {
  let tp = 0, fp = 0, fn = 0;
  for (let i = 0; i < m.pred.length; i++) {
    const p = m.pred[i] !== 0, t = m.truth[i] !== 0;
    if (p && t) tp++;
    else if (p) fp++;
    else if (t) fn++;
  }
  return { tp, fp, fn };
}

type Counts = { tp: number; fp: number; fn: number };

/**
 * The class's counts → num / den. 'unet-ts': 1 when the class is in neither mask, NaN when only den is 0.
 * 'monai': NaN when `undefinedMonai` holds (Dice / IoU: empty truth) or den is 0.
 */
const rate = (f: (c: Counts) => [number, number], undefinedMonai: (c: Counts) => boolean = () => false): MaskMetric => (m, o) => {
  const c = counts(m);
  const [num, den] = f(c);
  if (checkSemantics(o?.semantics, 'metric') === 'monai') return undefinedMonai(c) || den === 0 ? NaN : num / den;
  if (c.tp + c.fp + c.fn === 0) return 1;
  return den === 0 ? NaN : num / den;
};

const emptyTruth = (c: Counts) => c.tp + c.fn === 0;

const distance = (percentile: number): MaskMetric => (m, o) =>
  hausdorffDistance(m.pred, m.truth, m.shape, { spacing: m.spacing, percentile, semantics: o?.semantics, distanceMetric: o?.distanceMetric, directed: o?.directed });

export const maskMetrics = new Registry<MaskMetric>('metric')
  .register('dice', rate((c) => [2 * c.tp, 2 * c.tp + c.fp + c.fn], emptyTruth))
  .register('iou', rate((c) => [c.tp, c.tp + c.fp + c.fn], emptyTruth))
  .register('sensitivity', rate((c) => [c.tp, c.tp + c.fn]))
  .register('precision', rate((c) => [c.tp, c.tp + c.fp]))
  .register('hd95', distance(95))
  .register('hd', distance(100));

/** Whether a metric is a distance (lower is better; ∞ when the class is in only one mask). */
export const isDistance = (name: string): boolean => name === 'hd95' || name === 'hd';
