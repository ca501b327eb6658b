/** Evaluation metrics on typed arrays (no tensors): overlap scores, distance transform, Hausdorff distances. */
export * from './overlap.js';
export { squaredEdt, edt, edt1d } from './edt.js';
export { hausdorffDistance, hd95, surface, nearestRankPercentile, type HausdorffOptions } from './hausdorff.js';
export { maskMetrics, isDistance, type MaskMetric, type MaskPair } from './registry.js';
