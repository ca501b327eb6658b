// Worker side of PrefetchLoader: receives the sources, config and Rng state once, then answers each 'next' in order.
import { parentPort, workerData } from 'node:worker_threads';
import { Rng } from '../core/rng.js';
import { sampleBatch, type BatchConfig } from './sampler.js';
import type { Patch } from './patches.js';

const { sources, cfg, state, names } = workerData as { sources: Patch[]; cfg: BatchConfig; state: [number, number, number | null]; names?: string[] };
const rng = Rng.fromState(state);
parentPort!.on('message', (msg: { id: number }) => {
  try {
    const b = sampleBatch(sources, cfg, rng, names);
    parentPort!.postMessage({ id: msg.id, batch: { ...b, rngAfter: rng.state() } }, [b.x.buffer as ArrayBuffer, b.y.buffer as ArrayBuffer]);
  } catch (e) {
    parentPort!.postMessage({ id: msg.id, error: (e as Error).message });
  }
});
