// What instruction sets this CPU has, and the addon built for another one: shared by bench/compare.mjs (the ISA
// matrix against PyTorch) and src/backends/onednn/isa.test.ts (the native tests under ISA caps).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The CPU's flags from /proc/cpuinfo (an empty set where there is none). */
export function cpuFlags() {
  if (!existsSync('/proc/cpuinfo')) return new Set();
  return new Set((readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m) ?? ['', ''])[1].trim().split(/\s+/));
}

/** The flags oneDNN's avx512_core needs. */
export const AVX512_CORE_FLAGS = ['avx512f', 'avx512bw', 'avx512vl', 'avx512dq'];

/**
 * The addon built for GCC architecture `march` (e.g. x86-64-v3: AVX2 + FMA, no AVX-512), built on first use by
 * `scripts/build-native.mjs --march`; undefined when it cannot be built.
 */
export function isaAddon(march) {
  const p = join(root, 'build-isa', march, 'build', 'Release', 'unet_native.node');
  if (!existsSync(p)) spawnSync(process.execPath, [join(root, 'scripts', 'build-native.mjs'), '--strict', '--march', march], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  return existsSync(p) ? p : undefined;
}
