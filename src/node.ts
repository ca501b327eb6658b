/** Node-only entry (`unet-ts/node`): file I/O on top of the browser-safe library. */
export * from './index.js';
export { saveModel, loadModel, readSpec, writeFileAtomic, optionsPath, writeNifti } from './io/files.js';
export { useBestBackend, backendInfo } from './backends/select.js';
export { registerOneDnnBackend } from './backends/onednn/register.js';
export { exportRun, type ExportOptions, type ExportResult } from './app/export.js';
