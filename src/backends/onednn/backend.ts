/**
 * The `onednn` backend: tfjs's CPU backend (same tensor storage: TypedArrays in `data`) whose hot kernels run in the
 * native addon. Kernels it does not override are the CPU backend's own.
 */
import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from './native.js';

export class OneDnnBackend extends MathBackendCPU {
  constructor(readonly native: NativeAddon) {
    super();
    // the CPU backend's one-time advice to install tfjs-node does not apply
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  /** The float32 values behind a tensor, without a copy. */
  f32(t: tf.TensorInfo): Float32Array {
    const v = this.data.get(t.dataId)!.values;
    if (!(v instanceof Float32Array)) throw new Error(`onednn: expected float32 data, got ${t.dtype}`);
    return v;
  }

  /** A new float32 output and the array to fill. */
  alloc(shape: number[]): { out: tf.TensorInfo; data: Float32Array } {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    return { out: this.makeTensorInfo(shape, 'float32', data), data };
  }
}

export const asOneDnn = (b: unknown): OneDnnBackend => b as OneDnnBackend;
