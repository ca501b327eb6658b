/** Per-image, per-channel intensity normalisation of channels-last data (z-score, min–max, percentile clip + z-score). */

export type NormalizeMode = 'zscore' | 'minmax' | 'percentile';

function channelValues(data: Float32Array, channels: number, c: number): Float32Array {
  const n = data.length / channels;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = data[i * channels + c];
  return out;
}

/** Per channel: (x − mean) / std (std 0 → only centred). Returns a new array. */
export function zScore(data: Float32Array, channels: number): Float32Array {
  const out = new Float32Array(data.length);
  const n = data.length / channels;
  for (let c = 0; c < channels; c++) {
    let s = 0, s2 = 0;
    for (let i = 0; i < n; i++) s += data[i * channels + c];
    const mean = s / n;
    for (let i = 0; i < n; i++) { const d = data[i * channels + c] - mean; s2 += d * d; }
    const std = Math.sqrt(s2 / n);
    const inv = std > 0 ? 1 / std : 1;
    for (let i = 0; i < n; i++) out[i * channels + c] = (data[i * channels + c] - mean) * inv;
  }
  return out;
}

/** Per channel: (x − min) / (max − min) into [0, 1] (constant channel → 0). Returns a new array. */
export function minMax(data: Float32Array, channels: number): Float32Array {
  const out = new Float32Array(data.length);
  const n = data.length / channels;
  for (let c = 0; c < channels; c++) {
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < n; i++) { const v = data[i * channels + c]; if (v < lo) lo = v; if (v > hi) hi = v; }
    const inv = hi > lo ? 1 / (hi - lo) : 0;
    for (let i = 0; i < n; i++) out[i * channels + c] = (data[i * channels + c] - lo) * inv;
  }
  return out;
}

/** The p-th percentile (0…100, linear interpolation between order statistics) of `values`. */
export function percentile(values: Float32Array, p: number): number {
  if (!(p >= 0 && p <= 100)) throw new Error(`percentile: p = ${p}; rule: 0 ≤ p ≤ 100`);
  const s = Float32Array.from(values).sort();
  const r = (p / 100) * (s.length - 1);
  const i = Math.floor(r);
  return i + 1 < s.length ? s[i] + (s[i + 1] - s[i]) * (r - i) : s[i];
}

/** Per channel: clip to the [lower, upper] percentiles (default 0.5, 99.5), then z-score (MRI/CT). Returns a new array. */
export function percentileZScore(data: Float32Array, channels: number, lower = 0.5, upper = 99.5): Float32Array {
  if (!(lower < upper)) throw new Error(`percentileZScore: lower ${lower} ≥ upper ${upper}; rule: lower < upper`);
  const clipped = new Float32Array(data.length);
  const n = data.length / channels;
  for (let c = 0; c < channels; c++) {
    const v = channelValues(data, channels, c);
    const lo = percentile(v, lower), hi = percentile(v, upper);
    for (let i = 0; i < n; i++) clipped[i * channels + c] = Math.min(hi, Math.max(lo, v[i]));
  }
  return zScore(clipped, channels);
}

/** Normalises by mode name. */
export function normalize(data: Float32Array, channels: number, mode: NormalizeMode): Float32Array {
  switch (mode) {
    case 'zscore': return zScore(data, channels);
    case 'minmax': return minMax(data, channels);
    case 'percentile': return percentileZScore(data, channels);
    default: throw new Error(`normalize: unknown mode '${mode as string}'; valid: zscore, minmax, percentile`);
  }
}

/**
 * One channel's normalisation from an nnU-Net-style plan (plans.json `normalization[c]`):
 *  - 'ct': clip to [lower, upper] (the foreground 0.5 / 99.5 percentiles), then (x − mean) / std with the dataset's
 *    foreground statistics (nnU-Net's CTNormalization);
 *  - 'zscore': per image (x − mean) / std; with `useMask` the statistics come from the nonzero mask (voxels where any
 *    channel is ≠ 0) and voxels outside it are set to 0 (nnU-Net's ZScoreNormalization with use_mask_for_norm).
 */
export interface ChannelNorm {
  scheme: 'zscore' | 'ct';
  useMask: boolean;
  ct?: { mean: number; std: number; lower: number; upper: number };
}

/** What a run records and prediction repeats: a per-image mode, none, or one plan normalisation per channel. */
export type Normalization = NormalizeMode | 'none' | ChannelNorm[];

/** Per channel by the plan's schemes (see `ChannelNorm`). Returns a new array. */
export function normalizeChannels(data: Float32Array, channels: number, norms: readonly ChannelNorm[]): Float32Array {
  if (norms.length !== channels) throw new Error(`plan normalisation lists ${norms.length} channel(s); the image has ${channels}`);
  const n = data.length / channels;
  const out = new Float32Array(data.length);
  let mask: Uint8Array | undefined;
  if (norms.some((c) => c.scheme === 'zscore' && c.useMask)) {
    mask = new Uint8Array(n);
    for (let i = 0; i < n; i++) for (let c = 0; c < channels; c++) if (data[i * channels + c] !== 0) { mask[i] = 1; break; }
  }
  norms.forEach((cn, c) => {
    if (cn.scheme === 'ct') {
      if (!cn.ct) throw new Error(`plan normalisation of channel ${c}: scheme 'ct' needs ct: { mean, std, lower, upper }`);
      const { mean, std, lower, upper } = cn.ct;
      const inv = 1 / Math.max(std, 1e-8);
      for (let i = 0; i < n; i++) out[i * channels + c] = (Math.min(upper, Math.max(lower, data[i * channels + c])) - mean) * inv;
      return;
    }
    const m = cn.useMask ? mask! : undefined;
    let s = 0, cnt = 0;
    for (let i = 0; i < n; i++) if (!m || m[i]) { s += data[i * channels + c]; cnt++; }
    const mean = cnt ? s / cnt : 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) if (!m || m[i]) { const d = data[i * channels + c] - mean; s2 += d * d; }
    const inv = 1 / Math.max(Math.sqrt(cnt ? s2 / cnt : 0), 1e-8);
    for (let i = 0; i < n; i++) out[i * channels + c] = !m || m[i] ? (data[i * channels + c] - mean) * inv : 0;
  });
  return out;
}

/** Applies a recorded normalisation (a mode, 'none', or a plan's per-channel list). Returns a new array unless 'none'. */
export function applyNormalization(data: Float32Array, channels: number, n: Normalization | undefined): Float32Array {
  if (n === undefined || n === 'none') return data;
  return Array.isArray(n) ? normalizeChannels(data, channels, n) : normalize(data, channels, n);
}
