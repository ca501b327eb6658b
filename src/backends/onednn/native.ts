/**
 * The native addon (build/Release/unet_native.node, built by scripts/build-native.mjs on oneDNN). Loaded on demand,
 * Node only. When it is missing and oneDNN's headers are installed, it is built once, on first use.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

type F32 = Float32Array;
type Shape = number[];
export type ConvLayoutMode = 'auto' | 'plain' | 'blocked';

export interface NativeAddon {
  info(): { dnnl: string; isa: string; threads: number; cores: number };
  setThreads(n: number): number;
  /** 'bf16' (bf16 convolutions with f32 outputs and accumulation) or 'fp32'; returns the mode in force. */
  setPrecision(p: 'fp32' | 'bf16'): 'fp32' | 'bf16';
  /** 'auto' (blocked activations per pass and shape where they measured faster, without AVX-512: native/src/conv.cc), 'plain' or 'blocked'. */
  setConvLayout(mode: ConvLayoutMode): ConvLayoutMode;
  /** The layout policy in force and what it picks on this CPU, in words. */
  convLayout(): string;
  // Serials (OneDnnBackend.serial) name the input tensors, so a reordered copy is reused while the same tensor comes.
  conv(x: F32, xShape: Shape, w: F32, wShape: Shape, bias: F32 | null, y: F32, yShape: Shape, strides: Shape, dilations: Shape, padL: Shape, padR: Shape, xSerial?: number): void;
  convBackwardData(dy: F32, dyShape: Shape, w: F32, wShape: Shape, dx: F32, dxShape: Shape, strides: Shape, dilations: Shape, padL: Shape, padR: Shape, dySerial?: number): void;
  convBackwardWeights(x: F32, xShape: Shape, dy: F32, dyShape: Shape, dw: F32, wShape: Shape, strides: Shape, dilations: Shape, padL: Shape, padR: Shape, dbias: F32 | null, xSerial?: number, dySerial?: number): void;
  batchMatMul(a: F32, aShape: Shape, b: F32, bShape: Shape, out: F32, transA: boolean, transB: boolean): void;
  binary(op: number, a: F32, b: F32, out: F32): void;
  /** full [rows, k] op col [rows] (or col op full when colFirst). */
  binaryColumn(op: number, full: F32, col: F32, out: F32, k: number, colFirst: boolean): void;
  /** Softmax along the last axis of x viewed as [rows, k]. */
  softmaxRows(x: F32, k: number, out: F32): void;
  unary(op: number, x: F32, out: F32): void;
  reluGrad(dy: F32, y: F32, dx: F32): void;
  concatRows(inputs: F32[], widths: number[], rows: number, out: F32): void;
  sliceRows(x: F32, rows: number, width: number, begin: number, size: number, out: F32): void;
  transpose(x: F32, shape: number[], perm: number[], out: F32): void;
  sumRows(x: F32, rows: number, cols: number, out: F32): void;
  sumCols(x: F32, rows: number, cols: number, out: F32): void;
  adam(p: F32, g: F32, m: F32, v: F32, lr: number, beta1: number, beta2: number, eps: number, step: number): void;
  batchNormTrain(x: F32, m: number, c: number, gamma: F32 | null, beta: F32 | null, eps: number, relu: boolean, y: F32, mean: F32, variance: F32): void;
  batchNormTrainGrad(dy: F32, x: F32, y: F32 | null, m: number, c: number, mean: F32, variance: F32, gamma: F32 | null, eps: number, dx: F32, dgamma: F32, dbeta: F32): void;
  scaleShift(x: F32, m: number, c: number, scale: F32, shift: F32, relu: boolean, y: F32): void;
  /** Per sample b of x [B, M, C]: column statistics (mean, variance [B·C]), then y = act(x̂·γ + β), act(v) = v > 0 ? v : slope·v. */
  instanceNormAct(x: F32, b: number, m: number, c: number, gamma: F32 | null, beta: F32 | null, eps: number, slope: number, y: F32, mean: F32, variance: F32): void;
  /** The gradient of instanceNormAct (y: its output, or null without an activation); dγ, dβ summed over samples. */
  instanceNormActGrad(dy: F32, x: F32, y: F32 | null, b: number, m: number, c: number, mean: F32, variance: F32, gamma: F32 | null, eps: number, slope: number, dx: F32, dgamma: F32 | null, dbeta: F32 | null): void;
  /** PyTorch's SGD in place on p and buf (first: buf = d). */
  sgd(p: F32, g: F32, buf: F32, lr: number, momentum: number, weightDecay: number, nesterov: boolean, first: boolean): void;
  /** out[i…] = x[begin + i·strides] per axis (strides ≥ 1). */
  stridedGather(x: F32, shape: number[], begin: number[], strides: number[], outShape: number[], out: F32): void;
  /** Max pooling of [B, (D,) H, W, C]; window, strides and front padding per spatial axis. */
  maxPool(x: F32, xShape: Shape, y: F32, yShape: Shape, window: Shape, strides: Shape, padFront: Shape): void;
  /** ∂L/∂x of max pooling (dx has x's shape), the argmax recomputed from x. */
  maxPoolBackward(x: F32, xShape: Shape, dy: F32, dyShape: Shape, dx: F32, window: Shape, strides: Shape, padFront: Shape): void;
  /** Linear resize of [B, (D,) H, W, C] to y's spatial size; mode 0 align-corners, 1 half-pixel, 2 asymmetric. */
  resizeLinear(x: F32, xShape: Shape, y: F32, yShape: Shape, mode: number): void;
  /** ∂L/∂x of resizeLinear: dx (the input's shape) from dy. */
  resizeLinearBackward(dy: F32, dyShape: Shape, dx: F32, dxShape: Shape, mode: number): void;
  [kernel: string]: unknown;
}

