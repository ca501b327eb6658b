/**
 * Normalisation layers over channels-last tensors of any rank, with PyTorch's names and semantics:
 * BatchNorm (`weight`, `bias`, `running_mean`, `running_var`, `num_batches_tracked`; batch statistics in training,
 * running statistics in eval; running variance updated with the unbiased estimate), InstanceNorm (per sample and
 * channel, no running statistics) and GroupNorm (per sample over channel groups).
 */
import { tf, type Tensor, type Variable } from '../core/tf.js';
import { perChannel } from './ops/channel.js';
import { Module } from './module.js';
import { normalize } from './ops/normalize.js';
import { batchNormTrain, scaleShift } from './ops/batchnorm.js';
import { fromChannelColumns, normalizeColumnGroups, toChannelColumns } from './ops/group-norm.js';

export type NormKind = 'batch' | 'instance' | 'group' | 'none';

export interface NormOptions {
  /** Learnable per-channel scale and shift (`weight`, `bias`). Default true. */
  affine?: boolean;
  /** ε added to the variance. Default 1e-5. */
  eps?: number;
  /** BatchNorm running-statistics momentum (PyTorch convention: new = (1−m)·old + m·batch). Default 0.1. */
  momentum?: number;
  /** GroupNorm group count. Default 8. */
  groups?: number;
}

abstract class NormBase extends Module {
  readonly weight?: Variable;
  readonly bias?: Variable;
  protected readonly eps: number;

  constructor(readonly channels: number, opts: NormOptions) {
    super();
    this.eps = opts.eps ?? 1e-5;
    if (opts.affine ?? true) {
      this.weight = this.param('weight', tf.ones([channels]));
      this.bias = this.param('bias', tf.zeros([channels]));
    }
  }

  protected affine(y: Tensor): Tensor {
    if (!this.weight || !this.bias) return y;
    return perChannel(y, this.weight, this.bias);
  }

  /** Normalises x; with `relu`, the ReLU that follows is applied too (fused where the backend can). */
  abstract apply(x: Tensor, relu?: boolean): Tensor;
}

/** BatchNorm over every axis but channels: [B, ...S, C] → statistics of shape [C]. */
export class BatchNorm extends NormBase {
  readonly runningMean: Variable;
  readonly runningVar: Variable;
  readonly numBatchesTracked: Variable;
  private readonly momentum: number;

  constructor(channels: number, opts: NormOptions = {}) {
    super(channels, opts);
    this.momentum = opts.momentum ?? 0.1;
    this.runningMean = this.buffer('running_mean', tf.zeros([channels]));
    this.runningVar = this.buffer('running_var', tf.ones([channels]));
    this.numBatchesTracked = this.buffer('num_batches_tracked', tf.scalar(0, 'int32'));
  }

  apply(x: Tensor, relu = false): Tensor {
    if (!this.training) {
      return tf.tidy(() => {
        const scale = tf.mul(tf.rsqrt(tf.add(this.runningVar, this.eps)), this.weight ?? 1);
        const shift = tf.sub(this.bias ?? 0, tf.mul(this.runningMean, scale));
        return scaleShift(x, scale, shift, relu);
      });
    }
    const { y, mean, variance, count } = batchNormTrain(x, this.weight, this.bias, this.eps, relu);
    const m = this.momentum;
    const unbias = count / Math.max(count - 1, 1);
    const backend = tf.backend() as unknown as { updateRunningStats?: (...a: unknown[]) => boolean };
    if (!backend.updateRunningStats?.(this.runningMean, this.runningVar, this.numBatchesTracked, mean, variance, m, unbias)) {
      tf.tidy(() => {
        this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - m), tf.mul(tf.reshape(mean, [this.channels]), m)));
        this.runningVar.assign(tf.add(tf.mul(this.runningVar, 1 - m), tf.mul(tf.reshape(variance, [this.channels]), m * unbias)));
        this.numBatchesTracked.assign(tf.add(this.numBatchesTracked, tf.scalar(1, 'int32')));
      });
    }
    mean.dispose();
    variance.dispose();
    return y;
  }
}

