/**
 * The tensor engine: TensorFlow.js core with its CPU backend and every gradient registered.
 *
 * Layout convention, stated once for the whole library: tensors are channels-last,
 * `[B, H, W, C]` in 2-D and `[B, D, H, W, C]` in 3-D.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core's Node entry registers no gradients; this bundle of its own gradient definitions does (see
// scripts/build-gradients.mjs).
import './generated/tfjs-gradients.js';
import { replaceResizeBilinearGrad } from '../backends/cpu/ResizeBilinearGrad.js';

// tfjs-backend-cpu 4.22's ResizeBilinearGrad ignores halfPixelCenters and mislabels its output shape.
replaceResizeBilinearGrad('cpu');

export { tf };
export type { Tensor, Variable, Rank, NamedTensorMap, Scalar } from '@tensorflow/tfjs-core';

let ready: Promise<string> | undefined;

/**
 * Selects the best backend available once (today: `cpu`; the native backend registers itself with a higher
 * priority when it loads) and resolves to its name.
 */
export function initBackend(name?: string): Promise<string> {
  if (name !== undefined) return tf.setBackend(name).then((ok) => finish(ok, name));
  ready ??= tf.ready().then(() => finish(true, tf.getBackend()));
  return ready;
}

function finish(ok: boolean, name: string): string {
  if (!ok) throw new Error(`backend '${name}' failed to initialise; registered backends: ${Object.keys(tf.engine().registryFactory).join(', ')}`);
  // The CPU backend greets Node users on first use with advice to install tfjs-node, which cannot be installed here
  // and which this library does not use.
  const backend = tf.backend() as unknown as { firstUse?: boolean };
  if ('firstUse' in backend) backend.firstUse = false;
  return name;
}
