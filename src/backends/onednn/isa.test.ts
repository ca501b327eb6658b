// The native kernel tests again under each instruction-set cap and layout policy this CPU can run: what users on an
// AVX2-only machine get (oneDNN capped with ONEDNN_MAX_CPU_ISA=AVX2, our own loops from the x86-64-v3 build of the
// addon, and the layout policy's blocked backward passes), and every layout forced on the machine's best ISA.
// Each run is a child process, since oneDNN reads its cap once per process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nativeSkip } from './testing.js';
import { AVX512_CORE_FLAGS, cpuFlags, isaAddon } from '../../../scripts/isa.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const files = ['conv.test.ts', 'bf16.test.ts', 'pool.test.ts', 'resize.test.ts'].map((f) => join(root, 'src', 'backends', 'onednn', 'kernels', f));
const flags = cpuFlags();
const avx2 = flags.has('avx2') && flags.has('fma');
const avx512 = AVX512_CORE_FLAGS.every((f) => flags.has(f));

function runUnder(env: Record<string, string>, expectIsa: string | undefined, expectLayout: RegExp, expectBf16?: 'yes' | 'no'): void {
  const fullEnv: Record<string, string | undefined> = { ...process.env, ...env };
  delete fullEnv.NODE_TEST_CONTEXT;  // else the child test runner reports to this one instead of printing TAP
  const info = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'cli', 'unet.ts'), 'info', '--json'], { cwd: root, encoding: 'utf8', env: fullEnv });
  assert.equal(info.status, 0, info.stderr);
  const j = JSON.parse(info.stdout) as { isa: string; layout: string; backend: string; bf16: string };
  if (expectBf16) assert.equal(j.bf16, expectBf16, 'bf16 only where the capped ISA has it');
  assert.equal(j.backend, 'onednn');
  if (expectIsa) assert.equal(j.isa, expectIsa, 'the cap is in force');
  assert.match(j.layout, expectLayout);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', ...files], { cwd: root, encoding: 'utf8', env: fullEnv });
  const summary = (k: string) => Number((r.stdout.match(new RegExp(`^# ${k} (\\d+)$`, 'm')) ?? [])[1]);
  assert.equal(r.status, 0, `native kernel tests failed under ${JSON.stringify(env)}:\n${r.stdout.split('\n').filter((l) => /^not ok|^\s+(error|expected|actual|message):/.test(l)).join('\n')}\n${r.stderr}`);
  assert.ok(summary('pass') > 10 && summary('skipped') === 0, `expected the native tests to run, got ${summary('pass')} passed, ${summary('skipped')} skipped`);
}

test('[onednn] native kernels match the CPU backend under an AVX2 cap (the addon built for x86-64-v3; the AVX2 layout policy)',
  { skip: nativeSkip ?? (avx2 ? undefined : 'this CPU has no AVX2') }, () => {
    const addon = avx512 ? isaAddon('x86-64-v3') : undefined;
    if (avx512) assert.ok(addon, 'the x86-64-v3 addon could not be built (node scripts/build-native.mjs --march x86-64-v3)');
    runUnder({ ONEDNN_MAX_CPU_ISA: 'AVX2', DNNL_MAX_CPU_ISA: 'AVX2', ...(addon ? { UNET_NATIVE_ADDON: addon } : {}) }, 'avx2', /^auto: blocked for 2-D/, 'no');
  });

test('[onednn] native kernels match the CPU backend with blocked layouts forced in every pass', { skip: nativeSkip }, () => {
  runUnder({ UNET_CONV_LAYOUT: 'blocked' }, undefined, /^blocked/);
});

test('[onednn] native kernels match the CPU backend with channels-last forced in every pass', { skip: nativeSkip }, () => {
  runUnder({ UNET_CONV_LAYOUT: 'plain' }, undefined, /^plain/);
});
