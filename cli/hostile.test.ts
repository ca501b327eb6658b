/**
 * The hostile-input corpus (scripts/hostile-corpus.ts) through the CLI: every case in its own process, with a time
 * limit and a resident-memory guard, so that a hang or a blow-up fails the case instead of stalling CI. Each error
 * case must end in exit 1 with one `unet: error:` line naming the file or flag and the value, no stack trace, no run
 * or output folder left behind, no temporary file anywhere in the corpus, and every corpus file unchanged.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../src/core/testing.js';
import { readVolume } from '../src/io/readers.js';
import { encodeNifti } from '../src/io/nifti-write.js';
import { buildCorpus, corruptRuns, type HostileCase } from '../scripts/hostile-corpus.js';

/** A case's process is killed past this resident size (the issue's bound for a malformed input of ≤ 10 MB). */
const RSS_LIMIT_MB = 1024;
const work = mkdtempSync(join(tmpdir(), 'unet-hostile-'));
const corpus = join(work, 'corpus');
const run2d = join(work, 'run2d'), run3d = join(work, 'run3d');
const probe = join(work, 'rss-probe.mjs');
writeFileSync(probe, "import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => { if (process.env.UNET_RSS_OUT) writeFileSync(process.env.UNET_RSS_OUT, String(process.resourceUsage().maxRSS)); });\n");

interface Outcome { code: number | null; out: string; err: string; seconds: number; maxRssMb: number; killed?: string }

/** Runs the CLI with a time limit, polling /proc for the resident size (Linux) and killing past the limit. */
function unet(args: string[], seconds: number): Promise<Outcome> {
  const rssFile = join(work, `rss-${process.hrtime.bigint()}`);
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', probe, join(repoRoot, 'cli', 'unet.ts'), ...args], { cwd: repoRoot, env: { ...process.env, UNET_RSS_OUT: rssFile } });
    let out = '', err = '', killed: string | undefined, peak = 0;
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => { killed = `still running after ${seconds} s`; child.kill('SIGKILL'); }, seconds * 1000);
    const poll = setInterval(() => {
      try {
        const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
        peak = Math.max(peak, kb / 1024);
        if (kb / 1024 > RSS_LIMIT_MB) { killed = `resident memory ${Math.round(kb / 1024)} MB > ${RSS_LIMIT_MB} MB`; child.kill('SIGKILL'); }
      } catch { /* exited, or no /proc */ }
    }, 50);
    child.on('close', (code) => {
      clearTimeout(timer);
      clearInterval(poll);
      const reported = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) / 1024 : 0;
      resolve({ code, out, err, seconds: (performance.now() - t0) / 1000, maxRssMb: Math.max(peak, reported), killed });
    });
  });
}

/** Path → sha256 of every file under `dir` (symbolic links by their target text). */
function snapshot(dir: string, acc = new Map<string, string>()): Map<string, string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    let st;
    try { st = statSync(p); } catch { acc.set(p, 'dangling'); continue; }
    if (st.isDirectory()) snapshot(p, acc);
    else acc.set(p, createHash('sha256').update(readFileSync(p)).digest('hex'));
  }
  return acc;
}

const cases: HostileCase[] = [];

before(async () => {
  cases.push(...(await buildCorpus(corpus, repoRoot)));
  const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'cli', 'unet.ts'), ...args], { cwd: repoRoot, encoding: 'utf8' });
  const t2 = cli(['train', '--data', join(repoRoot, 'data/isbi2012/train'), '--out', run2d, '--base', '2', '--patch', '64x64', '--batch', '1', '--iterations', '2', '--label-map', '0:0,255:1', '--val-fraction', '0', '--quiet']);
  assert.equal(t2.status, 0, t2.stderr);
  const vols = join(work, 'vols');
  for (const k of ['a', 'b']) {
    for (const d of ['images', 'labels']) mkdirSync(join(vols, d), { recursive: true });
    const n = 16 * 16 * 16;
    const ball = (i: number) => ((i % 16) - 8) ** 2 + ((Math.floor(i / 16) % 16) - 8) ** 2 + (Math.floor(i / 256) - 8) ** 2 < 25;
    writeFileSync(join(vols, 'images', `${k}.nii`), encodeNifti({ data: Array.from({ length: n }, (_, i) => (ball(i) ? 180 : 40) + (i % 7)), shape: [16, 16, 16] }));
    writeFileSync(join(vols, 'labels', `${k}.nii`), encodeNifti({ data: Array.from({ length: n }, (_, i) => (ball(i) ? 1 : 0)), shape: [16, 16, 16] }));
  }
  const t3 = cli(['train', '--data', vols, '--out', run3d, '--preset', 'small3d', '--base', '2', '--patch', '16x16x16', '--batch', '1', '--iterations', '2', '--val-fraction', '0', '--quiet']);
  assert.equal(t3.status, 0, t3.stderr);
  cases.push(...corruptRuns(corpus, run2d, repoRoot));
});

