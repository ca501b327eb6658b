/** unet-ts: U-Net semantic segmentation, 2-D and 3-D, on TensorFlow.js. Tensors are channels-last. */
export { tf, initBackend } from './core/tf.js';
export { variableGrads } from './core/grad.js';
export { Rng } from './core/rng.js';
export { Registry, lookUpOption } from './core/registry.js';
export type { Geometry, SegmentationNet, TrainableNet, NetSpec, NetStage, StageKind } from './models/types.js';
export type { Architecture, Preset } from './models/architecture.js';
export { architectures, presets, resolveSpec, presetSpec, createNet, geometryOf, stagesOf, paramsOf, foreignKeyOf } from './models/registry.js';
export * from './models/index.js';
export { resizeLinear, upsample2x } from './nn/ops/resize.js';
export { normalize } from './nn/ops/normalize.js';
export { centerCrop, concatSkip, cropOffsets } from './nn/ops/crop.js';
export { readSafetensors, writeSafetensors, type SafeTensor } from './io/safetensors.js';
export { readPth, readPthStateDict, type PthCheckpoint, type PthStateDict, type PthStateDictOptions } from './io/pth.js';
export { stateDict, loadStateDict, encodeWeights, decodeWeights, stripModulePrefix } from './io/weights.js';
export { decodePng, encodePng, type Image2D } from './io/png.js';
export { losses, lossFn, diceLoss, tverskyLoss, focalTverskyLoss, bceLoss, crossEntropyLoss, weightedCrossEntropyLoss, bceDiceLoss, ceDiceLoss, type LossFn, type LossInputs, type LossOptions } from './losses/index.js';
export { confusionCounts, addCounts, overlapScores, perImageScores, datasetScores, meanOverImages, squaredEdt, edt, chamferDistance, hausdorffDistance, hd95, nearestRankPercentile, linearPercentile, maskMetrics, reduceMetric, METRIC_REDUCTIONS, SEMANTICS, type MaskPair, type MaskMetricOptions, type HausdorffOptions, type DistanceMetric, type MetricReduction, type Reduced, type Semantics } from './metrics/index.js';
export { boundaryWeightMap } from './data/weight-map.js';
export { normalize as normalizeIntensities, zScore, minMax, percentileZScore, type NormalizeMode } from './data/normalize.js';
export { predictWhole, toClasses } from './infer/whole.js';
export { slidingWindow, slidingWindowVolume, slidingWindowPlan, importanceMap, reflectIndex, monaiStarts, type SlidingWindowOptions, type SlidingWindowPlan, type AxisTiles, type ProbabilityMap, type Blend, type PaddingMode, type PatchPredictor } from './infer/sliding-window.js';
export { predictProbabilities, probabilitiesFromLogits, mirrorAxes, type SegmentationModel } from './infer/tta.js';
export { resampleGrid, resampledShape, resampleVolume, resampleLabels, medianSpacing, type Interpolation, type ResampleOptions, type LabelResampleOptions } from './infer/resample.js';
export { postprocess, probabilitiesToLabels, connectedComponents, keepLargestComponent, type Connectivity, type PostprocessOptions } from './infer/postprocess.js';
export { readVolume, readNifti, type VolumeReader } from './io/readers.js';
export { DEFAULT_MAX_VOXELS, type ReadLimits } from './io/limits.js';
export { encodeNifti, encodeNiftiFile, gzip, type NiftiImage, type NiftiWriteOptions, type NiftiDatatype } from './io/nifti-write.js';
export type { Volume } from './io/volume.js';
// Training, browser-safe: the one step, the shared defaults, the schedules, the optimiser and the patch sampler
// (the explorer's in-browser training uses exactly these).
export { trainStep, batchLoss, type StepLoss, type StepBatch, type Optimizer } from './train/step.js';
export { TRAIN_DEFAULTS } from './train/defaults.js';
export { scheduledLr, type ScheduleName, type ScheduleOptions } from './train/schedule.js';
export { Adam, type AdamOptions } from './train/adam.js';
export { sampleBatch, type BatchConfig } from './data/sampler.js';
export { cropPatch, type Patch } from './data/patches.js';
// Self-configuration, browser-safe: nnU-Net v2's fingerprint (one case at a time) and planner, and the plans format.
export { FingerprintBuilder, nonzeroBox, type FingerprintOptions } from './plan/fingerprint.js';
export { plan, planConfiguration, NNUNET, type PlanOptions } from './plan/planner.js';
export { poolAndConvProps, featureMapSize, padShape } from './plan/topology.js';
export { planText } from './plan/explain.js';
export type { Plans, PlanConfiguration, Fingerprint, IntensityStats, ChannelNormalization, NnunetNetworkOptions } from './plan/types.js';
