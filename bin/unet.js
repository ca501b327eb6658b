#!/usr/bin/env node
// Runs the compiled CLI (dist/), building it first when the checkout has not been built yet.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'cli', 'unet.js');
if (!existsSync(entry)) {
  if (!existsSync(join(root, 'node_modules', 'typescript'))) {
    console.error(`unet: ${entry} is missing and TypeScript is not installed; run 'npm ci' in ${root}`);
    process.exit(1);
  }
  console.error('unet: first run, building dist/ (npm run build) ...');
  const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
await import(entry);
