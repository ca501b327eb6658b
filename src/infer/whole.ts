/**
 * Whole-image prediction for padded models: the image is zero-padded, centred, up to the next size the network
 * accepts (as training patches are padded), run once, and the logits are cropped back. Large images, blending,
 * TTA and valid-padded models: `slidingWindow` (sliding-window.ts).
 */
import { tf, type Tensor } from '../core/tf.js';
import type { SegmentationNet } from '../models/types.js';

/** Logits [1, ...S, K] for one image x [1, ...S, C] (model in eval mode is the caller's choice). */
export function predictWhole(model: Pick<SegmentationNet, 'geometry' | 'forward'>, x: Tensor): Tensor {
  const g = model.geometry;
  if (g.padding !== 'same') throw new Error('predictWhole: valid-padded models need overlap-tile inference: use slidingWindow');
  const spatial = x.shape.slice(1, -1);
  const target = spatial.map((s) => g.nearest(s).above ?? s);
  return tf.tidy(() => {
    const pads = spatial.map((s, i) => [Math.floor((target[i] - s) / 2), target[i] - s - Math.floor((target[i] - s) / 2)] as [number, number]);
    const all = [[0, 0], ...pads, [0, 0]] as [number, number][];
    const padded = pads.every(([a, b]) => a === 0 && b === 0) ? x : tf.pad(x, all);
    const y = model.forward(padded);
    return tf.slice(y, [0, ...pads.map((p) => p[0]), 0], [1, ...spatial, y.shape[y.rank - 1]]);
  });
}

/** Class map from logits [1, ...S, K]: sigmoid > 0.5 (K = 1) or argmax. */
export function toClasses(logits: Tensor): Int32Array {
  return tf.tidy(() => {
    const k = logits.shape[logits.rank - 1];
    const c = k === 1 ? tf.cast(tf.greater(logits, 0), 'int32') : tf.argMax(logits, -1);
    return c.dataSync() as Int32Array;
  });
}
