/** A container whose children have names (`root`, `body`, `block1`, `unit1`): PyTorch's `nn.Sequential(OrderedDict(...))`. */
import { Module } from '../../../nn/module.js';

export class Named extends Module {
  add<M extends Module>(name: string, m: M): M {
    return this.child(name, m);
  }
}
