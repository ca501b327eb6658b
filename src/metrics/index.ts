/** Evaluation metrics on typed arrays (no tensors): overlap scores, distance transform, Hausdorff distances. */
export * from './overlap.js';
export { squaredEdt, edt, edt1d, chamferDistance, type DistanceMetric } from './edt.js';
export { hausdorffDistance, hd95, surface, nearestRankPercentile, linearPercentile, type HausdorffOptions } from './hausdorff.js';
export { maskMetrics, isDistance, type MaskMetric, type MaskMetricOptions, type MaskPair } from './registry.js';
export { reduceMetric, METRIC_REDUCTIONS, type MetricReduction, type Reduced } from './reduction.js';
export { SEMANTICS, type Semantics } from './semantics.js';
