/**
 * Backend selection for the explorer: WebGPU where the browser gives an adapter, else WebGL, else WASM, else tfjs's
 * CPU backend. Each candidate is probed before tfjs is asked to use it, so an unavailable one costs an info line in
 * the console, never an error. `?backend=NAME` in the URL starts the chain at NAME (tests force WASM this way).
 */
import { tf } from '../../src/index.js';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

export const BACKEND_ORDER = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_ORDER)[number];

export interface BackendAttempt { name: BackendName; ok: boolean; note: string }

/** Probes and registers one backend; resolves to a reason when it cannot be used. */
async function prepare(name: BackendName, allowSoftware = false): Promise<string | undefined> {
  switch (name) {
    case 'webgpu': {
      const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
      if (!gpu) return 'navigator.gpu is missing (no WebGPU in this browser)';
      if (!(await gpu.requestAdapter().catch(() => null))) return 'WebGPU gave no adapter';
      await import('@tensorflow/tfjs-backend-webgpu');
      return undefined;
    }
    case 'webgl': {
      const canvas = document.createElement('canvas');
      const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
      if (!gl) return 'no WebGL context';
      // A software rasteriser (SwiftShader, llvmpipe: no GPU) runs the model ~10× slower than WASM's SIMD kernels.
      const info = gl.getExtension('WEBGL_debug_renderer_info');
      const renderer = String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
      if (!allowSoftware && /swiftshader|llvmpipe|software/i.test(renderer)) return `WebGL renders in software (${renderer}); WASM is faster`;
      await import('@tensorflow/tfjs-backend-webgl');
      return undefined;
    }
    case 'wasm': {
      if (typeof WebAssembly !== 'object') return 'no WebAssembly';
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      wasm.setWasmPaths({ 'tfjs-backend-wasm.wasm': wasmPlain, 'tfjs-backend-wasm-simd.wasm': wasmSimd, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded });
      return undefined;
    }
    case 'cpu':
      return undefined; // registered by the library's engine module
  }
}

let chosen: Promise<{ name: BackendName; attempts: BackendAttempt[] }> | undefined;

/** Picks the first backend of the chain that initialises (once per page load). */
export function chooseBackend(start: string | null = new URLSearchParams(location.search).get('backend')): Promise<{ name: BackendName; attempts: BackendAttempt[] }> {
  chosen ??= (async () => {
    const from = Math.max(0, BACKEND_ORDER.indexOf(start as BackendName));
    const attempts: BackendAttempt[] = [];
    for (const name of BACKEND_ORDER.slice(from)) {
      let note: string | undefined;
      try {
        note = await prepare(name);
        if (note === undefined && !(await tf.setBackend(name))) note = `tfjs could not initialise '${name}'`;
      } catch (e) {
        note = (e as Error).message;
      }
      attempts.push({ name, ok: note === undefined, note: note ?? 'in use' });
      if (note === undefined) {
        await tf.ready();
        return { name, attempts };
      }
      console.info(`unet-ts explorer: backend '${name}' unavailable (${note}); trying the next one`);
    }
    throw new Error('no tfjs backend could be initialised');
  })();
  return chosen;
}

/**
 * Runs `fn` on a backend that can train: tfjs's WASM backend has no Conv2DBackpropFilter kernel, so training there
 * moves to WebGL (even software-rendered, it trains faster than tfjs's CPU backend), else to the CPU backend, and
 * back afterwards.
 */
export async function withTrainableBackend<T>(fn: (name: string) => Promise<T>): Promise<T> {
  const { name } = await chooseBackend();
  if (name !== 'wasm') return fn(name);
  let trainer: BackendName = 'cpu';
  try {
    if ((await prepare('webgl', true)) === undefined && (await tf.setBackend('webgl'))) trainer = 'webgl';
  } catch {
    // no WebGL at all: the CPU backend below
  }
  console.info(`unet-ts explorer: tfjs's WASM backend cannot train (no Conv2DBackpropFilter); training on '${trainer}'`);
  if (trainer === 'cpu') await tf.setBackend('cpu');
  try {
    return await fn(trainer);
  } finally {
    await tf.setBackend('wasm');
  }
}
