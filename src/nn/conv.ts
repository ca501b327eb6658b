/** Convolution layers with PyTorch's parameter names (`weight`, `bias`), stored in tfjs's channels-last layouts. */
import { tf, type Tensor, type Variable } from '../core/tf.js';
import { perChannel } from './ops/channel.js';
import type { Rng } from '../core/rng.js';
import { Module } from './module.js';
import { spatialOps, type Padding, type SpatialDims, type SpatialOps } from './factory.js';
import { uniformFanIn } from './init.js';

/**
 * conv k×k(×k); weight [k…, Cin, Cout]. `padding` is 'same' / 'valid' (stride 1) or PyTorch's symmetric integer
 * padding p (p voxels of zeros on both sides of every spatial axis, any stride): out = ⌊(n + 2p − k) / stride⌋ + 1.
 */
export class Conv extends Module {
  readonly weight: Variable;
  readonly bias?: Variable;
  private readonly ops: SpatialOps;

  constructor(dims: SpatialDims, readonly inChannels: number, readonly outChannels: number, readonly kernel: number,
              readonly padding: Padding | number, bias: boolean, rng: Rng, readonly stride = 1) {
    super();
    if (typeof padding === 'string' && stride !== 1) throw new Error(`Conv: padding '${padding}' needs stride 1 (got ${stride}); give PyTorch's integer padding`);
    this.ops = spatialOps(dims);
    const fanIn = inChannels * kernel ** dims;
    const ks = Array<number>(dims).fill(kernel);
    this.weight = this.param('weight', uniformFanIn(rng, [...ks, inChannels, outChannels], fanIn));
    if (bias) this.bias = this.param('bias', uniformFanIn(rng, [outChannels], fanIn));
  }

  apply(x: Tensor): Tensor {
    return tf.tidy(() => {
      const y = this.ops.conv(x, this.weight, this.padding, this.stride);
      return perChannel(y, undefined, this.bias);
    });
  }
}

/** Transposed conv with kernel = stride (2×2 s2 / 2×2×2 s2); weight [k…, Cout, Cin]. */
export class ConvTranspose extends Module {
  readonly weight: Variable;
  readonly bias?: Variable;
  private readonly ops: SpatialOps;

  constructor(dims: SpatialDims, readonly inChannels: number, readonly outChannels: number, readonly kernel: number,
              bias: boolean, rng: Rng) {
    super();
    this.ops = spatialOps(dims);
    // PyTorch computes ConvTranspose's fan-in from weight.size(1) = Cout.
    const fanIn = outChannels * kernel ** dims;
    const ks = Array<number>(dims).fill(kernel);
    this.weight = this.param('weight', uniformFanIn(rng, [...ks, outChannels, inChannels], fanIn));
    if (bias) this.bias = this.param('bias', uniformFanIn(rng, [outChannels], fanIn));
  }

  apply(x: Tensor): Tensor {
    return this.ops.convTranspose(x, this.weight, this.bias);
  }
}
