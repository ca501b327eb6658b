// Builds dist/: bundles tfjs-core's gradients (scripts/build-gradients.mjs), compiles the TypeScript, and copies the
// generated gradient bundle beside the compiled code that imports it.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
run(process.execPath, [join(root, 'scripts', 'build-gradients.mjs')]);
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
run(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')]);
const gen = 'src/core/generated/tfjs-gradients.js';
mkdirSync(join(root, 'dist', dirname(gen)), { recursive: true });
copyFileSync(join(root, gen), join(root, 'dist', gen));
