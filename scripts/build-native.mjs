// Builds the oneDNN addon (build/Release/unet_native.node) with node-gyp. Without oneDNN's headers it explains what to
// install and exits 0 unless --strict is given: the library then runs on tfjs's CPU backend.
// --march ARCH builds a variant for another instruction set (e.g. x86-64-v3: AVX2 + FMA, no AVX-512) in its own
// folder, build-isa/ARCH/ (bench/compare.mjs --isa uses it to measure an AVX2 machine's hand-written loops on an
// AVX-512 one); the addon itself is built with -march=native.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const strict = process.argv.includes('--strict');
const marchAt = process.argv.indexOf('--march');
const march = marchAt >= 0 ? process.argv[marchAt + 1] : undefined;
if (march !== undefined && !/^[a-z0-9_.-]+$/i.test(march ?? '')) {
  console.error(`build-native: --march ${march}: expected a GCC architecture name such as x86-64-v3`);
  process.exit(1);
}
const header = '/usr/include/oneapi/dnnl/dnnl.hpp';
if (!existsSync(header)) {
  console.error(`build-native: ${header} not found; the native 'onednn' backend is not built (install it with: apt-get install -y libdnnl-dev g++ make python3, then npm run build:native)`);
  process.exit(strict ? 1 : 0);
}
const require = createRequire(import.meta.url);
let gyp;
for (const c of [() => require.resolve('node-gyp/bin/node-gyp.js'), () => join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')]) {
  try { const p = c(); if (existsSync(p)) { gyp = p; break; } } catch { /* next */ }
}
if (!gyp) {
  console.error('build-native: node-gyp not found (it ships with npm); the native backend is not built');
  process.exit(strict ? 1 : 0);
}
// Build against this Node's own headers (no download): <prefix>/include/node.
const prefix = join(dirname(process.execPath), '..');
const nodedir = process.env.npm_config_nodedir || (existsSync(join(prefix, 'include', 'node', 'node.h')) ? prefix : undefined);
// A variant builds in build-isa/ARCH/ from a copy of binding.gyp whose paths point back at the sources.
let cwd = root;
if (march) {
  cwd = join(root, 'build-isa', march);
  mkdirSync(cwd, { recursive: true });
  const gypFile = JSON.parse(readFileSync(join(root, 'binding.gyp'), 'utf8'));
  const t = gypFile.targets[0];
  t.sources = t.sources.map((s) => relative(cwd, join(root, s)));
  t.include_dirs = [dirname(require.resolve('node-addon-api/package.json'))];
  writeFileSync(join(cwd, 'binding.gyp'), JSON.stringify(gypFile, null, 2));
}
const args = [gyp, 'rebuild', '--release', `--jobs=${Math.max(1, (await import('node:os')).cpus().length)}`, ...(nodedir ? [`--nodedir=${nodedir}`] : []), ...(march ? [`--march=${march}`] : [])];
const r = spawnSync(process.execPath, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
if (r.status !== 0) {
  console.error('build-native: node-gyp failed; the native backend is not built');
  process.exit(strict ? 1 : 0);
}
