#!/usr/bin/env node
/**
 * The family on the README's budgets: trains each architecture on ISBI-2012 (7.88 min) and the MSD hippocampus
 * (6.27 min) with `unet train --minutes …` — the budgets the U-Net's default recipe was given (PyTorch's times for
 * its reference recipe) — one run at a time, validation on the same held-back cases (seed 0 split), and prints a
 * Markdown table of iterations, seconds, median seconds per step and the Dice of the kept weights.
 *
 *   node scripts/arch-table.mjs [--arch unet,attention-unet,unetpp,unetr,transunet] [--data isbi,hippocampus] [--out runs/arch-table]
 *
 * Needs ../shared/data (the real data sets). Results are appended to OUT/results.jsonl as each run ends.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { arch: { type: 'string' }, data: { type: 'string' }, out: { type: 'string' } } });
const archs = (values.arch ?? 'unet,attention-unet,unetpp,unetr,transunet').split(',');
const sets = (values.data ?? 'isbi,hippocampus').split(',');
const out = values.out ?? join(root, 'runs', 'arch-table');
const shared = join(root, '..', 'shared', 'data');
if (!existsSync(shared)) { console.error(`arch-table: ${shared} is missing (the real data sets)`); process.exit(1); }

const DATA = {
  isbi: { dims: 2, minutes: 7.88, args: ['--data', join(shared, 'isbi2012-em-membranes'), '--label-map', '0:0,255:1'] },
  hippocampus: { dims: 3, minutes: 6.27, args: ['--data', join(shared, 'msd-hippocampus')] },
};

/** The architecture's first training preset of the data's dimensionality (from `unet summary`'s registry). */
function presetFor(arch, dims) {
  const { presets } = JSON.parse(spawnSync(process.execPath, [join(root, 'bin/unet.js'), 'presets', '--json'], { encoding: 'utf8' }).stdout);
  const mine = presets.filter((p) => p.arch === arch && p.dims === dims);
  return (mine.find((p) => p.role === 'train') ?? mine[0])?.name;
}

mkdirSync(out, { recursive: true });
const rows = [];
for (const set of sets) {
  const d = DATA[set];
  for (const arch of archs) {
    const preset = presetFor(arch, d.dims);
    if (!preset) { rows.push({ set, arch, skipped: `no ${d.dims}-D preset` }); continue; }
    const dir = join(out, `${set}-${arch}`);
    const args = [join(root, 'bin/unet.js'), 'train', ...d.args, '--out', dir, '--arch', arch, '--preset', preset, '--minutes', String(d.minutes), '--seed', '0', '--json'];
    console.error(`arch-table: ${set} ${arch} (${preset}), ${d.minutes} min ...`);
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (r.status !== 0) { rows.push({ set, arch, preset, failed: r.stdout.trim().split('\n').pop() }); continue; }
    const j = JSON.parse(r.stdout.trim().split('\n').pop());
    const row = { set, arch, preset, ...j, command: `npx unet ${args.slice(1).join(' ').replaceAll(root + '/', '')}` };
    appendFileSync(join(out, 'results.jsonl'), JSON.stringify(row) + '\n');
    rows.push(row);
  }
}

const fmt = (n) => n.toLocaleString('en-US');
console.log('| data, budget | arch | preset (params) | iterations in s | s/step (median) | Dice, kept weights (per class) |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  const budget = `${r.set}, ${DATA[r.set].minutes} min`;
  if (r.skipped || r.failed) { console.log(`| ${budget} | ${r.arch} | ${r.skipped ?? `failed: ${r.failed}`} | | | |`); continue; }
  const per = Object.entries(r.final ?? {}).filter(([k]) => k.startsWith('dice_')).map(([, v]) => v.toFixed(3)).join(' / ');
  console.log(`| ${budget} | ${r.arch} | ${r.preset} (${fmt(r.params)}) | ${r.iterations} in ${r.elapsedS.toFixed(1)} | ${r.stepMedianS.toFixed(3)} | ${r.final ? r.final.score.toFixed(4) : '—'}${per.includes('/') ? ` (${per})` : ''} |`);
}
