/**
 * Fix for tfjs-backend-cpu 4.22's ResizeBilinearGrad: it computes the right values in [B, H, W, C] order but labels
 * the result [B, W, H, C], so the gradient of any non-square bilinear resize fails tfjs's shape check. This wrapper
 * runs the original kernel and relabels its output with the input's shape (the data is already laid out for it).
 */
import * as tf from '@tensorflow/tfjs-core';

type KernelFunc = tf.KernelConfig['kernelFunc'];

export function patchResizeBilinearGrad(backendName = 'cpu'): void {
  const original = tf.getKernel('ResizeBilinearGrad', backendName);
  if (!original || (original.kernelFunc as { patched?: boolean }).patched) return;
  const inner = original.kernelFunc;
  const fixed: KernelFunc = (args) => {
    const out = inner(args) as tf.TensorInfo;
    const images = args.inputs.images as tf.TensorInfo;
    return { ...out, shape: [...images.shape] };
  };
  (fixed as { patched?: boolean }).patched = true;
  tf.unregisterKernel('ResizeBilinearGrad', backendName);
  tf.registerKernel({ ...original, kernelFunc: fixed });
}
