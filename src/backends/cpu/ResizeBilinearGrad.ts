/**
 * ResizeBilinearGrad for tfjs's `cpu` backend, replacing tfjs-backend-cpu 4.22's, which (1) ignores
 * `halfPixelCenters`, so the gradient of a half-pixel (PyTorch align_corners=false) resize is wrong, and (2) labels
 * its [B, H, W, C] result [B, W, H, C]. This kernel uses the same source coordinates as the forward ResizeBilinear in
 * all three modes: align-corners (src = dst·(in−1)/(out−1)), half-pixel (src = max(0, (dst+½)·in/out − ½)) and the
 * legacy asymmetric mapping (src = dst·in/out). Pure TypeScript, browser-safe.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

/** Source-coordinate mapping of linear resizing. */
export type LinearCoordMode = 'alignCorners' | 'halfPixel' | 'asymmetric';

/** The mode tfjs's ResizeBilinear attributes select (alignCorners wins; tfjs forbids both). */
export function coordMode(alignCorners: boolean, halfPixelCenters: boolean): LinearCoordMode {
  return alignCorners ? 'alignCorners' : halfPixelCenters ? 'halfPixel' : 'asymmetric';
}

/** The two source taps and the weight of the second along one axis, per output index. */
export function linearSourceTaps(inSize: number, outSize: number, mode: LinearCoordMode): { i0: Int32Array; i1: Int32Array; w: Float32Array } {
  const i0 = new Int32Array(outSize), i1 = new Int32Array(outSize), w = new Float32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    let src: number;
    if (mode === 'alignCorners') src = outSize > 1 ? (o * (inSize - 1)) / (outSize - 1) : 0;
    else if (mode === 'halfPixel') src = Math.max(0, ((o + 0.5) * inSize) / outSize - 0.5);
    else src = (o * inSize) / outSize;
    const lo = Math.min(Math.floor(src), inSize - 1);
    i0[o] = lo;
    i1[o] = Math.min(lo + 1, inSize - 1);
    w[o] = src - lo;
  }
  return { i0, i1, w };
}

/** ∂L/∂images of ResizeBilinear: each dy value scattered onto its four source pixels with the forward weights. */
export function resizeBilinearGrad({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const cpu = backend as MathBackendCPU;
  const { images, dy } = inputs as { images: tf.TensorInfo; dy: tf.TensorInfo };
  const { alignCorners, halfPixelCenters } = attrs as unknown as tf.ResizeBilinearGradAttrs;
  const [batch, xH, xW, depth] = images.shape;
  const [, yH, yW] = dy.shape;
  const mode = coordMode(alignCorners, halfPixelCenters);
  const rows = linearSourceTaps(xH, yH, mode), cols = linearSourceTaps(xW, yW, mode);
  const dyValues = cpu.data.get(dy.dataId).values as tf.TypedArray;
  const out = new Float32Array(batch * xH * xW * depth);
  let k = 0;
  for (let b = 0; b < batch; b++) {
    const base = b * xH * xW * depth;
    for (let r = 0; r < yH; r++) {
      const top = base + rows.i0[r] * xW * depth, bottom = base + rows.i1[r] * xW * depth;
      const wr = rows.w[r];
      for (let c = 0; c < yW; c++) {
        const left = cols.i0[c] * depth, right = cols.i1[c] * depth;
        const wc = cols.w[c];
        const tl = (1 - wr) * (1 - wc), tr = (1 - wr) * wc, bl = wr * (1 - wc), br = wr * wc;
        for (let d = 0; d < depth; d++) {
          const g = dyValues[k++];
          out[top + left + d] += g * tl;
          out[top + right + d] += g * tr;
          out[bottom + left + d] += g * bl;
          out[bottom + right + d] += g * br;
        }
      }
    }
  }
  return cpu.makeTensorInfo([...images.shape], 'float32', out);
}

/** Replaces the backend's ResizeBilinearGrad with the kernel above (idempotent). */
export function replaceResizeBilinearGrad(backendName = 'cpu'): void {
  const current = tf.getKernel(tf.ResizeBilinearGrad, backendName);
  if (current?.kernelFunc === (resizeBilinearGrad as tf.KernelFunc)) return;
  if (current) tf.unregisterKernel(tf.ResizeBilinearGrad, backendName);
  tf.registerKernel({ kernelName: tf.ResizeBilinearGrad, backendName, kernelFunc: resizeBilinearGrad as tf.KernelFunc });
}
