/**
 * The `onednn` backend: tfjs's CPU backend (same tensor storage: TypedArrays in `data`) whose hot kernels run in the
 * native addon. Kernels it does not override are the CPU backend's own.
 *
 * Memory: float32 arrays that native kernels allocate are recycled when their tensor is disposed (a free list per
 * length, capped), which spares the zero-fill and page faults of fresh allocations. That is safe because such arrays
 * are never handed out: `readSync`/`read` return copies, and the Slice override copies instead of taking a view.
 */
import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from './native.js';

/**
 * Bytes of freed arrays kept for reuse (env UNET_POOL_MB; default 4096). A training step frees its activations in the
 * backward pass and the next forward pass takes them back, so the pool spares most fresh allocations (page faults)
 * without raising the peak: measured on unet2d-b64-256-train, 1.17 GB peak either way, 20% faster. The U-Nets' steps
 * fit in 1 GB; U-Net++'s dense decoder does not (1 thread, 4×256²: unetpp2d 8.1 → 4.0 s and unetpp-small2d
 * 1.8 → 1.25 s a step with a 4 GB cap, the same peak RSS), hence 4 GB.
 */
const POOL_CAP_BYTES = Number(process.env.UNET_POOL_MB ?? 4096) * 1024 * 1024;

export class OneDnnBackend extends MathBackendCPU {
  private readonly owned = new WeakSet<Float32Array>();
  private readonly pool = new Map<number, Float32Array[]>();
  private pooledBytes = 0;
  private readonly serials = new WeakMap<tf.DataId, number>();
  private nextSerial = 1;

  constructor(readonly native: NativeAddon) {
    super();
    // the CPU backend's one-time advice to install tfjs-node does not apply
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  /** The float32 values behind a tensor, without a copy. */
  f32(t: tf.TensorInfo): Float32Array {
    const d = this.data.get(t.dataId)!;
    if (d.values instanceof Float32Array) return d.values;
    if (t.dtype !== 'float32') throw new Error(`onednn: expected float32 data, got ${t.dtype}`);
    // The CPU backend's Cast (bool → float32) keeps the bool's byte array: widen it once, in place.
    d.values = Float32Array.from(d.values as ArrayLike<number>);
    return d.values;
  }

  /**
   * A number naming a tensor's data for as long as it lives (tensors are immutable): native kernels keep a reordered
   * copy of an input and skip the reorder when the same serial comes again.
   */
  serial(t: tf.TensorInfo): number {
    let s = this.serials.get(t.dataId);
    if (s === undefined) this.serials.set(t.dataId, (s = this.nextSerial++));
    return s;
  }

  /** A float32 output whose every element the caller writes (contents undefined). */
  alloc(shape: number[]): { out: tf.TensorInfo; data: Float32Array } {
    const n = shape.reduce((a, b) => a * b, 1);
    const free = this.pool.get(n);
    let data = free?.pop();
    if (data) this.pooledBytes -= data.byteLength;
    else {
      // uninitialised memory: the kernel writes every element, so zero-filling first would only cost a pass
      data = new Float32Array(Buffer.allocUnsafeSlow(4 * n).buffer, 0, n);
      this.owned.add(data);
    }
    return { out: this.makeTensorInfo(shape, 'float32', data), data };
  }

  /** A zero-filled float32 output. */
  allocZeros(shape: number[]): { out: tf.TensorInfo; data: Float32Array } {
    const r = this.alloc(shape);
    r.data.fill(0);
    return r;
  }

  override disposeData(dataId: tf.DataId, force = false): boolean {
    const values = this.data.get(dataId)?.values;
    const deleted = super.disposeData(dataId, force);
    if (deleted && values instanceof Float32Array && this.owned.has(values) && values.byteLength <= POOL_CAP_BYTES / 4 &&
        this.pooledBytes + values.byteLength <= POOL_CAP_BYTES) {
      let list = this.pool.get(values.length);
      if (!list) this.pool.set(values.length, (list = []));
      list.push(values);
      this.pooledBytes += values.byteLength;
    }
    return deleted;
  }

  override readSync(dataId: tf.DataId): tf.BackendValues {
    const v = super.readSync(dataId);
    return v instanceof Float32Array && this.owned.has(v) ? v.slice() : v;
  }

  override async read(dataId: tf.DataId): Promise<tf.BackendValues> {
    return this.readSync(dataId);
  }

  /**
   * Adam's update in place (see src/train/adam.ts) when p, m and v each own their storage alone; false otherwise, and
   * the optimizer then runs tfjs ops.
   */
  adamInPlace(p: tf.TensorInfo, g: tf.TensorInfo, m: tf.TensorInfo, v: tf.TensorInfo, lr: number, b1: number, b2: number, eps: number, step: number): boolean {
    const sole = (t: tf.TensorInfo) => {
      const d = this.data.get(t.dataId);
      return d !== undefined && d.refCount === 1 && d.values instanceof Float32Array;
    };
    if (![p, m, v].every(sole) || g.dtype !== 'float32') return false;
    this.native.adam(this.f32(p), this.f32(g), this.f32(m), this.f32(v), lr, b1, b2, eps, step);
    return true;
  }

  /**
   * PyTorch's SGD (momentum, optional Nesterov, L2 weight decay) in place on p and its momentum buffer; `first` fills
   * the buffer with the step's direction. False when p or the buffer is shared, and the optimiser then uses tfjs ops.
   */
  sgdInPlace(p: tf.TensorInfo, g: tf.TensorInfo, buf: tf.TensorInfo, lr: number, momentum: number, weightDecay: number, nesterov: boolean, first: boolean): boolean {
    const sole = (t: tf.TensorInfo) => {
      const d = this.data.get(t.dataId);
      return d !== undefined && d.refCount === 1 && d.values instanceof Float32Array;
    };
    if (![p, buf].every(sole) || g.dtype !== 'float32') return false;
    this.native.sgd(this.f32(p), this.f32(g), this.f32(buf), lr, momentum, weightDecay, nesterov, first);
    return true;
  }

  /**
   * BatchNorm's running statistics, in place: r ← (1−m)·r + m·batch (variance scaled by n/(n−1)), counter + 1.
   * False when a buffer is shared, and the layer then uses tfjs ops.
   */
  updateRunningStats(rm: tf.TensorInfo, rv: tf.TensorInfo, count: tf.TensorInfo, mean: tf.TensorInfo, variance: tf.TensorInfo, momentum: number, unbias: number): boolean {
    const own = (t: tf.TensorInfo) => {
      const d = this.data.get(t.dataId);
      return d !== undefined && d.refCount === 1 ? d.values : undefined;
    };
    const a = own(rm), b = own(rv), c = own(count);
    if (!(a instanceof Float32Array) || !(b instanceof Float32Array) || !(c instanceof Int32Array)) return false;
    const mu = this.f32(mean), v = this.f32(variance);
    for (let i = 0; i < a.length; i++) {
      a[i] = (1 - momentum) * a[i] + momentum * mu[i];
      b[i] = (1 - momentum) * b[i] + momentum * v[i] * unbias;
    }
    c[0] += 1;
    return true;
  }

  /** Drops the recycled arrays (for memory measurements). */
  releasePool(): void {
    this.pool.clear();
    this.pooledBytes = 0;
  }
}

export const asOneDnn = (b: unknown): OneDnnBackend => b as OneDnnBackend;
