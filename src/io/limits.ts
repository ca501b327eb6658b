/**
 * Size limits the readers check against a file's header — before they decode or allocate anything — so that a small
 * file declaring a huge image (a "PNG bomb", a NIfTI header claiming 30000³ voxels, a gzip bomb) is refused at once
 * with the file, the value and the rule, instead of exhausting memory. No global state: callers pass a `ReadLimits`.
 */

/**
 * Default `maxVoxels`: 2^28 = 268,435,456 values, i.e. 1 GiB as the float32 `Volume.data` every reader returns.
 * Large enough for the biggest routine medical volumes (a 512×512×1000 CT is 2.6·10^8; a 4096² RGBA image 6.7·10^7),
 * small enough that one file cannot take more than about 1 GiB plus its encoded size before anything is checked.
 */
export const DEFAULT_MAX_VOXELS = 2 ** 28;

/** What the readers refuse before allocating. Every field is optional; omitted fields take their defaults. */
export interface ReadLimits {
  /**
   * The most values one image or volume may decode to: voxels × channels (width × height × depth × pages × channels)
   * — the length of the float32 `Volume.data`. Default `DEFAULT_MAX_VOXELS` = 2^28 (1 GiB of float32).
   * Raise it with `{ maxVoxels }` in the library or `--max-voxels N` on `unet train`, `predict` and `evaluate`.
   */
  maxVoxels?: number;
}

/** The effective maximum (validated: a positive integer, or Infinity). */
export function maxVoxelsOf(limits: ReadLimits | undefined): number {
  const m = limits?.maxVoxels ?? DEFAULT_MAX_VOXELS;
  if (!(m === Infinity || (Number.isInteger(m) && m >= 1))) throw new Error(`maxVoxels = ${m} — rule: maxVoxels is a positive integer`);
  return m;
}

/**
 * Throws unless `dims` (spatial sizes, any order) × `channels` values fit the limit. `what` names the layout for the
 * message, e.g. '30000×30000 pixels × 1 channel'. Dims must already be validated as positive integers.
 */
export function checkSize(source: string, dims: readonly number[], channels: number, limits: ReadLimits | undefined, kind = 'image'): void {
  const max = maxVoxelsOf(limits);
  const n = dims.reduce((a, b) => a * b, 1) * channels;
  if (n > max) {
    throw new Error(
      `${source}: the header declares a ${dims.join('×')} ${kind} × ${channels} channel${channels === 1 ? '' : 's'} = ${n} values`
      + ` — rule: at most ${max} values per file (maxVoxels); raise it with --max-voxels N (library: { maxVoxels: N }) if the file is meant to be this large`,
    );
  }
}

/** Parses a `--max-voxels` value: a positive integer (1e9 and 2**30 style not accepted; digits only). */
export function parseMaxVoxels(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1) throw new Error(`--max-voxels '${text}' — rule: a positive integer, e.g. ${DEFAULT_MAX_VOXELS}`);
  return n;
}
