/** unet-ts: U-Net semantic segmentation, 2-D and 3-D, on TensorFlow.js. Tensors are channels-last. */
export { tf, initBackend } from './core/tf.js';
export { Rng } from './core/rng.js';
export { Registry, lookUpOption } from './core/registry.js';
export { UNet } from './models/unet.js';
export { resolveOptions, type UNetOptions, type ResolvedUNetOptions } from './models/options.js';
export { presets, presetOptions, type Preset } from './models/presets.js';
export { channelPlan, shapeReport, checkInputSize, axisFlow, nearestValidSizes, receptiveField } from './models/plan.js';
export { resizeLinear, upsample2x } from './nn/ops/resize.js';
export { normalize } from './nn/ops/normalize.js';
export { centerCrop, concatSkip, cropOffsets } from './nn/ops/crop.js';
export { readSafetensors, writeSafetensors, type SafeTensor } from './io/safetensors.js';
export { stateDict, loadStateDict, encodeWeights, decodeWeights, canonicalKey } from './io/weights.js';
export { decodePng, encodePng } from './io/png.js';
export { losses, lossFn, diceLoss, tverskyLoss, focalTverskyLoss, bceLoss, crossEntropyLoss, weightedCrossEntropyLoss, bceDiceLoss, ceDiceLoss, type LossFn, type LossInputs, type LossOptions } from './losses/index.js';
export { confusionCounts, addCounts, overlapScores, perImageScores, datasetScores, meanOverImages, squaredEdt, edt, hausdorffDistance, hd95 } from './metrics/index.js';
export { boundaryWeightMap } from './data/weight-map.js';
