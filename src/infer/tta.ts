/**
 * The model's class probabilities for a batch of windows, optionally with test-time augmentation by mirroring:
 * every combination of flips of the spatial axes (2^n passes: 4 in 2-D, 8 in 3-D, identity included — nnU-Net's
 * set), each flipped back and averaged in probability space.
 */
import { tf, type Tensor } from '../core/tf.js';
import type { SegmentationNet } from '../models/types.js';

/** What inference needs of a model: its geometry (sizes, channels, classes) and its forward pass. */
/** What inference needs of a network: its geometry and its forward pass. */
export type SegmentationModel = Pick<SegmentationNet, 'geometry' | 'forward'>;

/** Probabilities from logits [..., K]: softmax over classes for K ≥ 2, sigmoid for one class (foreground). */
export function probabilitiesFromLogits(logits: Tensor): Tensor {
  return logits.shape[logits.rank - 1] === 1 ? tf.sigmoid(logits) : tf.softmax(logits, -1);
}

/** Every subset of the spatial tensor axes 1 … n, the empty set (no flip) first: 2^n sets. */
export function mirrorAxes(spatialDims: number): number[][] {
  const sets: number[][] = [];
  for (let m = 0; m < 2 ** spatialDims; m++) sets.push(Array.from({ length: spatialDims }, (_, a) => a + 1).filter((a) => (m >> (a - 1)) & 1));
  return sets;
}

const flip = (x: Tensor, axes: number[]): Tensor => (axes.length === 0 ? x : tf.reverse(x, axes));

/**
 * Probabilities [B, ...S_out, K] for windows x [B, ...S, C]; with `tta`, the mean over the 2^n mirrorings of
 * x (each prediction flipped back). Eval or training mode is the caller's choice (`model.eval()` for inference).
 */
export function predictProbabilities(model: SegmentationModel, x: Tensor, tta = false): Tensor {
  return tf.tidy(() => {
    const sets = tta ? mirrorAxes(model.geometry.spatialDims) : [[]];
    let sum: Tensor | undefined;
    for (const axes of sets) {
      const p = flip(probabilitiesFromLogits(model.forward(flip(x, axes))), axes); // [B, ...S_out, K]
      sum = sum ? tf.add(sum, p) : p;
    }
    return sets.length === 1 ? sum! : tf.div(sum!, sets.length);
  });
}