const root = (() => {
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, 'package.json'))) d = dirname(d);
  return d;
})();

/** Where the addon is loaded from (UNET_NATIVE_ADDON overrides, e.g. to test the fallback). */
export const addonPath = process.env.UNET_NATIVE_ADDON ?? join(root, 'build', 'Release', 'unet_native.node');
export const HOW_TO_BUILD = 'install oneDNN (apt-get install -y libdnnl-dev g++ make) and run `npm run build:native` in ' + root;

let cached: { addon?: NativeAddon; reason?: string } | undefined;

/** The addon, or the reason it is unavailable. Builds it first when missing and buildable (UNET_NATIVE_BUILD=0 stops that). */
export function loadAddon(): { addon?: NativeAddon; reason?: string } {
  if (cached) return cached;
  if (process.env.UNET_BACKEND === 'cpu') return (cached = { reason: 'UNET_BACKEND=cpu' });
  if (!existsSync(addonPath) && process.env.UNET_NATIVE_BUILD !== '0' && existsSync('/usr/include/oneapi/dnnl/dnnl.hpp')) {
    process.stderr.write('unet-ts: building the native oneDNN backend (once, about a minute) ...\n');
    spawnSync(process.execPath, [join(root, 'scripts', 'build-native.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  if (!existsSync(addonPath)) return (cached = { reason: `${addonPath} is not built; ${HOW_TO_BUILD}` });
  try {
    const addon = createRequire(import.meta.url)(addonPath) as NativeAddon;
    const threads = Number(process.env.UNET_THREADS ?? 0);
    addon.setThreads(Number.isInteger(threads) && threads > 0 ? threads : 0);
    const layout = process.env.UNET_CONV_LAYOUT;
    if (layout !== undefined && layout !== '') {
      if (!['auto', 'plain', 'blocked'].includes(layout)) throw new Error(`UNET_CONV_LAYOUT=${layout}: expected auto, plain or blocked`);
      addon.setConvLayout(layout as ConvLayoutMode);
    }
    return (cached = { addon });
  } catch (e) {
    return (cached = { reason: `${addonPath} failed to load (${(e as Error).message.split('\n')[0]}); ${HOW_TO_BUILD}` });
  }
}
