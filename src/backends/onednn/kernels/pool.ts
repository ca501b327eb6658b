/** MaxPool / MaxPool3D and their gradients (`native/src/pool.cc`). */
import type * as tf from '@tensorflow/tfjs-core';

export const poolKernels: tf.KernelConfig[] = [];
