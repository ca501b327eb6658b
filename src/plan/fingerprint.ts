/**
 * A dataset's fingerprint (nnU-Net v2's DatasetFingerprintExtractor), one case at a time: `FingerprintBuilder.add`
 * takes an image and its label, keeps only what the fingerprint needs (spacing, cropped shape, a seeded sample of
 * foreground intensities, label counts) and lets the volumes go; `finish` reduces.
 *
 * Cropping (crop_to_nonzero): the bounding box of the voxels where any channel is nonzero (filling holes, as nnU-Net
 * does first, does not change a bounding box). Foreground intensities: per case `samplesPerCase` voxels with label > 0
 * drawn with replacement from a seeded generator (nnU-Net draws 10e7 / cases per case; 10,000 here keeps memory
 * bounded), then over all samples: mean, median, std, min, max and the 0.5 / 99.5 percentiles (linear, as
 * np.percentile).
 */
import { Rng } from '../core/rng.js';
import type { Volume } from '../io/volume.js';
import type { Fingerprint, IntensityStats } from './types.js';
import { percentile } from './spacing.js';

export interface FingerprintOptions {
  /** Channel names (one per image channel); 'CT' selects CT normalisation. Default 'image' for every channel. */
  channelNames?: string[];
  /** The label values the labels may hold; others are refused. Default: any integer ≥ 0. When given, they are the
   *  dataset's classes (nnU-Net counts dataset.json's labels), present in the files or not. */
  labels?: number[];
  /** Label value → class (e.g. {0: 0, 255: 1}), applied after the `labels` check; values it lacks are refused. */
  labelMap?: Record<number, number>;
  /** Foreground voxels sampled per case. Default 10000. */
  samplesPerCase?: number;
  /** Seed of the sampling. Default 1234 (nnU-Net's). */
  seed?: number;
}

/** Bounding box [lo, hi) per axis of the voxels where any channel is nonzero (the whole image when none is). */
export function nonzeroBox(v: Volume): { lo: number[]; hi: number[] } {
  const shape = v.shape, c = v.channels, dims = shape.length;
  const lo = shape.map((s) => s), hi = shape.map(() => 0);
  const strides = shape.map((_, a) => shape.slice(a + 1).reduce((x, y) => x * y, 1));
  const n = v.data.length / c;
  let any = false;
  for (let i = 0; i < n; i++) {
    let nz = false;
    for (let k = 0; k < c && !nz; k++) nz = v.data[i * c + k] !== 0;
    if (!nz) continue;
    any = true;
    for (let a = 0, r = i; a < dims; a++) {
      const x = Math.floor(r / strides[a]);
      r -= x * strides[a];
      if (x < lo[a]) lo[a] = x;
      if (x + 1 > hi[a]) hi[a] = x + 1;
    }
  }
  return any ? { lo, hi } : { lo: shape.map(() => 0), hi: [...shape] };
}

/** A NIfTI-1 volume's pixdim[0..7] as its header holds them (its own byte order), before the reader's 0 → 1 mm; else undefined. */
export function niftiPixdims(v: Volume): number[] | undefined {
  const h = v.niftiHeader;
  if (!h || h.length < 108) return undefined;
  const dv = new DataView(h.buffer, h.byteOffset, h.length);
  const le = dv.getInt32(0, true) === 348;
  return Array.from({ length: 8 }, (_, k) => dv.getFloat32(76 + 4 * k, le));
}

/** Whether flat voxel index i lies inside the box. */
function boxTest(shape: readonly number[], box: { lo: number[]; hi: number[] }): (i: number) => boolean {
  const strides = shape.map((_, a) => shape.slice(a + 1).reduce((x, y) => x * y, 1));
  if (box.lo.every((l) => l === 0) && box.hi.every((h, a) => h === shape[a])) return () => true;
  return (i) => {
    for (let a = 0, r = i; a < shape.length; a++) {
      const x = Math.floor(r / strides[a]);
      r -= x * strides[a];
      if (x < box.lo[a] || x >= box.hi[a]) return false;
    }
    return true;
  };
}

function stats(values: Float64Array): IntensityStats {
  if (values.length === 0) return { mean: NaN, median: NaN, std: NaN, min: NaN, max: NaN, percentile00_5: NaN, percentile99_5: NaN };
  let s = 0, min = Infinity, max = -Infinity;
  for (const v of values) { s += v; if (v < min) min = v; if (v > max) max = v; }
  const mean = s / values.length;
  let q = 0;
  for (const v of values) q += (v - mean) ** 2;
  const arr = Array.from(values);
  return { mean, median: percentile(arr, 50), std: Math.sqrt(q / values.length), min, max, percentile00_5: percentile(arr, 0.5), percentile99_5: percentile(arr, 99.5) };
}

export class FingerprintBuilder {
  private readonly rng: Rng;
  private readonly samplesPerCase: number;
  private dims: 2 | 3 | undefined;
  private channels: number | undefined;
  private firstSource = '';
  private readonly cases: string[] = [];
  private readonly spacings: number[][] = [];
  private readonly shapes: number[][] = [];
  private readonly relative: number[] = [];
  private readonly samples: number[][] = [];
  private readonly counts = new Map<number, number>();
  private total = 0;

  constructor(private readonly options: FingerprintOptions = {}) {
    this.samplesPerCase = options.samplesPerCase ?? 10000;
    this.rng = new Rng(options.seed ?? 1234);
  }