/** InstanceNorm: per sample and channel over the spatial axes. */
export class InstanceNorm extends NormBase {
  /**
   * The statistics of each (sample, channel) are a BatchNorm's of one column: x as [S, B·C] (one transpose; a
   * reshape when B = 1), the affine-free batch normalisation (one native kernel each way on `onednn`), back, then
   * the affine. Normalising [B, S, C] over its middle axis directly reduces over an axis no native kernel carries,
   * and tfjs-cpu's generic Mean took ~400 ms a call at [4, 256², 16] on `onednn` (a loaded 2-core machine), the
   * native kernel ~80 ms for the whole normalisation there.
   */
  apply(x: Tensor, relu = false): Tensor {
    const b = x.shape[0], c = this.channels, p = x.size / (b * c);
    const cols = tf.tidy(() => (b === 1 ? tf.reshape(x, [p, c]) : tf.reshape(tf.transpose(tf.reshape(x, [b, p, c]), [1, 0, 2]), [p, b * c]))); // [S, B·C]
    const fuseRelu = relu && !this.weight;
    const { y, mean, variance } = batchNormTrain(cols, undefined, undefined, this.eps, fuseRelu);
    tf.dispose([cols, mean, variance]);
    return tf.tidy(() => {
      const back = b === 1 ? tf.reshape(y, x.shape) : tf.reshape(tf.transpose(tf.reshape(y, [p, b, c]), [1, 0, 2]), x.shape); // [B, ...S, C]
      y.dispose();
      const h = this.affine(back);
      return relu && !fuseRelu ? tf.relu(h) : h;
    });
  }
}

/** GroupNorm: per sample over the spatial axes and the C/G channels of each of G groups. */
export class GroupNorm extends NormBase {
  private readonly groups: number;

  constructor(channels: number, opts: NormOptions = {}) {
    super(channels, opts);
    this.groups = opts.groups ?? 8;
    if (channels % this.groups !== 0) throw new Error(`GroupNorm: ${channels} channels do not split into ${this.groups} groups (channels must be a multiple of groups)`);
  }

  /**
   * On channel columns [S, B·C] (`ops/group-norm.ts`): with one channel per group (C/G = 1) each column is a
   * BatchNorm's column, so the native BatchNorm kernel runs it with the affine and ReLU fused (γ, β repeated per
   * sample); otherwise the grouped column normalisation, then the affine.
   */
  apply(x: Tensor, relu = false): Tensor {
    const b = x.shape[0]!, cg = this.channels / this.groups;
    const cols = toChannelColumns(x); // [S, B·C]
    const tiled = (v?: Tensor) => (v && b > 1 ? tf.tile(v, [b]) : v); // [B·C]
    let y: Tensor;
    if (cg === 1) {
      const gamma = tiled(this.weight), beta = tiled(this.bias);
      const r = batchNormTrain(cols, gamma, beta, this.eps, relu);
      tf.dispose([r.mean, r.variance, ...(b > 1 && gamma ? [gamma, beta!] : [])]);
      y = r.y;
    } else {
      y = tf.tidy(() => {
        const h = normalizeColumnGroups(cols, cg, this.eps);
        const a = this.weight && this.bias ? perChannel(h, tiled(this.weight), tiled(this.bias)) : h;
        return relu ? tf.relu(a) : a;
      });
    }
    cols.dispose();
    const out = fromChannelColumns(y, x.shape); // [B, ...S, C]
    y.dispose();
    return out;
  }
}

export type Norm = BatchNorm | InstanceNorm | GroupNorm;

export function makeNorm(kind: NormKind, channels: number, opts: NormOptions): Norm | undefined {
  switch (kind) {
    case 'batch': return new BatchNorm(channels, opts);
    case 'instance': return new InstanceNorm(channels, opts);
    case 'group': return new GroupNorm(channels, opts);
    case 'none': return undefined;
  }
}
