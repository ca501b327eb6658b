// `npm run explorer`: builds the U-Net explorer (web/ → dist-web/) and serves it on localhost, printing the URL.
//   node scripts/explorer.mjs [--no-build] [--port 5173]
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startStaticServer } from './static-server.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { 'no-build': { type: 'boolean', default: false }, port: { type: 'string', default: '5173' } } });
if (!values['no-build']) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['run', '--silent', 'build:web'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
let served;
try {
  served = await startStaticServer({ root: join(root, 'dist-web'), port: Number(values.port) });
} catch (e) {
  if (e.code !== 'EADDRINUSE') throw e;
  served = await startStaticServer({ root: join(root, 'dist-web'), port: 0 }); // the port is taken: any free one
}
console.log(`U-Net explorer: ${served.url}  (Ctrl-C to stop)`);
