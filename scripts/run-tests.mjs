// Runs every *.test.ts beside the code (src/, cli/, web/) with Node's built-in runner through tsx.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(root, 'src/core/generated/tfjs-gradients.js'))) {
  const r = spawnSync(process.execPath, [join(root, 'scripts/build-gradients.mjs')], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const filter = process.argv.slice(2);
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) { if (name !== 'node_modules' && name !== 'generated') walk(p); }
    else if (name.endsWith('.test.ts') && (filter.length === 0 || filter.some((f) => p.includes(f)))) files.push(p);
  }
};
for (const d of ['src', 'cli', 'web']) if (existsSync(join(root, d))) walk(join(root, d));
if (files.length === 0) { console.error('no test files found'); process.exit(1); }
// The spec report on the terminal; a TAP copy to a temporary file, from which the skipped tests and their reasons are
// listed at the end (a clone without ../shared skips the tests on the full data sets, and says so here).
const tapDir = mkdtempSync(join(tmpdir(), 'unet-tests-'));
const tap = join(tapDir, 'report.tap');
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files.sort()], { cwd: root, stdio: 'inherit' });
const skipped = existsSync(tap) ? [...readFileSync(tap, 'utf8').matchAll(/^\s*ok \d+ - (.*?) # SKIP ?(.*)$/gm)].map((m) => [m[1], m[2]]) : [];
rmSync(tapDir, { recursive: true, force: true });
if (skipped.length) {
  console.log(`\n${skipped.length} test(s) skipped:`);
  const byReason = new Map();
  for (const [name, why] of skipped) byReason.set(why || '(no reason given)', [...(byReason.get(why || '(no reason given)') ?? []), name]);
  for (const [why, names] of byReason) console.log(`- ${why}:\n${names.map((n) => `    ${n}`).join('\n')}`);
}
process.exit(r.status ?? 1);
