/**
 * tfjs's WASM backend in Node (the browser build loads it the browser's way): loaded on demand, for inference
 * benchmarks. It has no Conv2DBackpropFilter kernel, so it cannot train.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export async function registerWasmBackend(): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const dir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  wasm.setWasmPaths(join(dir, 'dist') + '/');
}
