// Runs each reference workload with PyTorch (../shared/reference/torch_unet.py, Debian's python3-torch) and with
// `unet bench`, in the same run on the same machine, and prints a Markdown table with the ratio torch/ours.
//
// Usage: node bench/compare.mjs [--reps 5] [--precision fp32|bf16] [--workloads a,b] [--mem]
//                               [--isa avx2,avx512_core,avx512_core_bf16,avx512_core_amx,native] [--threads 1,2]
//                               [--rounds 3]
//
// --rounds runs each engine that many times per row, alternating which goes first, and reports the median of the
// runs' medians: a shared machine's bursts of load (one run of 5 repetitions slowed 2.6× was seen here) then spoil
// one round, not the ratio.
// --isa runs every workload once per instruction-set cap, for both engines, on this one machine: oneDNN's kernels (ours
// and PyTorch's) are capped with ONEDNN_MAX_CPU_ISA (and DNNL_MAX_CPU_ISA, its older name), PyTorch's own kernels
// with ATEN_CPU_CAPABILITY (avx2 under AVX2 caps, avx512 above), and our hand-written loops (BatchNorm, ReLU, pooling,
// resizing, Adam; built with -march=native) come from a variant of the addon built for x86-64-v3 (AVX2 + FMA,
// `node scripts/build-native.mjs --march x86-64-v3`, built here on first use) whenever the cap is below AVX-512.
// A cap the CPU lacks is reported as skipped, never emulated upward. `native` is no cap at all (each engine's own
// choice; PyTorch then also gets ATEN_CPU_CAPABILITY=avx512 where the CPU has it, its faster setting here).
// --threads runs each thread count in turn (UNET_THREADS for us, torch_unet.py --threads for PyTorch).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AVX512_CORE_FLAGS, cpuFlags, isaAddon } from '../scripts/isa.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (n, d) => { const i = process.argv.indexOf(n); return i >= 0 ? process.argv[i + 1] : d; };
const reps = arg('--reps', '5');
const rounds = Number(arg('--rounds', '1'));
if (!Number.isInteger(rounds) || rounds < 1) { console.error(`--rounds: ${rounds} is not a positive integer`); process.exit(1); }
const precision = arg('--precision', 'fp32');
const mem = process.argv.includes('--mem');
const all = ['unet2d-b64-256-train', 'unet2d-b64-256-infer', 'unet2d-b16-128x4-train', 'unet3d-b16-64-train'];
const names = arg('--workloads', all.join(',')).split(',');
const isas = arg('--isa', 'native').split(',');
const threadCounts = arg('--threads', String(cpus().length)).split(',').map(Number);
const torchScript = join(root, '..', 'shared', 'reference', 'torch_unet.py');
if (!existsSync(torchScript)) { console.error(`missing ${torchScript}`); process.exit(1); }
for (const t of threadCounts) if (!Number.isInteger(t) || t < 1) { console.error(`--threads: ${t} is not a positive integer`); process.exit(1); }

// The caps oneDNN knows, lowest first, and the CPU flags each needs.
const CAPS = {
  avx2: { needs: ['avx2', 'fma'], aten: 'avx2', avx512: false },
  avx512_core: { needs: AVX512_CORE_FLAGS, aten: 'avx512', avx512: true },
  avx512_core_vnni: { needs: [...AVX512_CORE_FLAGS, 'avx512_vnni'], aten: 'avx512', avx512: true },
  avx512_core_bf16: { needs: [...AVX512_CORE_FLAGS, 'avx512_vnni', 'avx512_bf16'], aten: 'avx512', avx512: true },
  avx512_core_amx: { needs: [...AVX512_CORE_FLAGS, 'avx512_bf16', 'amx_tile', 'amx_bf16'], aten: 'avx512', avx512: true },
};
const flags = cpuFlags();
const cpuModel = (readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:(.*)$/m) ?? ['', '?'])[1].trim();
const cpuHasAvx512 = CAPS.avx512_core.needs.every((f) => flags.has(f));
for (const isa of isas) if (isa !== 'native' && !(isa in CAPS)) { console.error(`--isa ${isa}: expected native or one of ${Object.keys(CAPS).join(', ')}`); process.exit(1); }

