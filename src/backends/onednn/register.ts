/**
 * Registers the `onednn` backend: every CPU kernel is copied under the new backend's name, then the native kernels
 * replace the ones they accelerate. Priority 3 (the CPU backend has 1), so tfjs picks it when it loads.
 */
import * as tf from '@tensorflow/tfjs-core';
import { OneDnnBackend } from './backend.js';
import { loadAddon } from './native.js';
import { convKernels } from './kernels/conv.js';
import { batchMatMulConfig } from './kernels/matmul.js';
import { poolKernels } from './kernels/pool.js';
import { registerResizeGradient, resizeKernels } from './kernels/resize.js';
import { eltwiseKernels } from './kernels/eltwise.js';
import { normKernels } from './kernels/norm.js';

export const NATIVE_KERNELS: tf.KernelConfig[] = [...convKernels, batchMatMulConfig, ...poolKernels, ...resizeKernels, ...eltwiseKernels, ...normKernels];

let state: { ok: boolean; reason?: string } | undefined;

/** Registers the backend once; returns whether it is available and why not. Never throws. */
export function registerOneDnnBackend(): { ok: boolean; reason?: string } {
  if (state) return state;
  const { addon, reason } = loadAddon();
  if (!addon) return (state = { ok: false, reason });
  for (const k of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...k, backendName: 'onednn' });
  for (const k of NATIVE_KERNELS) {
    // kernels the cpu backend lacks (UnetResizeLinear…) have no copy to replace
    if (tf.getKernel(k.kernelName, 'onednn')) tf.unregisterKernel(k.kernelName, 'onednn');
    tf.registerKernel(k);
  }
  registerResizeGradient();
  tf.registerBackend('onednn', () => new OneDnnBackend(addon), 3);
  return (state = { ok: true });
}
