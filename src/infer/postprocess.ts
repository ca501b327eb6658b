/**
 * From probabilities to a label map: argmax over classes (K ≥ 2) or a threshold on the foreground probability
 * (K = 1), then optionally only the largest connected component of each foreground class is kept (nnU-Net's
 * post-processing). Connectivity 'face' (4 neighbours in 2-D, 6 in 3-D; the common default) or 'full' (8 / 26).
 * Typed arrays, channels-last, row-major; works for any number of spatial axes.
 */
import { lookUpOption } from '../core/registry.js';
import type { ProbabilityMap } from './sliding-window.js';

export type Connectivity = 'face' | 'full';

export interface PostprocessOptions {
  /** One class (K = 1): foreground (1) where p > threshold. Default 0.5. Ignored for K ≥ 2 (argmax). */
  threshold?: number;
  /** Keep only the largest connected component of each foreground class (the rest becomes 0). Default false. */
  largestComponent?: boolean;
  /** Neighbourhood of the components: 'face' (4 / 6) or 'full' (8 / 26). Default 'face'. */
  connectivity?: Connectivity;
}

/** Class index per voxel: argmax over the K classes (the first on ties), or p > threshold for K = 1. */
export function probabilitiesToLabels(p: ProbabilityMap, threshold = 0.5): Int32Array {
  const k = p.classes, n = p.data.length / k;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (k === 1) {
      out[i] = p.data[i] > threshold ? 1 : 0;
      continue;
    }
    let best = 0;
    for (let c = 1; c < k; c++) if (p.data[i * k + c] > p.data[i * k + best]) best = c;
    out[i] = best;
  }
  return out;
}

/** Flat offsets and coordinate steps of the neighbours of a voxel. */
function neighbours(shape: readonly number[], connectivity: Connectivity): number[][] {
  const deltas: number[][] = [];
  const walk = (prefix: number[]) => {
    if (prefix.length === shape.length) {
      const nonzero = prefix.filter((d) => d !== 0).length;
      if (nonzero > 0 && (connectivity === 'full' || nonzero === 1)) deltas.push(prefix);
      return;
    }
    for (const d of [-1, 0, 1]) walk([...prefix, d]);
  };
  walk([]);
  return deltas;
}

/**
 * Connected components of the voxels where `mask` is non-zero: `labels` 1 … n per component (0 outside the mask),
 * `sizes[j]` the voxels of component j + 1, numbered in order of their first voxel.
 */
export function connectedComponents(mask: ArrayLike<number>, shape: readonly number[], connectivity: Connectivity = 'face'): { labels: Int32Array; sizes: number[] } {
  const n = shape.reduce((a, b) => a * b, 1);
  if (mask.length !== n) throw new Error(`connectedComponents: mask length ${mask.length} must equal the shape's size ${n} ([${shape}])`);
  const conn = lookUpOption('connectivity', connectivity, ['face', 'full'] as const);
  const dims = shape.length;
  const strides = shape.map((_, a) => shape.slice(a + 1).reduce((x, y) => x * y, 1));
  const deltas = neighbours(shape, conn);
  const labels = new Int32Array(n);
  const queue = new Int32Array(n);
  const coord = new Array<number>(dims);
  const sizes: number[] = [];
  for (let seed = 0; seed < n; seed++) {
    if (!mask[seed] || labels[seed]) continue;
    const id = sizes.length + 1;
    let head = 0, tail = 0;
    queue[tail++] = seed;
    labels[seed] = id;
    while (head < tail) {
      const v = queue[head++];
      for (let a = 0, r = v; a < dims; a++) { coord[a] = Math.floor(r / strides[a]); r -= coord[a] * strides[a]; }
      for (const d of deltas) {
        let u = 0, inside = true;
        for (let a = 0; a < dims && inside; a++) {
          const c = coord[a] + d[a];
          inside = c >= 0 && c < shape[a];
          u += c * strides[a];
        }
        if (inside && mask[u] && !labels[u]) { labels[u] = id; queue[tail++] = u; }
      }
    }
    sizes.push(tail);
  }
  return { labels, sizes };
}

/**
 * Keeps, for every class > 0 in `labels`, only its largest connected component (the first found on ties); the other
 * voxels of that class become 0. Returns a new array.
 */
export function keepLargestComponent(labels: ArrayLike<number>, shape: readonly number[], connectivity: Connectivity = 'face'): Int32Array {
  const out = Int32Array.from(labels);
  const classes = [...new Set(out)].filter((c) => c > 0);
  for (const cls of classes) {
    const { labels: comp, sizes } = connectedComponents(out.map((v) => (v === cls ? 1 : 0)), shape, connectivity);
    const keep = sizes.indexOf(Math.max(...sizes)) + 1;
    for (let i = 0; i < out.length; i++) if (comp[i] && comp[i] !== keep) out[i] = 0;
  }
  return out;
}

/** Probabilities → labels (argmax / threshold), then the largest component per class if asked (options above). */
export function postprocess(p: ProbabilityMap, options: PostprocessOptions = {}): Int32Array {
  const labels = probabilitiesToLabels(p, options.threshold ?? 0.5);
  return options.largestComponent ? keepLargestComponent(labels, p.shape, options.connectivity ?? 'face') : labels;
}
