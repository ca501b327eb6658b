/** Trainer batch sources over the data pipeline: prefetched in a worker (Node) or drawn in-thread. */
import { Rng } from '../core/rng.js';
import type { Patch } from '../data/patches.js';
import { sampleBatch, type BatchConfig, type Batch as DataBatch } from '../data/sampler.js';
import { PrefetchLoader } from '../data/loader.js';
import { SyncBatchSource, type Batch, type BatchSource } from './trainer.js';

// Plain loops: Float32Array.from with a map function took ~45 ms per 4×256² batch on the training thread.
function toTrainerBatch(b: DataBatch): Batch {
  const yShape = b.shape.slice(0, -1);
  const n = b.y.length, src = b.y, y = new Float32Array(n);
  let ignored = false;
  for (let i = 0; i < n; i++) {
    const v = src[i];
    if (v < 0) ignored = true;
    y[i] = v < 0 ? 0 : v;
  }
  let w: Float32Array | undefined;
  if (ignored) {
    w = new Float32Array(n);
    for (let i = 0; i < n; i++) w[i] = src[i] < 0 ? 0 : 1;
  }
  return { x: b.x, xShape: b.shape, y, yShape, w };
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
