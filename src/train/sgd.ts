/** SGD with (Nesterov) momentum, PyTorch's formulation: b ← μ·b + g; step = g + μ·b (Nesterov) or b; p ← p − lr·step. */
import { tf, type Tensor, type Variable } from '../core/tf.js';

export interface SgdOptions {
  /** Default 0.01. */
  lr?: number;
  /** Default 0.99 (nnU-Net's). */
  momentum?: number;
  /** Default true. */
  nesterov?: boolean;
  /** L2 weight decay added to the gradient. Default 0. */
  weightDecay?: number;
}

/** A backend that can run the update in place on a parameter's own storage (the native backend). */
interface InPlaceSgd {
  sgdInPlace(p: Variable, g: Tensor, buf: Variable, lr: number, momentum: number, weightDecay: number, nesterov: boolean, first: boolean): boolean;
}

export class Sgd {
  readonly lr: number;
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
  t = 0;
  readonly buffers = new Map<Variable, Variable>();

  constructor(o: SgdOptions = {}) {
    this.lr = o.lr ?? 0.01;
    this.momentum = o.momentum ?? 0.99;
    this.nesterov = o.nesterov ?? true;
    this.weightDecay = o.weightDecay ?? 0;
  }

  step(params: Variable[], grads: Tensor[], lr = this.lr): void {
    this.t += 1;
    const mu = this.momentum;
    const backend = tf.backend() as unknown as Partial<InPlaceSgd>;
    params.forEach((p, i) => {
      if (backend.sgdInPlace) {
        let b = this.buffers.get(p);
        const first = !b;
        if (!b) {
          const z = tf.zerosLike(p);
          b = tf.variable(z, false); // shares z's storage until z is disposed: the buffer must be its sole owner
          z.dispose();
          this.buffers.set(p, b);
        }
        if (backend.sgdInPlace(p, grads[i], b, lr, mu, this.weightDecay, this.nesterov, first)) return;
        if (first) {
          this.buffers.delete(p);
          b.dispose();
        }
      }
      tf.tidy(() => {
        let g = grads[i];
        if (this.weightDecay) g = tf.add(g, tf.mul(p, this.weightDecay));
        let b = this.buffers.get(p);
        if (!b) {
          b = tf.variable(tf.clone(g), false);
          this.buffers.set(p, b);
        } else {
          b.assign(tf.add(tf.mul(b, mu), g));
        }
        const stepDir = this.nesterov ? tf.add(g, tf.mul(b, mu)) : b;
        p.assign(tf.sub(p, tf.mul(stepDir, lr)));
      });
    });
  }

  /** The momentum buffers by parameter name (`<name>.b`), for checkpoints. */
  stateTensors(named: [string, Variable][]): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const [n, p] of named) {
      const b = this.buffers.get(p);
      if (b) out.set(`${n}.b`, b);
    }
    return out;
  }

  /** Restores buffers saved by `stateTensors` (values copied) and the step count. */
  loadState(named: [string, Variable][], state: Map<string, Tensor>, t: number): void {
    this.t = t;
    for (const [n, p] of named) {
      const b = state.get(`${n}.b`);
      if (!b) continue;
      this.buffers.get(p)?.dispose();
      const copy = tf.tensor(b.dataSync(), b.shape, 'float32'); // its own storage: the in-place update may own it
      this.buffers.set(p, tf.variable(copy, false));
      copy.dispose();
    }
  }

  dispose(): void {
    for (const b of this.buffers.values()) b.dispose();
    this.buffers.clear();
  }
}