after(() => rmSync(work, { recursive: true, force: true }));

const STACK = /^\s+at .+(:\d+:\d+\)?|\(native\))$/m;

test('hostile inputs: each case a named error or a correct result; no stack trace, hang, blow-up or leftover', async () => {
  const failures: string[] = [];
  const table: string[] = [];
  let worstRss = 0;
  for (const c of cases) {
    const out = join(work, 'out', c.name);
    const args = c.args.map((a) => a.replaceAll('{corpus}', corpus).replaceAll('{run2d}', run2d).replaceAll('{run3d}', run3d).replaceAll('{out}', out));
    const before = snapshot(corpus);
    const r = await unet(args, c.seconds ?? 60);
    worstRss = Math.max(worstRss, r.maxRssMb);
    const msg = r.err.trim();
    const problems: string[] = [];
    if (r.killed) problems.push(r.killed);
    if (STACK.test(r.err)) problems.push('a stack trace');
    if (c.error) {
      if (r.code !== 1) problems.push(`exit ${r.code}, expected 1 (an error)`);
      else if (!/^unet: error: /m.test(msg)) problems.push('no "unet: error:" line');
      for (const s of c.error) if (!msg.toLowerCase().includes(s.toLowerCase())) problems.push(`the message does not mention '${s}'`);
      if (existsSync(out)) problems.push(`${out} was left behind`);
    } else {
      if (r.code !== 0) problems.push(`exit ${r.code}, expected 0`);
      else if (c.ok === 'mask-binary') {
        const files = readdirSync(out);
        if (files.length !== 1) problems.push(`wrote ${files.length} files`);
        else {
          const m = readVolume(new Uint8Array(readFileSync(join(out, files[0]))), files[0]);
          if (m.shape.join() !== '64,64') problems.push(`mask shape [${m.shape}], expected [64, 64]`);
          if (![...new Set(m.data)].every((v) => v === 0 || v === 255)) problems.push('mask values other than 0 / 255');
        }
      } else if (c.ok === 'mask-16cube') {
        const files = readdirSync(out);
        const m = files.length === 1 ? readVolume(new Uint8Array(readFileSync(join(out, files[0]))), files[0]) : undefined;
        if (!m || m.shape.join() !== '16,16,16') problems.push(`expected one 16³ mask, got ${files.join(', ')} ${m ? `[${m.shape}]` : ''}`);
      } else if (c.ok === 'evaluate-json') {
        const j = JSON.parse(r.out);
        if (j.mean?.classes?.['255']?.dice !== 1) problems.push(`identical masks scored ${JSON.stringify(j.mean)}`);
      } else if (c.ok === 'train-ok') {
        if (!existsSync(join(out, 'model.safetensors'))) problems.push('no model.safetensors');
      }
    }
    const after = snapshot(corpus);
    const changed = [...before].filter(([p, h]) => after.get(p) !== h).map(([p]) => p);
    const added = [...after.keys()].filter((p) => !before.has(p));
    if (changed.length) problems.push(`changed inputs: ${changed.join(', ')}`);
    if (added.length) problems.push(`files appeared in the corpus: ${added.join(', ')}`);
    table.push(`${c.name.padEnd(34)} ${String(r.code).padStart(4)} ${r.seconds.toFixed(1).padStart(6)} s ${Math.round(r.maxRssMb).toString().padStart(5)} MB  ${msg.split('\n')[0].slice(0, 150)}`);
    if (problems.length) failures.push(`${c.name} (${c.what}): ${problems.join('; ')}\n    stderr: ${msg.slice(0, 400)}`);
    rmSync(out, { recursive: true, force: true });
  }
  console.log(`# ${cases.length} hostile cases; peak resident memory ${Math.round(worstRss)} MB\n${table.map((l) => `# ${l}`).join('\n')}`);
  assert.deepEqual(failures, [], `${failures.length} of ${cases.length} cases failed:\n${failures.join('\n')}`);
});
