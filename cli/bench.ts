/** `unet bench`: the reference workloads, timed as torch_unet.py times them. */
import { tf } from '../src/core/tf.js';
import { backendInfo, useBestBackend } from '../src/backends/select.js';
import { runWorkload, workloads } from '../bench/workloads.js';

export async function bench(o: { workload: string; backend?: string; threads?: number; precision?: 'fp32' | 'bf16'; reps: number; json?: boolean }): Promise<void> {
  workloads.get(o.workload);
  if (o.backend === 'wasm' && workloads.get(o.workload).train) {
    throw new Error(`backend 'wasm' cannot run ${o.workload}: tfjs's WASM backend has no Conv2DBackpropFilter kernel, so it cannot train; use onednn or cpu, or an -infer workload`);
  }
  await useBestBackend({ backend: o.backend, threads: o.threads, precision: o.precision });
  const r = await runWorkload(o.workload, o.reps);
  if (o.precision === 'bf16') r.backend += '-bf16';
  const info = backendInfo();  // the ISA, threads and convolution layout policy the numbers came from
  const where = { isa: info.isa, threads: info.threads, layout: info.layout };
  if (o.json) console.log(JSON.stringify({ ...r, ...where }));
  else console.log(`${r.workload} on ${r.backend}: median ${r.ms_median} ms, min ${r.ms_min} ms over ${o.reps} repetitions, ${r.gflops} GFLOP/s` +
    (where.isa !== undefined ? ` (isa ${where.isa}, ${where.threads} threads, layout ${where.layout})` : ''));
  tf.disposeVariables();
}
