/** The CPU backend's kernel function for a kernel name: what native kernels defer to outside their fast paths. */
import * as tf from '@tensorflow/tfjs-core';

export function cpuKernel(name: string): tf.KernelFunc {
  const k = tf.getKernel(name, 'cpu');
  if (!k) throw new Error(`no cpu kernel '${name}' to fall back to`);
  return k.kernelFunc as tf.KernelFunc;
}
