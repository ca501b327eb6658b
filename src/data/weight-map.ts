/**
 * The boundary weight map of Ronneberger et al. 2015 (U-Net, eq. 2), from an instance label map
 * (0 = background, 1..N = objects), 2-D or 3-D, row-major:
 *   w(x) = w_c(x) + w0 · exp(−(d1(x) + d2(x))² / (2σ²))   on background pixels,   w(x) = w_c(x) on object pixels,
 * d1, d2 the distances to the nearest and second-nearest object (one exact EDT per object; Infinity when there are
 * fewer than two objects, so the border term vanishes). Class balancing: w_c(c) = total / (2 · count_c) for
 * c ∈ {background, foreground} (so both classes carry equal total weight; 1 for a class with no pixel).
 */
import { edt } from '../metrics/edt.js';

export interface WeightMapOptions {
  /** Border weight w0; default 10. */
  w0?: number;
  /** Border width σ in pixels (spacing units); default 5. */
  sigma?: number;
  /** Pixel size per axis; default 1. */
  spacing?: readonly number[];
}

/** Ronneberger's weight map w = w_c + w0·exp(−(d1 + d2)²/(2σ²)) (border term on background) of an instance map. */
export function boundaryWeightMap(labels: ArrayLike<number>, shape: readonly number[], options: WeightMapOptions = {}): Float32Array {
  const w0 = options.w0 ?? 10, sigma = options.sigma ?? 5;
  if (!(w0 >= 0)) throw new Error(`boundaryWeightMap: w0 ${w0} must be ≥ 0`);
  if (!(sigma > 0)) throw new Error(`boundaryWeightMap: sigma ${sigma} must be > 0`);
  const n = shape.reduce((a, b) => a * b, 1);
  if (labels.length !== n) throw new Error(`boundaryWeightMap: labels length ${labels.length} must equal the shape's size ${n} ([${shape}])`);
  const ids = new Set<number>();
  let fg = 0;
  for (let i = 0; i < n; i++) {
    const l = labels[i];
    if (!(Number.isInteger(l) && l >= 0)) throw new Error(`boundaryWeightMap: label ${l} at index ${i} must be a non-negative integer`);
    if (l !== 0) { ids.add(l); fg++; }
  }
  const bg = n - fg;
  const wBg = bg > 0 ? n / (2 * bg) : 1, wFg = fg > 0 ? n / (2 * fg) : 1;
  const d1 = new Float64Array(n).fill(Infinity), d2 = new Float64Array(n).fill(Infinity);
  if (ids.size >= 2 && w0 > 0) {
    const mask = new Uint8Array(n);
    for (const id of [...ids].sort((a, b) => a - b)) {
      for (let i = 0; i < n; i++) mask[i] = labels[i] === id ? 1 : 0;
      const d = edt(mask, shape, options.spacing);
      for (let i = 0; i < n; i++) {
        const v = d[i];
        if (v < d1[i]) { d2[i] = d1[i]; d1[i] = v; } else if (v < d2[i]) d2[i] = v;
      }
    }
  }
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (labels[i] !== 0) { out[i] = wFg; continue; }
    const s = d1[i] + d2[i];
    out[i] = wBg + (s === Infinity ? 0 : w0 * Math.exp(-(s * s) / (2 * sigma * sigma)));
  }
  return out;
}
