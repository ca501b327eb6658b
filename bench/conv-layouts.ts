/**
 * The measurement behind the convolution layout policy (native/src/conv.cc, `blockedFor`): every convolution call of
 * one step of a workload, recorded, then replayed in the same order under each layout (`plain`: channels-last in the
 * pass; `blocked`: oneDNN's preferred blocked layout, with the reorders in and out), summed per pass. Replaying in
 * order keeps the reuse of a staged incoming gradient between the two backward passes as it is in training.
 *
 *   node --import tsx bench/conv-layouts.ts [--workload unet2d-b64-256-train] [--reps 5]
 *   ONEDNN_MAX_CPU_ISA=AVX2 node --import tsx bench/conv-layouts.ts     (the AVX2 case on an AVX-512 CPU)
 */
import { tf } from '../src/core/tf.js';
import { useBestBackend } from '../src/backends/select.js';
import { loadAddon, type ConvLayoutMode } from '../src/backends/onednn/native.js';
import { workloadStep } from './workloads.js';

const arg = (n: string, d: string) => { const i = process.argv.indexOf(n); return i >= 0 ? process.argv[i + 1] : d; };
const name = arg('--workload', 'unet2d-b64-256-train');
const reps = Number(arg('--reps', '5'));
await useBestBackend({ backend: 'onednn', precision: 'fp32' });
const addon = loadAddon().addon!;
const PASSES = { conv: 'forward', convBackwardData: 'backward-data', convBackwardWeights: 'backward-weights' } as const;
type Pass = keyof typeof PASSES;
const calls: { pass: Pass; args: unknown[] }[] = [];
const originals = Object.fromEntries(Object.keys(PASSES).map((k) => [k, addon[k] as (...a: unknown[]) => void])) as Record<Pass, (...a: unknown[]) => void>;
for (const k of Object.keys(PASSES) as Pass[]) addon[k] = (...a: unknown[]) => { calls.push({ pass: k, args: a }); return originals[k](...a); };
const { step, dispose } = workloadStep(name);
step();
calls.length = 0;
step();  // the calls of one steady-state step
for (const k of Object.keys(PASSES) as Pass[]) addon[k] = originals[k];

const info = addon.info();
console.log(`${name}: ${calls.length} convolution calls per step; oneDNN ${info.dnnl}, ISA ${info.isa}, ${info.threads} threads`);
const rows: string[] = [];
const detail = process.argv.includes('--detail');
const perCall: number[][] = [];
for (const mode of ['plain', 'blocked', 'auto'] as ConvLayoutMode[]) {
  addon.setConvLayout(mode);
  const times = calls.map(() => [] as number[]);
  for (let r = 0; r <= reps; r++) {
    calls.forEach((c, i) => {
      const t0 = performance.now();
      originals[c.pass](...c.args);
      if (r > 0) times[i].push(performance.now() - t0);  // round 0 builds the primitives
    });
  }
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  perCall.push(times.map(median));
  const sum: Record<string, number> = {};
  calls.forEach((c, i) => { sum[c.pass] = (sum[c.pass] ?? 0) + median(times[i]); });
  rows.push(`| ${mode} | ${(Object.keys(PASSES) as Pass[]).map((p) => (sum[p] ?? 0).toFixed(1)).join(' | ')} | ${Object.values(sum).reduce((a, b) => a + b, 0).toFixed(1)} |`);
}
addon.setConvLayout('auto');
console.log(`| layout | ${Object.values(PASSES).join(' ms | ')} ms | total ms |\n|---|---|---|---|---|\n${rows.join('\n')}`);
console.log(`policy in force by default: ${addon.convLayout()}`);
if (detail) {
  // x shape, filter shape → ms plain / blocked, per pass (shapes: [B, ...S, C] and [...k, Cin, Cout])
  const shapeOf = (c: (typeof calls)[number]) => c.pass === 'conv' ? `${c.args[1]} * ${c.args[3]}` : c.pass === 'convBackwardData' ? `${c.args[5]} * ${c.args[3]}` : `${c.args[1]} * ${c.args[5]}`;
  calls.forEach((c, i) => console.log(`${PASSES[c.pass].padEnd(16)} ${shapeOf(c).padEnd(32)} ${perCall[0][i].toFixed(2).padStart(8)} ${perCall[1][i].toFixed(2).padStart(8)}`));
}
dispose();
tf.disposeVariables();
