/** The native oneDNN backend for Node (lazy: nothing loads until `useNativeBackend` is called). */
export { registerOneDnnBackend, NATIVE_KERNELS } from './register.js';
export { loadAddon, addonPath, HOW_TO_BUILD } from './native.js';
export { OneDnnBackend } from './backend.js';
