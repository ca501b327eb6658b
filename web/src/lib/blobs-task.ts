/**
 * The blobs task shared by `scripts/train-blobs.ts` (Node) and the explorer's pages (browser): ImageJ's blobs image,
 * z-scored, with its foreground (label > 0) as class 1; a top band trains, the rows below it are held out. Pure
 * library code (no DOM, no Node), so both sides segment and score exactly alike.
 */
import { tf, zScore, cropPatch, predictWhole, toClasses, confusionCounts, overlapScores, type UNet, type Image2D, type Patch, type TrainableNet } from '../../../src/index.js';

/** One gray channel of an image: the first channel, or the mean of R, G, B for colour images. */
export function grayOf(img: Image2D): Float32Array {
  const n = img.width * img.height, C = img.channels;
  if (C === 1) return Float32Array.from(img.data);
  const out = new Float32Array(n);
  const k = Math.min(C, 3);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < k; c++) s += img.data[i * C + c];
    out[i] = s / k;
  }
  return out;
}

/** The image (z-scored gray) and its foreground mask as a library Patch ([H, W], one channel). */
export function blobsPatch(image: Image2D, labels: Image2D): Patch {
  const label = Int32Array.from(grayOf(labels), (v) => (v > 0 ? 1 : 0));
  return { image: zScore(grayOf(image), 1), label, shape: [image.height, image.width], channels: 1 };
}

/** Rows [0, trainRows) of the patch: what the model trains on. */
export function trainBand(p: Patch, trainRows: number): Patch {
  return cropPatch(p, [0, 0], [trainRows, p.shape[1]]);
}

/** Foreground map (0/1 per pixel) of a z-scored one-channel image [H, W], by the model in eval mode. */
export function segment(model: TrainableNet, image: Float32Array, shape: readonly number[]): Int32Array {
  model.eval();
  const x = tf.tensor4d(image, [1, shape[0], shape[1], 1]);
  const logits = predictWhole(model, x);
  const classes = toClasses(logits);
  tf.dispose([x, logits]);
  return classes;
}

/** Foreground Dice of a prediction against the truth over rows [fromRow, toRow) of a width-`width` image. */
export function foregroundDice(pred: Int32Array, truth: Int32Array, width: number, fromRow = 0, toRow = truth.length / width): number {
  const a = fromRow * width, b = toRow * width;
  return overlapScores(confusionCounts(pred.subarray(a, b), truth.subarray(a, b), 2)).dice[1];
}

/** One skip setting and its scores. */
export interface AblationRow {
  /** Which skips are joined, shallowest first (the model's skip mask). */
  skips: boolean[];
  /** Foreground Dice over the whole image. */
  dice: number;
  /** Foreground Dice over the held-out rows. */
  heldOutDice: number;
}

/** The skip settings the explorer reports: all skips, each one off alone, all off (depth + 2 rows). */
export function ablationSettings(depth: number): boolean[][] {
  const all = Array<boolean>(depth).fill(true);
  return [all, ...all.map((_, k) => all.map((_, j) => j !== k)), all.map(() => false)];
}

/**
 * Scores every setting of `ablationSettings` on the patch; `trainRows` splits off the held-out rows. Restores the
 * model's skip mask afterwards.
 */
export function skipAblation(model: UNet, p: Patch, trainRows: number): AblationRow[] {
  const before = [...model.options.skips];
  const rows = ablationSettings(model.options.depth).map((skips) => {
    model.setSkips(skips);
    const pred = segment(model, p.image, p.shape);
    return { skips, dice: foregroundDice(pred, p.label, p.shape[1]), heldOutDice: foregroundDice(pred, p.label, p.shape[1], trainRows) };
  });
  model.setSkips(before);
  return rows;
}
