/**
 * nnU-Net v2's network topology rules (nnunetv2/experiment_planning/experiment_planners/network_topology.py) and its
 * feature-map size estimate (dynamic_network_architectures PlainConvUNet.compute_conv_feature_map_size).
 */

export interface Topology {
  /** Poolings per axis. */
  poolsPerAxis: number[];
  /** Per stage the stride of its first convolution ([1, …] for stage 0). */
  strides: number[][];
  /** Per stage the kernel per axis. */
  kernels: number[][];
  /** The patch padded up to a multiple of 2^pools per axis. */
  patch: number[];
  divisibleBy: number[];
}

/** `pad_shape`: each axis up to the next multiple of `by` (unchanged when it is one). */
export function padShape(shape: readonly number[], by: readonly number[]): number[] {
  return shape.map((s, a) => (s % by[a] === 0 ? s : s + by[a] - (s % by[a])));
}

/**
 * `get_pool_and_conv_props`: pool every axis whose feature map stays ≥ 2·minEdge and whose spacing is within 2× of
 * the finest of those axes (a single such axis only while it is ≥ 3·minEdge); an axis gets kernel 3 once its spacing
 * is within 2× of the finest, else 1; the bottleneck gets 3 everywhere.
 */
export function poolAndConvProps(spacing: readonly number[], patch: readonly number[], minEdge = 4, maxPools = 999999): Topology {
  const dim = spacing.length;
  const sp = [...spacing], size = [...patch];
  const strides: number[][] = [new Array(dim).fill(1)];
  const kernels: number[][] = [];
  const pools = new Array(dim).fill(0);
  const kernel = new Array(dim).fill(1);
  for (;;) {
    let valid = [...Array(dim).keys()].filter((i) => size[i] >= 2 * minEdge);
    if (valid.length < 1) break;
    const minValid = Math.min(...valid.map((i) => sp[i]));
    valid = valid.filter((i) => sp[i] / minValid < 2 && pools[i] < maxPools);
    if (valid.length === 1 && !(size[valid[0]] >= 3 * minEdge)) break;
    if (valid.length < 1) break;
    const finest = Math.min(...sp);
    for (let d = 0; d < dim; d++) if (kernel[d] !== 3 && sp[d] / finest < 2) kernel[d] = 3;
    const stride = new Array(dim).fill(1);
    for (const v of valid) {
      stride[v] = 2;
      pools[v]++;
      sp[v] *= 2;
      size[v] = Math.ceil(size[v] / 2);
    }
    strides.push(stride);
    kernels.push([...kernel]);
  }
  kernels.push(new Array(dim).fill(3));
  const divisibleBy = pools.map((p) => 2 ** p);
  return { poolsPerAxis: pools, strides, kernels, patch: padShape(patch, divisibleBy), divisibleBy };
}

/**
 * `compute_conv_feature_map_size` of PlainConvUNet (2 convolutions per stage, no deep supervision, as the planner
 * builds it): Σ encoder stages convs·F_s·|x_s| + Σ decoder stages (convs·F_s·|x_s| + F_s·|x_s| for the transposed
 * convolution) + classes·|x_0| for the segmentation output; |x_s| = the patch divided (floor) by the strides so far.
 */
export function featureMapSize(patch: readonly number[], strides: readonly (readonly number[])[], features: readonly number[], classes: number, convsPerStage = 2): number {
  const sizes: number[] = [];
  let cur = [...patch];
  for (const s of strides) {
    cur = cur.map((c, a) => Math.floor(c / s[a]));
    sizes.push(cur.reduce((x, y) => x * y, 1));
  }
  let out = 0;
  for (let s = 0; s < strides.length; s++) out += convsPerStage * features[s] * sizes[s];
  for (let s = strides.length - 2; s >= 0; s--) out += convsPerStage * features[s] * sizes[s] + features[s] * sizes[s];
  return out + classes * sizes[0];
}

/** Features per stage: 32 doubling, capped (320 in 3-D, 512 in 2-D). */
export const featuresPerStage = (stages: number, max: number, base = 32): number[] => Array.from({ length: stages }, (_, i) => Math.min(max, base * 2 ** i));
