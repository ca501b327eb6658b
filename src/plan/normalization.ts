/** Normalisation scheme per channel (nnU-Net v2's determine_normalization_scheme_and_whether_mask_is_used_for_norm). */
import type { Fingerprint, ChannelNormalization } from './types.js';
import { fmt } from './explain.js';

/** `determine_normalization_scheme_and_whether_mask_is_used_for_norm`. */
export function normalizationFor(f: Fingerprint, log: string[]): ChannelNormalization[] {
  const useMask = f.medianRelativeSizeAfterCropping < 3 / 4;
  return f.channels.map((c, k) => {
    const ct = c.name.toLowerCase() === 'ct';
    // CTNormalization leaves pixels outside the mask alone (its flag is False); ZScoreNormalization uses the mask.
    const mask = useMask && !ct;
    log.push(`channel ${k} ('${c.name}'): ${ct ? `CT — clip to the foreground 0.5/99.5 percentiles [${fmt(c.foreground.percentile00_5)}, ${fmt(c.foreground.percentile99_5)}], then (x − ${fmt(c.foreground.mean)}) / ${fmt(c.foreground.std)}` : 'z-score per image'}; ${mask ? `inside the nonzero mask only (median size after cropping ${fmt(f.medianRelativeSizeAfterCropping)} < 0.75)` : `whole image (median size after cropping ${fmt(f.medianRelativeSizeAfterCropping)}${useMask ? '; CT ignores the mask' : ' ≥ 0.75'})`}`);
    return ct
      ? { scheme: 'ct' as const, useMask: false, ct: { mean: c.foreground.mean, std: c.foreground.std, lower: c.foreground.percentile00_5, upper: c.foreground.percentile99_5 } }
      : { scheme: 'zscore' as const, useMask: mask };
  });
}
