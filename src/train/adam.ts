/**
 * Adam (Kingma & Ba), with PyTorch's update: m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g²,
 * p ← p − lr/(1−β1^t) · m / (√v/√(1−β2^t) + ε). On a backend that updates in place (`onednn`), one native pass per
 * parameter; elsewhere tfjs ops.
 */
import { TRAIN_DEFAULTS } from './defaults.js';
import { tf, type Tensor, type Variable } from '../core/tf.js';

export interface AdamOptions {
  /** Learning rate. Default `TRAIN_DEFAULTS.lr` (1e-3). */
  lr?: number;
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-8. */
  eps?: number;
}

/** A backend that can run Adam's update in place on a parameter's own storage. */
interface InPlaceAdam {
  adamInPlace(p: Variable, g: Tensor, m: Tensor, v: Tensor, lr: number, beta1: number, beta2: number, eps: number, step: number): boolean;
}

/** A variable of zeros that owns its storage alone (so the in-place path applies). */
function zerosVariable(like: Tensor): Variable {
  const z = tf.zerosLike(like);
  const v = tf.variable(z, false);
  z.dispose();
  return v;
}

export class Adam {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** Steps taken. */
  t = 0;
  private readonly moments = new Map<Variable, { m: Variable; v: Variable }>();

  constructor(o: AdamOptions = {}) {
    this.lr = o.lr ?? TRAIN_DEFAULTS.lr;
    this.beta1 = o.beta1 ?? 0.9;
    this.beta2 = o.beta2 ?? 0.999;
    this.eps = o.eps ?? 1e-8;
  }

  /** Applies one update; `lr` overrides the base rate (schedules). Gradients are not disposed. */
  step(params: Variable[], grads: Tensor[], lr = this.lr): void {
    this.t += 1;
    const { beta1: b1, beta2: b2, eps, t } = this;
    const backend = tf.backend() as unknown as Partial<InPlaceAdam>;
    params.forEach((p, i) => {
      const g = grads[i];
      let s = this.moments.get(p);
      if (!s) {
        s = { m: zerosVariable(p), v: zerosVariable(p) };
        this.moments.set(p, s);
      }
      if (backend.adamInPlace?.(p, g, s.m, s.v, lr, b1, b2, eps, t)) return;
      const { m, v } = s;
      tf.tidy(() => {
        m.assign(tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1)));
        v.assign(tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2)));
        const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(1 - b2 ** t)), eps);
        p.assign(tf.sub(p, tf.mul(tf.div(m, denom), lr / (1 - b1 ** t))));
      });
    });
  }

  /** Moments by parameter name, for checkpoints: `${name}.m`, `${name}.v`. */
  stateTensors(named: [string, Variable][]): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const [n, p] of named) {
      const s = this.moments.get(p);
      if (s) { out.set(`${n}.m`, s.m); out.set(`${n}.v`, s.v); }
    }
    return out;
  }

  /** Restores moments saved by `stateTensors` (values copied) and the step count. */
  loadState(named: [string, Variable][], state: Map<string, Tensor>, t: number): void {
    this.t = t;
    for (const [n, p] of named) {
      const m = state.get(`${n}.m`), v = state.get(`${n}.v`);
      if (!m || !v) continue;
      this.moments.get(p)?.m.dispose();
      this.moments.get(p)?.v.dispose();
      const mv = zerosVariable(p), vv = zerosVariable(p);
      mv.assign(m);
      vv.assign(v);
      this.moments.set(p, { m: mv, v: vv });
    }
  }

  dispose(): void {
    for (const { m, v } of this.moments.values()) { m.dispose(); v.dispose(); }
    this.moments.clear();
  }
}
