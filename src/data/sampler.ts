/** Synchronous batch sampling (patch + augmentation per item), the code the prefetching loader's worker runs. */
import type { Rng } from '../core/rng.js';
import type { Sample } from './types.js';
import { randomPatch, type Patch, type PatchOptions } from './patches.js';
import { augment, type AugmentOptions } from './augment.js';

export interface BatchConfig {
  batchSize: number;
  patch: PatchOptions;
  augment?: AugmentOptions;
  /**
   * nnU-Net's foreground oversampling: the last round(B·f) items of every batch are centred on a random foreground
   * voxel (label > 0) and the others placed uniformly (items b ≥ round(B·(1 − f))), instead of each item drawing
   * with `patch.foregroundFraction`. Default none.
   */
  foregroundPerBatch?: number;
}

/** A batch: x is [B, ...patch, C], y is [B, ...patch]; `shape` is x's shape. */
export interface Batch {
  x: Float32Array;
  y: Int32Array;
  shape: number[];
  /** The sampler's RNG state right after drawing this batch (set by the prefetching loader, for resume). */
  rngAfter?: [number, number, number | null];
}

/** Sample → Patch (the image's data, label and shape). */
export function sampleToPatch(s: Sample): Patch {
  return { image: s.image.data, label: s.label, shape: s.image.shape, channels: s.image.channels };
}

const withForeground = new WeakMap<Patch[], number[]>();

/** Indices of the sources whose label holds a voxel > 0 (computed once per source list). */
function foregroundSources(sources: Patch[]): number[] {
  let idx = withForeground.get(sources);
  if (!idx) {
    idx = sources.flatMap((p, i) => (p.label.some((v) => v > 0) ? [i] : []));
    withForeground.set(sources, idx);
  }
  return idx;
}

/** Draws one batch: for each item a random source, a random patch, then augmentation, all from `rng` in order. */
export function sampleBatch(sources: Patch[], cfg: BatchConfig, rng: Rng, names?: string[]): Batch {
  if (sources.length === 0) throw new Error('sampleBatch: no sources; rule: at least one sample');
  const items: Patch[] = [];
  for (let b = 0; b < cfg.batchSize; b++) {
    const force = cfg.foregroundPerBatch === undefined ? undefined : b >= Math.round(cfg.batchSize * (1 - cfg.foregroundPerBatch));
    // an oversampled item draws among the sources that hold foreground (nnU-Net's 2-D loader picks a slice holding
    // the class; with every source holding some, the same draw as any item's)
    const fg = force ? foregroundSources(sources) : undefined;
    const k = fg && fg.length ? fg[rng.int(fg.length)] : rng.int(sources.length);
    const p = randomPatch(sources[k], { ...cfg.patch, source: names?.[k] ?? cfg.patch.source, force }, rng);
    items.push(cfg.augment ? augment(p, cfg.augment, rng) : p);
  }
  const vox = items[0].label.length, C = items[0].channels;
  const x = new Float32Array(cfg.batchSize * vox * C), y = new Int32Array(cfg.batchSize * vox);
  items.forEach((p, b) => { x.set(p.image, b * vox * C); y.set(p.label, b * vox); });
  return { x, y, shape: [cfg.batchSize, ...items[0].shape, C] };
}

/** Batches from a fixed seed, one after another, on this thread (the reference the loader must match). */
export class SyncSampler {
  constructor(private readonly sources: Patch[], private readonly cfg: BatchConfig, private readonly rng: Rng, private readonly names?: string[]) {}
  /** The next batch. */
  next(): Batch {
    return sampleBatch(this.sources, this.cfg, this.rng, this.names);
  }
}
