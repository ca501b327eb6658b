// Builds the oneDNN addon (build/Release/unet_native.node) with node-gyp. Without oneDNN's headers it explains what to
// install and exits 0 unless --strict is given: the library then runs on tfjs's CPU backend.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const strict = process.argv.includes('--strict');
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
const args = [gyp, 'rebuild', '--release', `--jobs=${Math.max(1, (await import('node:os')).cpus().length)}`, ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
const r = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
if (r.status !== 0) {
  console.error('build-native: node-gyp failed; the native backend is not built');
  process.exit(strict ? 1 : 0);
}
