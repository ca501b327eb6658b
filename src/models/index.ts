/** Each architecture's own exports (its class and options types), one line per folder. */
export { UNet, unetGeometry } from './unet/unet.js';
export { resolveOptions, type UNetOptions, type ResolvedUNetOptions } from './unet/options.js';
export { channelPlan, shapeReport, checkInputSize, axisFlow, nearestValidSizes, receptiveField } from './unet/plan.js';
export { canonicalKey } from './unet/keys.js';
export { UNETR, unetr, type UNETROptions, type ResolvedUNETROptions } from './unetr/index.js';
export { TransUNet, transunet, loadNpzEncoder, type TransUNetOptions, type ResolvedTransUNetOptions } from './transunet/index.js';
export { AttentionUNet, type AttentionUNetOptions, type ResolvedAttentionUNetOptions } from './attention-unet/index.js';
export { UNetPlusPlus, unetpp, type UNetPPOptions, type ResolvedUNetPPOptions, type UNetPPInference } from './unetpp/index.js';
