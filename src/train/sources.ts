/** Trainer batch sources over the data pipeline: prefetched in a worker (Node) or drawn in-thread. */
import { Rng } from '../core/rng.js';
import type { Patch } from '../data/patches.js';
import { sampleBatch, type BatchConfig, type Batch as DataBatch } from '../data/sampler.js';
import { PrefetchLoader } from '../data/loader.js';
import { SyncBatchSource, type Batch, type BatchSource } from './trainer.js';

function toTrainerBatch(b: DataBatch): Batch {
  const yShape = b.shape.slice(0, -1);
  return { x: b.x, xShape: b.shape, y: Float32Array.from(b.y, (v) => (v < 0 ? 0 : v)), yShape, w: b.y.some((v) => v < 0) ? Float32Array.from(b.y, (v) => (v < 0 ? 0 : 1)) : undefined };
}

/**
 * Batches prepared by a worker thread while the model trains (so data loading does not starve it), in the exact
 * order of an in-thread sampler with the same seed; resumable from the RNG state after any consumed batch.
 * Ignored voxels (label −1) become target 0 with weight 0.
 */
export class PrefetchBatchSource implements BatchSource {
  private loader: PrefetchLoader;
  private state: [number, number, number | null];

  constructor(private readonly sources: Patch[], private readonly cfg: BatchConfig, rng: Rng, private readonly names?: string[]) {
    this.state = rng.state();
    this.loader = new PrefetchLoader(sources, cfg, rng, 2, names);
  }

  async next(): Promise<Batch> {
    const b = await this.loader.next();
    this.state = b.rngAfter!;
    return toTrainerBatch(b);
  }

  rngState(): [number, number, number | null] { return this.state; }

  restore(s: [number, number, number | null]): void {
    void this.loader.close();
    this.state = s;
    this.loader = new PrefetchLoader(this.sources, this.cfg, Rng.fromState(s), 2, this.names);
  }

  close(): Promise<void> { return this.loader.close(); }
}

/** The same batches drawn in the calling thread (browsers, tests). */
export class InlineBatchSource extends SyncBatchSource {
  constructor(sources: Patch[], cfg: BatchConfig, rng: Rng, names?: string[]) {
    super(rng, (r) => toTrainerBatch(sampleBatch(sources, cfg, r, names)), Rng.fromState);
  }
}