/** Runs a command (under /usr/bin/time -v with --mem) and returns its last JSON line and peak RSS in MB. */
function run(cmd, args, env) {
  const full = mem ? ['/usr/bin/time', ['-v', cmd, ...args]] : [cmd, args];
  const r = spawnSync(full[0], full[1], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  const rss = mem ? Number((r.stderr.match(/Maximum resident set size \(kbytes\): (\d+)/) ?? [])[1]) / 1024 : undefined;
  return { ...JSON.parse(line), rss };
}

/** The run with the median time, with the fastest repetition of all runs (ms_min) and the largest peak RSS. */
function medianRun(runs) {
  const sorted = [...runs].sort((a, b) => a.ms_median - b.ms_median);
  const m = sorted[Math.floor((sorted.length - 1) / 2)];
  return { ...m, ms_min: Math.min(...runs.map((r) => r.ms_min)), rss: mem ? Math.max(...runs.map((r) => r.rss)) : undefined };
}

/** The AVX2 build of the addon (for caps below AVX-512 on an AVX-512 CPU). */
function avx2Addon() {
  const p = isaAddon('x86-64-v3');
  if (!p) throw new Error('could not build the x86-64-v3 addon (node scripts/build-native.mjs --march x86-64-v3)');
  return p;
}

/** The environments of both engines under one cap. */
function envsFor(isa) {
  const base = { ONEDNN_VERBOSE: '0', DNNL_VERBOSE: '0' };
  if (isa === 'native') return { torch: { ...base, ...(cpuHasAvx512 ? { ATEN_CPU_CAPABILITY: 'avx512' } : {}) }, ours: base };
  const c = CAPS[isa];
  const cap = { ...base, ONEDNN_MAX_CPU_ISA: isa.toUpperCase(), DNNL_MAX_CPU_ISA: isa.toUpperCase() };
  return { torch: { ...cap, ATEN_CPU_CAPABILITY: c.aten }, ours: { ...cap, ...(!c.avx512 && cpuHasAvx512 ? { UNET_NATIVE_ADDON: avx2Addon() } : {}) } };
}

console.log(`CPU: ${cpuModel}, ${cpus().length} logical cores; flags: ${['avx2', 'avx512f', 'avx512_vnni', 'avx512_bf16', 'amx_tile'].filter((f) => flags.has(f)).join(' ')}`);
for (const isa of isas) {
  if (isa !== 'native' && !CAPS[isa].needs.every((f) => flags.has(f))) {
    console.log(`\n### ISA ${isa}: skipped (this CPU lacks ${CAPS[isa].needs.filter((f) => !flags.has(f)).join(', ')})`);
    continue;
  }
  const env = envsFor(isa);
  for (const threads of threadCounts) {
    const rows = [];
    for (const w of names) {
      const runTorch = () => run('/usr/bin/python3', [torchScript, '--workload', w, '--reps', reps, '--threads', String(threads), '--json'], env.torch);
      const runOurs = () => run(process.execPath, [join(root, 'bin', 'unet.js'), 'bench', '--workload', w, '--reps', reps, '--precision', precision, '--threads', String(threads), '--json'], env.ours);
      const ts = [], os = [];
      for (let r = 0; r < rounds; r++) {
        if (r % 2 === 0) { ts.push(runTorch()); os.push(runOurs()); } else { os.push(runOurs()); ts.push(runTorch()); }
      }
      const torch = medianRun(ts), ours = medianRun(os);
      rows.push({ w, torch, ours });
      console.error(`[${isa}, ${threads} threads] ${w}: torch ${torch.ms_median} ms, ours ${ours.ms_median} ms (isa ${ours.isa ?? '?'})`);
    }
    const ourIsa = rows[0]?.ours.isa ?? '?';
    console.log(`\n### ISA cap ${isa} (oneDNN runs ${ourIsa}), ${threads} thread${threads > 1 ? 's' : ''}${env.ours.UNET_NATIVE_ADDON ? ', unet-ts addon built for x86-64-v3' : ''}; ${reps} repetitions, median of ${rounds} round${rounds > 1 ? 's' : ''}`);
    console.log(`| workload | PyTorch ms (median) | unet-ts ${precision} ms (median) | torch / ours | fastest step: torch / ours |${mem ? ' PyTorch peak RSS MB | unet-ts peak RSS MB |' : ''}`);
    console.log(`|---|---|---|---|---|${mem ? '---|---|' : ''}`);
    for (const { w, torch, ours } of rows) {
      console.log(`| ${w} | ${torch.ms_median} | ${ours.ms_median} (${ours.backend}) | **${(torch.ms_median / ours.ms_median).toFixed(2)}** | ${torch.ms_min} / ${ours.ms_min} = ${(torch.ms_min / ours.ms_min).toFixed(2)} |${mem ? ` ${torch.rss.toFixed(0)} | ${ours.rss.toFixed(0)} |` : ''}`);
    }
  }
}
