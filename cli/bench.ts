/** `unet bench`: the reference workloads, timed as torch_unet.py times them. */
import { tf } from '../src/core/tf.js';
import { useBestBackend } from '../src/backends/select.js';
import { runWorkload, workloads } from '../bench/workloads.js';

export async function bench(o: { workload: string; backend?: string; threads?: number; precision?: 'fp32' | 'bf16'; reps: number; json?: boolean }): Promise<void> {
  workloads.get(o.workload);
  if (o.backend === 'wasm' && workloads.get(o.workload).train) {
    throw new Error(`backend 'wasm' cannot run ${o.workload}: tfjs's WASM backend has no Conv2DBackpropFilter kernel, so it cannot train; use onednn or cpu, or an -infer workload`);
  }
  await useBestBackend({ backend: o.backend, threads: o.threads, precision: o.precision });
  const r = await runWorkload(o.workload, o.reps);
  if (o.precision === 'bf16') r.backend += '-bf16';
  if (o.json) console.log(JSON.stringify(r));
  else console.log(`${r.workload} on ${r.backend}: median ${r.ms_median} ms, min ${r.ms_min} ms over ${o.reps} repetitions, ${r.gflops} GFLOP/s`);
  tf.disposeVariables();
}
