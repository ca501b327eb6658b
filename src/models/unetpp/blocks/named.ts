/** A container whose children have PyTorch attribute names (`upsample.deconv`, `adn.N`), like an `nn.Sequential(OrderedDict)`. */
import { Module } from '../../../nn/module.js';

export class Named extends Module {
  add<M extends Module>(name: string, m: M): M {
    return this.child(name, m);
  }
}
