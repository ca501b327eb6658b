/** Test helpers for native kernels: run the same computation on `cpu` and `onednn` and compare. */
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '../../core/tf.js';
import { assertClose } from '../../core/testing.js';
import { registerOneDnnBackend } from './register.js';

const reg = registerOneDnnBackend();
/** Why native tests are skipped here, or undefined when the backend is available. */
export const nativeSkip: string | undefined = reg.ok ? undefined : `native backend unavailable: ${reg.reason}`;
if (nativeSkip) console.log(`# skipping native kernel tests: ${nativeSkip}`);

/** Runs `fn` on both backends with the same inputs (created per backend from plain arrays) and compares outputs. */
export async function compareBackends(label: string, make: () => tf.Tensor[], fn: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[], rtol = 1e-4): Promise<void> {
  const results: Float32Array[][] = [];
  const data = (await tf.setBackend('cpu'), make().map((t) => ({ shape: t.shape, dtype: t.dtype, values: t.dataSync().slice() })));
  for (const backend of ['cpu', 'onednn']) {
    await tf.setBackend(backend);
    const out = tf.tidy(() => {
      const xs = data.map((d) => tf.tensor(d.values, d.shape, d.dtype));
      const y = fn(...xs);
      return (Array.isArray(y) ? y : [y]).map((t) => t.dataSync().slice() as Float32Array);
    });
    results.push(out);
  }
  results[0].forEach((want, i) => assertClose(results[1][i], want, rtol, 1e-5, `${label} output ${i}`));
}

/** `test` that is skipped, with the reason printed, when the native backend is unavailable. */
export function nativeTest(name: string, fn: () => Promise<void> | void): void {
  test(`[onednn] ${name}`, { skip: nativeSkip }, fn);
}