  /** Adds one case; refuses mixed dimensionality or channels, bad spacing, geometry or label values, naming the file. */
  add(name: string, image: Volume, label: Volume): void {
    const dims = image.shape.length;
    if (dims !== 2 && dims !== 3) throw new Error(`${image.source}: ${dims} spatial axes — rule: images are 2-D or 3-D`);
    if (this.dims === undefined) {
      this.dims = dims;
      this.channels = image.channels;
      this.firstSource = image.source;
      const names = this.options.channelNames;
      if (names && names.length !== image.channels) throw new Error(`${image.source}: ${image.channels} channel(s), but ${names.length} channel name(s) were given (${names.join(', ')})`);
      for (let k = 0; k < image.channels; k++) this.samples.push([]);
    } else if (dims !== this.dims) {
      throw new Error(`${image.source}: a ${dims}-D ${dims === 2 ? 'image' : 'volume'}, but ${this.firstSource} is ${this.dims}-D — rule: one dimensionality per dataset`);
    } else if (image.channels !== this.channels) {
      throw new Error(`${image.source}: ${image.channels} channel(s), ${this.firstSource} has ${this.channels} — rule: one channel count per dataset`);
    }
    if (!image.spacing || image.spacing.length !== dims || !image.spacing.every((s) => Number.isFinite(s) && s > 0)) {
      throw new Error(`${image.source}: spacing [${image.spacing}] — rule: a positive, finite voxel size per axis`);
    }
    const pixdim = niftiPixdims(image);
    if (pixdim && pixdim.slice(1, dims + 1).some((d) => d === 0)) {
      throw new Error(`${image.source}: NIfTI pixdim[1..${dims}] = ${pixdim.slice(1, dims + 1).join(', ')} — missing spacing (a 0 reads as 1 mm); rule: the planner needs every case's voxel size, set pixdim in the file`);
    }
    if (label.shape.join() !== image.shape.join() || label.channels !== 1) {
      throw new Error(`${label.source}: label ${label.shape.join('×')} × ${label.channels} channel(s) for image ${image.source} ${image.shape.join('×')} — rule: one channel on the image's grid`);
    }
    const allowed = this.options.labels ? new Set(this.options.labels) : undefined;
    const map = this.options.labelMap;
    const c = image.channels, n = label.data.length;
    const box = nonzeroBox(image);
    const inBox = boxTest(image.shape, box);
    // Foreground = label > 0 inside the crop box (nnU-Net samples the cropped segmentation). Pass 1 checks and counts.
    let nfg = 0;
    for (let i = 0; i < n; i++) {
      const raw = label.data[i];
      if (!Number.isInteger(raw) || raw < 0 || (allowed && !allowed.has(raw))) {
        throw new Error(`${label.source}: label value ${raw} at voxel ${i} — rule: ${allowed ? `one of the declared labels ${[...allowed].join(', ')}` : 'integers ≥ 0'}`);
      }
      let l = raw;
      if (map) {
        if (!Object.prototype.hasOwnProperty.call(map, raw)) throw new Error(`${label.source}: label value ${raw} at voxel ${i} — rule: one of the label map's values ${Object.keys(map).join(', ')}`);
        l = map[raw];
      }
      this.counts.set(l, (this.counts.get(l) ?? 0) + 1);
      if (l > 0 && inBox(i)) nfg++;
    }
    this.total += n;
    const cropped = box.hi.map((h, a) => h - box.lo[a]);
    this.cases.push(name);
    this.spacings.push([...image.spacing]);
    this.shapes.push(cropped);
    this.relative.push(cropped.reduce((x, y) => x * y, 1) / image.shape.reduce((x, y) => x * y, 1));
    if (nfg) {
      // Draw ranks among the foreground voxels (with replacement), then one sweep maps ranks to voxels: memory is
      // O(samples), not O(foreground voxels).
      const m = this.samplesPerCase;
      const ranks = new Float64Array(m);
      for (let s = 0; s < m; s++) ranks[s] = this.rng.int(nfg);
      const order = Array.from({ length: m }, (_, s) => s).sort((a, b) => ranks[a] - ranks[b]);
      const picked = new Int32Array(m);
      let rank = 0, o = 0;
      for (let i = 0; i < n && o < m; i++) {
        const raw = label.data[i];
        if (!((map ? map[raw] : raw) > 0 && inBox(i))) continue;
        while (o < m && ranks[order[o]] === rank) picked[order[o++]] = i;
        rank++;
      }
      for (let s = 0; s < m; s++) for (let k = 0; k < c; k++) this.samples[k].push(image.data[picked[s] * c + k]);
    }
  }

  finish(): Fingerprint {
    if (!this.cases.length) throw new Error('fingerprint: no cases');
    const names = this.options.channelNames ?? Array.from({ length: this.channels! }, () => 'image');
    const found = [...this.counts.keys()];
    const declared = this.options.labels && !this.options.labelMap ? this.options.labels : this.options.labelMap ? Object.values(this.options.labelMap) : [];
    const labels = [...new Set([...found, ...declared])].sort((a, b) => a - b);
    return {
      spatialDims: this.dims!,
      cases: [...this.cases],
      spacings: this.spacings,
      shapesAfterCrop: this.shapes,
      medianRelativeSizeAfterCropping: percentile(this.relative, 50),
      channels: this.samples.map((s, k) => ({ name: names[k], foreground: stats(Float64Array.from(s)) })),
      labels,
      classFrequencies: Object.fromEntries(labels.map((l) => [String(l), (this.counts.get(l) ?? 0) / this.total])),
      samplesPerCase: this.samplesPerCase,
      seed: this.options.seed ?? 1234,
    };
  }
}
