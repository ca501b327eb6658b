// Runs each reference workload with PyTorch (../shared/reference/torch_unet.py, Debian's python3-torch) and with
// `unet bench`, in the same run on the same machine, and prints a Markdown table with the ratio torch/ours.
// Usage: node bench/compare.mjs [--reps 5] [--precision fp32|bf16] [--workloads a,b] [--mem]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (n, d) => { const i = process.argv.indexOf(n); return i >= 0 ? process.argv[i + 1] : d; };
const reps = arg('--reps', '5');
const precision = arg('--precision', 'fp32');
const mem = process.argv.includes('--mem');
const all = ['unet2d-b64-256-train', 'unet2d-b64-256-infer', 'unet2d-b16-128x4-train', 'unet3d-b16-64-train'];
const names = arg('--workloads', all.join(',')).split(',');
const torchScript = join(root, '..', 'shared', 'reference', 'torch_unet.py');
if (!existsSync(torchScript)) { console.error(`missing ${torchScript}`); process.exit(1); }

/** Runs a command (under /usr/bin/time -v with --mem) and returns its last JSON line and peak RSS in MB. */
function run(cmd, args) {
  const full = mem ? ['/usr/bin/time', ['-v', cmd, ...args]] : [cmd, args];
  const r = spawnSync(full[0], full[1], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  const rss = mem ? Number((r.stderr.match(/Maximum resident set size \(kbytes\): (\d+)/) ?? [])[1]) / 1024 : undefined;
  return { ...JSON.parse(line), rss };
}

const rows = [];
for (const w of names) {
  const torch = run('/usr/bin/python3', [torchScript, '--workload', w, '--reps', reps, '--json']);
  const ours = run(process.execPath, [join(root, 'bin', 'unet.js'), 'bench', '--workload', w, '--reps', reps, '--precision', precision, '--json']);
  rows.push({ w, torch, ours });
  console.error(`${w}: torch ${torch.ms_median} ms, ours ${ours.ms_median} ms`);
}
console.log(`| workload | PyTorch ms (median) | unet-ts ${precision} ms (median) | torch / ours |${mem ? ' PyTorch peak RSS MB | unet-ts peak RSS MB |' : ''}`);
console.log(`|---|---|---|---|${mem ? '---|---|' : ''}`);
for (const { w, torch, ours } of rows) {
  console.log(`| ${w} | ${torch.ms_median} | ${ours.ms_median} (${ours.backend}) | **${(torch.ms_median / ours.ms_median).toFixed(2)}** |${mem ? ` ${torch.rss.toFixed(0)} | ${ours.rss.toFixed(0)} |` : ''}`);
}
