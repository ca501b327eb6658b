/**
 * Node: picks the fastest backend — the native `onednn` one when its addon loads, else tfjs's CPU backend with one
 * clear warning naming the reason and how to build the addon.
 */
import { initBackend, tf } from '../core/tf.js';
import { registerOneDnnBackend } from './onednn/register.js';
import { loadAddon } from './onednn/native.js';
import { lookUpOption } from '../core/registry.js';

let warned = false;

export interface BackendChoice {
  /** 'onednn' | 'cpu' | 'wasm' (tfjs's, inference only); default: the fastest available (env UNET_BACKEND overrides). */
  backend?: string;
  /** Threads of the native backend; default all cores (env UNET_THREADS). */
  threads?: number;
  /**
   * 'bf16': convolutions in bf16 with f32 outputs, accumulation and master weights (native backend on a CPU with
   * AVX512-BF16); 'fp32' otherwise; 'auto': bf16 where the CPU has it natively, else fp32, silently. Default 'fp32'.
   */
  precision?: 'fp32' | 'bf16' | 'auto';
}

export async function useBestBackend(o: BackendChoice = {}): Promise<string> {
  const wanted = o.backend ?? process.env.UNET_BACKEND;
  if (wanted !== undefined) lookUpOption('backend', wanted, ['onednn', 'cpu', 'wasm'] as const);
  if (wanted === 'wasm') {
    await (await import('./wasm.js')).registerWasmBackend();
    return initBackend('wasm');
  }
  if (wanted !== 'cpu') {
    const reg = registerOneDnnBackend();
    if (!reg.ok) {
      if (wanted === 'onednn') throw new Error(`backend 'onednn' is unavailable: ${reg.reason}`);
      if (!warned) {
        warned = true;
        console.warn(`unet-ts: the native oneDNN backend is unavailable (${reg.reason}); running on tfjs's CPU backend, which is far slower`);
      }
    } else {
      const addon = loadAddon().addon!;
      if (o.threads !== undefined) addon.setThreads(o.threads);
      const p = addon.setPrecision(o.precision === 'auto' ? 'bf16' : o.precision ?? 'fp32');
      if (o.precision === 'bf16' && p !== 'bf16') console.warn(`unet-ts: --precision bf16 needs AVX512-BF16, which this CPU (${addon.info().isa}) lacks; running fp32`);
    }
  }
  if (o.precision === 'bf16' && (wanted === 'cpu' || !registerOneDnnBackend().ok)) console.warn("unet-ts: --precision bf16 needs the native backend; running fp32");
  return initBackend(wanted);
}

/** What `unet info` prints. */
export function backendInfo(): Record<string, string | number> {
  const { addon, reason } = loadAddon();
  const out: Record<string, string | number> = { backend: tf.getBackend() };
  if (addon) {
    const i = addon.info();
    Object.assign(out, { onednn: i.dnnl, isa: i.isa, threads: i.threads, cores: i.cores, bf16: ['avx512_core_bf16', 'avx512_core_amx'].includes(i.isa) ? 'yes' : 'no', layout: addon.convLayout() });
  } else {
    out.native = `unavailable: ${reason}`;
  }
  return out;
}
