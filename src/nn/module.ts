/**
 * `Module`: a node of named parameters, buffers and children, with PyTorch's dotted state-dict naming
 * (`up1.conv.conv.0.weight`), so that weights map one-to-one onto a PyTorch `state_dict`.
 */
import { tf, type Tensor, type Variable } from '../core/tf.js';

export abstract class Module {
  /** Training mode (batch statistics in BatchNorm). Set for the whole tree with `train()` / `eval()`. */
  training = true;
  private readonly params = new Map<string, Variable>();
  private readonly buffers = new Map<string, Variable>();
  private readonly children = new Map<string, Module>();

  /** Registers a trainable parameter under `name`, taking ownership of `init`. */
  protected param(name: string, init: Tensor): Variable {
    const v = tf.variable(init, true, undefined, init.dtype);
    init.dispose();
    this.params.set(name, v);
    return v;
  }

  /** Registers a non-trainable buffer (BatchNorm running statistics) under `name`. */
  protected buffer(name: string, init: Tensor): Variable {
    const v = tf.variable(init, false, undefined, init.dtype);
    init.dispose();
    this.buffers.set(name, v);
    return v;
  }

  /** Registers a child module under `name` (a PyTorch attribute or `nn.Sequential` index). */
  protected child<M extends Module>(name: string | number, m: M): M {
    this.children.set(String(name), m);
    return m;
  }

  /** Every trainable parameter with its full dotted name, in registration order. */
  namedParameters(prefix = ''): [string, Variable][] {
    const out: [string, Variable][] = [...this.params].map(([n, v]) => [prefix + n, v]);
    for (const [n, c] of this.children) out.push(...c.namedParameters(`${prefix}${n}.`));
    return out;
  }

  /** Every buffer with its full dotted name. */
  namedBuffers(prefix = ''): [string, Variable][] {
    const out: [string, Variable][] = [...this.buffers].map(([n, v]) => [prefix + n, v]);
    for (const [n, c] of this.children) out.push(...c.namedBuffers(`${prefix}${n}.`));
    return out;
  }

  /** Parameters and buffers together: what a PyTorch `state_dict` holds. */
  stateEntries(): [string, Variable][] {
    return [...this.namedParameters(), ...this.namedBuffers()];
  }

  /** Number of trainable scalars. */
  parameterCount(): number {
    return this.namedParameters().reduce((n, [, v]) => n + v.size, 0);
  }

  train(mode = true): this {
    this.training = mode;
    for (const c of this.children.values()) c.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  dispose(): void {
    for (const [, v] of this.stateEntries()) v.dispose();
  }
}

/** An `nn.Sequential`-style container: children registered under their PyTorch indices. */
export class Sequence extends Module {
  add<M extends Module>(index: number, m: M): M {
    return this.child(index, m);
  }
}
