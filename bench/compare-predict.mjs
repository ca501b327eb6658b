// Sliding-window prediction, PyTorch (bench/torch_sliding_window.py) beside unet-ts (bench/predict.ts), in the same
// run on the same machine: a 512×512 ISBI-2012 slice with seed2d base 64 and a whole MSD hippocampus volume with a
// base-16 3-D U-Net, 50% overlap, Gaussian blending. Prints a Markdown table with the ratio torch / ours.
// Usage: node bench/compare-predict.mjs [--reps 5] [--data ../shared/data]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (n, d) => { const i = process.argv.indexOf(n); return i >= 0 ? process.argv[i + 1] : d; };
const reps = arg('--reps', '5');
const data = arg('--data', join(root, '..', 'shared', 'data'));
const cases = [
  ['isbi', join(data, 'isbi2012-em-membranes', 'images', '7.png'), 'seed2d base 64, 256×256 windows'],
  ['hippocampus', join(data, 'msd-hippocampus', 'images', 'hippocampus_004.nii.gz'), 'seed3d base 16, 48×64×48 window'],
];
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop());
};
console.log('| case | model, windows | PyTorch ms (median) | unet-ts ms (median) | torch / ours |');
console.log('|---|---|---|---|---|');
for (const [name, image, what] of cases) {
  if (!existsSync(image)) { console.error(`skipping ${name}: no ${image}`); continue; }
  const torch = run('/usr/bin/python3', [join(root, 'bench', 'torch_sliding_window.py'), '--case', name, '--image', image, '--reps', reps]);
  const ours = run(process.execPath, ['--import', 'tsx', join(root, 'bench', 'predict.ts'), '--case', name, '--image', image, '--reps', reps]);
  if (torch.windows !== ours.windows) throw new Error(`${name}: PyTorch ran ${torch.windows} windows, unet-ts ${ours.windows}`);
  console.log(`| ${name} ${ours.shape.join('×')} | ${what}, ${ours.windows} window(s) | ${torch.ms_median} | ${ours.ms_median} (${ours.backend}) | **${(torch.ms_median / ours.ms_median).toFixed(2)}** |`);
}
