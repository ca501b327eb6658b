/**
 * Whose conventions a metric or sliding window follows.
 *
 * - 'unet-ts' (the default everywhere): this library's documented rules — a class absent from both masks scores
 *   Dice/IoU 1 (flagged `absent`) and distance 0; percentiles by nearest rank; windows evenly spaced.
 * - 'monai': MONAI's (Project-MONAI/MONAI) defaults, so that numbers can be checked against it — Dice/IoU of an
 *   empty ground truth is NaN and left out of means, counted in `notNans` (`ignore_empty=True`); Hausdorff of two
 *   empty masks NaN; percentiles by linear interpolation (`torch.quantile`); windows stepping by
 *   int(roi·(1 − overlap)) with the last one clamped to the image end (`dense_patch_slices`).
 * README.md (metrics section) lists every difference with MONAI's option names.
 */
export type Semantics = 'unet-ts' | 'monai';

export const SEMANTICS: readonly Semantics[] = ['unet-ts', 'monai'];

/** The semantics named (default 'unet-ts'), refusing unknown names. */
export function checkSemantics(s: string | undefined, what: string): Semantics {
  const v = s ?? 'unet-ts';
  if (!(SEMANTICS as readonly string[]).includes(v)) throw new Error(`${what}: semantics '${v}' must be 'unet-ts' or 'monai'`);
  return v as Semantics;
}
