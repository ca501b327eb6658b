/**
 * Random patches of 2-D or 3-D channels-last data (Float32Array image [...spatial, C] + Int32Array label [...spatial]),
 * with optional foreground forcing and centred zero padding where the data is smaller than the patch.
 */
import type { Rng } from '../core/rng.js';

/** An image/label pair with explicit shape: image is [...shape, channels], label is [...shape]. */
export interface Patch {
  image: Float32Array;
  label: Int32Array;
  shape: number[];
  channels: number;
}

export interface PatchOptions {
  /** Patch spatial size, same rank as the data. */
  size: number[];
  /** Fraction of patches forced to contain a foreground voxel (label > 0); default 0.33. */
  foregroundFraction?: number;
  /** Zero-pad (label 0), centred, on axes where the data is smaller than the patch; default true. Else throw. */
  pad?: boolean;
  /** The file the data came from, for errors. */
  source?: string;
  /** Force (true) or forbid (false) the foreground placement instead of drawing it with `foregroundFraction`. */
  force?: boolean;
}

const prod = (a: number[]) => a.reduce((x, y) => x * y, 1);

/** Copies the box starting at `start` (may be negative or overrun: those voxels get image 0, label 0). */
export function cropPatch(src: Patch, start: number[], size: number[]): Patch {
  const { shape, channels: C } = src;
  const d = shape.length;
  const n = prod(size);
  const image = new Float32Array(n * C), label = new Int32Array(n);
  const coord = new Array<number>(d).fill(0);
  for (let o = 0; o < n; o++) {
    let rem = o, idx = 0, inside = true;
    for (let a = d - 1; a >= 0; a--) { coord[a] = rem % size[a]; rem = (rem - coord[a]) / size[a]; }
    for (let a = 0; a < d; a++) {
      const s = start[a] + coord[a];
      if (s < 0 || s >= shape[a]) { inside = false; break; }
      idx = idx * shape[a] + s;
    }
    if (!inside) continue;
    label[o] = src.label[idx];
    for (let c = 0; c < C; c++) image[o * C + c] = src.image[idx * C + c];
  }
  return { image, label, shape: [...size], channels: C };
}

/** A random patch of `opts.size`; with probability foregroundFraction it is placed around a random foreground voxel. */
export function randomPatch(src: Patch, opts: PatchOptions, rng: Rng): Patch {
  const { shape } = src, size = opts.size;
  const where = opts.source ?? 'data';
  if (size.length !== shape.length) throw new Error(`${where}: patch size ${size.join('×')} has rank ${size.length}, data ${shape.join('×')} has rank ${shape.length}; rule: equal ranks`);
  const pad = opts.pad ?? true;
  for (let a = 0; a < shape.length; a++) {
    if (shape[a] < size[a] && !pad) {
      throw new Error(`${where}: size ${shape.join('×')} is smaller than patch ${size.join('×')} on axis ${a} (${shape[a]} < ${size[a]}); rule: data ≥ patch on every axis when padding is off`);
    }
  }
  const frac = opts.foregroundFraction ?? 0.33;
  const draw = rng.next() < frac;
  const force = opts.force ?? draw;
  let centre: number[] | undefined;
  if (force) {
    let count = 0;
    for (let i = 0; i < src.label.length; i++) if (src.label[i] > 0) count++;
    if (count > 0) {
      let k = rng.int(count), i = 0;
      for (; i < src.label.length; i++) if (src.label[i] > 0 && k-- === 0) break;
      centre = [];
      for (let a = shape.length - 1; a >= 0; a--) { centre[a] = i % shape[a]; i = (i - centre[a]) / shape[a]; }
    }
  }
  const start = shape.map((n, a) => {
    if (n <= size[a]) return -Math.floor((size[a] - n) / 2);
    const hi = n - size[a];
    if (centre) return Math.min(hi, Math.max(0, centre[a] - rng.int(size[a])));
    return rng.int(hi + 1);
  });
  return cropPatch(src, start, size);
}
