/**
 * Prefetching batch loader (Node): a worker_threads Worker runs `sampleBatch` on its own copy of the data and an Rng
 * started from the state passed in, answering requests strictly in order, so batch k is the same as the k-th batch
 * of a `SyncSampler` with that state whatever the timing. `prefetch` batches are kept in flight.
 */
import { Worker } from 'node:worker_threads';
import type { Rng } from '../core/rng.js';
import type { Patch } from './patches.js';
import type { Batch, BatchConfig } from './sampler.js';

export class PrefetchLoader {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (b: Batch) => void; reject: (e: Error) => void }>();
  private readonly queue: Promise<Batch>[] = [];
  private nextId = 0;
  private closed = false;
  private failure: Error | undefined;

  /** Starts the worker; `rng`'s current state seeds it (the caller's Rng is not advanced). */
  constructor(sources: Patch[], cfg: BatchConfig, rng: Rng, readonly prefetch = 2, names?: string[]) {
    const workerData = { sources, cfg, state: rng.state(), names };
    if (import.meta.url.endsWith('.ts')) {
      // Running from TypeScript sources (tests, tsx): register tsx's loader in the worker, then load the .ts entry.
      const entry = new URL('./loader-worker.ts', import.meta.url).href;
      const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
      this.worker = new Worker(boot, { eval: true, workerData, execArgv: [] });
    } else {
      this.worker = new Worker(new URL('./loader-worker.js', import.meta.url), { workerData });
    }
    this.worker.on('message', (m: { id: number; batch?: Batch; error?: string }) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.error !== undefined) p?.reject(new Error(m.error)); else p?.resolve(m.batch!);
    });
    const die = (e: Error) => {
      this.failure ??= e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    this.worker.on('error', die);
    this.worker.on('exit', (code) => { if (!this.closed) die(new Error(`PrefetchLoader: worker exited with code ${code}`)); });
    for (let i = 0; i < Math.max(1, prefetch); i++) this.request();
  }

  private request(): void {
    const id = this.nextId++;
    const p = new Promise<Batch>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.pending.set(id, { resolve, reject });
    });
    p.catch(() => undefined); // surfaced by next()
    this.queue.push(p);
    this.worker.postMessage({ id });
  }

  /** The next batch, in seed order; asks the worker for one more so `prefetch` stay in flight. */
  async next(): Promise<Batch> {
    if (this.closed) throw new Error('PrefetchLoader: next() after close()');
    const p = this.queue.shift()!;
    this.request();
    return p;
  }

  /** Stops the worker. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.worker.terminate();
  }
}

/** Runs `steps` iterations of `train(batch)` fed by `loader` and reports milliseconds spent waiting for data vs total. */
export async function measureLoading(loader: { next(): Promise<Batch> }, steps: number, train: (b: Batch) => unknown | Promise<unknown>): Promise<{ waitMs: number; totalMs: number; waitFraction: number }> {
  let waitMs = 0;
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) {
    const w = performance.now();
    const b = await loader.next();
    waitMs += performance.now() - w;
    await train(b);
  }
  const totalMs = performance.now() - t0;
  return { waitMs, totalMs, waitFraction: totalMs > 0 ? waitMs / totalMs : 0 };
}
