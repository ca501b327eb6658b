/** Bilinear / trilinear resize and gradients (`native/src/resize.cc`). */
import type * as tf from '@tensorflow/tfjs-core';

export const resizeKernels: tf.KernelConfig[] = [];
