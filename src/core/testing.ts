/** Test helpers (used by *.test.ts only): closeness checks, fixtures, leak checks and the per-backend loop. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf, initBackend, type Tensor } from './tf.js';
import { readSafetensors, type SafeTensor } from '../io/safetensors.js';
import { registerOneDnnBackend } from '../backends/onednn/register.js';

/** The repository root (the folder holding package.json). */
export const repoRoot = (() => {
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, 'package.json'))) d = dirname(d);
  return d;
})();

export function readFixture(name: string): Map<string, SafeTensor> {
  const path = join(repoRoot, 'fixtures', name);
  return readSafetensors(new Uint8Array(readFileSync(path)), path).tensors;
}

export function fixtureMetadata(name: string): Record<string, string> {
  const path = join(repoRoot, 'fixtures', name);
  return readSafetensors(new Uint8Array(readFileSync(path)), path).metadata;
}

/** max |a − e| ≤ atol + rtol·max|e|, with the worst element named on failure. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-4, atol = 1e-6, what = 'values'): void {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} vs ${expected.length}`);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  let worst = 0, at = -1;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (!(d <= worst)) [worst, at] = [d, i];
  }
  const tol = atol + rtol * scale;
  assert.ok(worst <= tol, `${what}: max |diff| ${worst} at ${at} (got ${actual[at]}, want ${expected[at]}) exceeds ${tol} (rtol ${rtol} × max ${scale})`);
}

/** Runs `fn` and asserts it leaves no tensor behind. */
/** Value and gradient of sum(f(x)·w) with respect to each input, for a fixed random w (seed 9). */
export function valueAndGrads(f: (...xs: Tensor[]) => Tensor, xs: Tensor[]): { y: Float32Array; g: Float32Array[] } {
  return tf.tidy(() => {
    const y = f(...xs);
    const w = tf.randomNormal(y.shape, 0, 1, 'float32', 9);
    const g = tf.grads((...a: Tensor[]) => tf.sum(tf.mul(f(...a), w)))(xs);
    return { y: y.dataSync() as Float32Array, g: g.map((t) => t.dataSync() as Float32Array) };
  });
}

export function assertNoLeak<T>(fn: () => T): T {
  const before = tf.memory().numTensors;
  const out = fn();
  const outs = (Array.isArray(out) ? out : [out]).filter((t): t is Tensor & T => t instanceof tf.Tensor);
  assert.equal(tf.memory().numTensors - outs.length, before, `leaked ${tf.memory().numTensors - outs.length - before} tensors`);
  return out;
}

let nativeNote = false;

/** Backends the per-backend tests run on: `cpu`, and `onednn` where the native addon loads (else the reason is printed). */
export async function testBackends(): Promise<string[]> {
  const reg = registerOneDnnBackend();
  if (!reg.ok && !nativeNote) {
    nativeNote = true;
    console.log(`# onednn backend not tested here: ${reg.reason}`);
  }
  const names = Object.keys(tf.engine().registryFactory).filter((n) => n !== 'webgl' && n !== 'webgpu' && n !== 'wasm');
  const ok: string[] = [];
  for (const n of names) {
    try {
      await initBackend(n);
      ok.push(n);
    } catch { /* not available here */ }
  }
  return ok;
}

/** NC… (PyTorch) → N…C (channels-last). */
export function toChannelsLast(t: SafeTensor): Tensor {
  const x = tf.tensor(Float32Array.from(t.data), t.shape);
  const perm = [0, ...t.shape.slice(2).map((_, i) => i + 2), 1];
  const y = tf.transpose(x, perm);
  x.dispose();
  return y;
}

/** Central finite-difference gradient of a scalar function at x (float32, so use h ≈ 1e-2 and loose tolerances). */
export function numericalGradient(f: (x: Tensor) => Tensor, x: Tensor, h = 1e-2): Float32Array {
  const base = x.dataSync().slice() as Float32Array;
  const g = new Float32Array(base.length);
  for (let i = 0; i < base.length; i++) {
    const at = (v: number) => tf.tidy(() => {
      const b = base.slice(); b[i] = v;
      return f(tf.tensor(b, x.shape)).dataSync()[0];
    });
    g[i] = (at(base[i] + h) - at(base[i] - h)) / (2 * h);
  }
  return g;
}

/** Why tests on the real data sets in ../shared/data are skipped here (a user's clone has none), or undefined. */
export const noSharedData: string | undefined = existsSync(join(repoRoot, '..', 'shared', 'data')) ? undefined : `no ${join(repoRoot, '..', 'shared', 'data')} (the real data sets; a user's clone has none)`;
