/** Convolution layers with PyTorch's parameter names (`weight`, `bias`), stored in tfjs's channels-last layouts. */
import { tf, type Tensor, type Variable } from '../core/tf.js';
import { perChannel } from './ops/channel.js';
import type { Rng } from '../core/rng.js';
import { Module } from './module.js';
import { spatialOps, type Padding, type SpatialDims, type SpatialOps } from './factory.js';
import { uniformFanIn } from './init.js';
import { convTranspose, convTransposeSize, type ConvTransposeGeometry } from './ops/conv-transpose.js';

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

  /** The convolution, plus the bias unless `addBias` is false (a normalisation that follows cancels it). */
  apply(x: Tensor, addBias = true): Tensor {
    return tf.tidy(() => {
      const y = this.ops.conv(x, this.weight, this.padding, this.stride);
      return addBias ? perChannel(y, undefined, this.bias) : y;
    });
  }
}

/**
 * Transposed conv k×k(×k), stride s, PyTorch's padding p and output_padding op (`nn.ConvTranspose{2,3}d`): out =
 * (n − 1)·s − 2p + k + op per axis; weight [k…, Cout, Cin] (PyTorch's [Cin, Cout, k…]). With the defaults (s = k,
 * p = op = 0: the U-Net's 2×2 stride-2 up-convolution) the output tiles do not overlap and it runs as one matrix
 * product and a depth-to-space shuffle (`convTransposeTiled`); otherwise as the adjoint of a strided convolution
 * (`convTranspose`), with gradients for input and weight on every backend, 2-D and 3-D.
 */
export class ConvTranspose extends Module {
  readonly weight: Variable;
  readonly bias?: Variable;
  readonly stride: number;
  readonly padding: number;
  readonly outputPadding: number;
  private readonly ops: SpatialOps;

  constructor(dims: SpatialDims, readonly inChannels: number, readonly outChannels: number, readonly kernel: number,
              bias: boolean, rng: Rng, geometry: ConvTransposeGeometry = {}) {
    super();
    this.ops = spatialOps(dims);
    this.stride = geometry.stride ?? kernel;
    this.padding = geometry.padding ?? 0;
    this.outputPadding = geometry.outputPadding ?? 0;
    convTransposeSize(1, kernel, this.stride, this.padding, this.outputPadding); // checks the geometry now, not at the first call
    // PyTorch computes ConvTranspose's fan-in from weight.size(1) = Cout.
    const fanIn = outChannels * kernel ** dims;
    const ks = Array<number>(dims).fill(kernel);
    this.weight = this.param('weight', uniformFanIn(rng, [...ks, outChannels, inChannels], fanIn));
    if (bias) this.bias = this.param('bias', uniformFanIn(rng, [outChannels], fanIn));
  }

  /** Whether the output tiles do not overlap (kernel = stride, no padding): the matrix-product path. */
  get tiled(): boolean {
    return this.stride === this.kernel && this.padding === 0 && this.outputPadding === 0;
  }

  /** Output size along one axis for input size n. */
  outputSize(n: number): number {
    return convTransposeSize(n, this.kernel, this.stride, this.padding, this.outputPadding);
  }

  /** The transposed convolution, plus the bias unless `addBias` is false (a normalisation that follows cancels it). */
  apply(x: Tensor, addBias = true): Tensor {
    const bias = addBias ? this.bias : undefined;
    if (this.tiled) return this.ops.convTranspose(x, this.weight, bias);
    return tf.tidy(() => {
      const y = convTranspose(x, this.weight, { stride: this.stride, padding: this.padding, outputPadding: this.outputPadding }); // [B, ...S_out, Cout]
      return perChannel(y, undefined, bias);
    });
  }
}
