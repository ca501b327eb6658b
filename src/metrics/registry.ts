/**
 * Per-case metrics of one class's binary masks, by name (`unet evaluate --metrics dice,iou,hd95`). The rule for a
 * class absent from both masks: overlap metrics 1, distances 0; a class in only one of them: distances ∞; a rate
 * whose denominator is 0 otherwise (sensitivity with no true voxel): NaN.
 */
import { Registry } from '../core/registry.js';
import { hausdorffDistance } from './hausdorff.js';

/** Binary masks (nonzero = the class) of one case, row-major over `shape`, with the voxel size per axis. */
export interface MaskPair {
  pred: Uint8Array;
  truth: Uint8Array;
  shape: readonly number[];
  /** Default 1 per axis. */
  spacing?: readonly number[];
}

export type MaskMetric = (m: MaskPair) => number;

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

/** The class's counts → num / den; 1 when the class is in neither mask; NaN when only den is 0 (undefined). */
const rate = (f: (c: { tp: number; fp: number; fn: number }) => [number, number]): MaskMetric => (m) => {
  const c = counts(m);
  if (c.tp + c.fp + c.fn === 0) return 1;
  const [num, den] = f(c);
  return den === 0 ? NaN : num / den;
};

export const maskMetrics = new Registry<MaskMetric>('metric')
  .register('dice', rate((c) => [2 * c.tp, 2 * c.tp + c.fp + c.fn]))
  .register('iou', rate((c) => [c.tp, c.tp + c.fp + c.fn]))
  .register('sensitivity', rate((c) => [c.tp, c.tp + c.fn]))
  .register('precision', rate((c) => [c.tp, c.tp + c.fp]))
  .register('hd95', (m) => hausdorffDistance(m.pred, m.truth, m.shape, { spacing: m.spacing, percentile: 95 }))
  .register('hd', (m) => hausdorffDistance(m.pred, m.truth, m.shape, { spacing: m.spacing, percentile: 100 }));

/** Whether a metric is a distance (lower is better; ∞ when the class is in only one mask). */
export const isDistance = (name: string): boolean => name === 'hd95' || name === 'hd';
