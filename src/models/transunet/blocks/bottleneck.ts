/**
 * Bottleneck (upstream's `PreActBottleneck`, computed post-norm):
 * relu(res + gn3(conv3 1×1(relu(gn2(conv2 3×3/s(relu(gn1(conv1 1×1(x))))))))), res = gn_proj(downsample 1×1/s(x)) or x.
 */
import { tf, type Tensor } from '../../../core/tf.js';
import type { Rng } from '../../../core/rng.js';
import { Module } from '../../../nn/module.js';
import { GroupNorm } from '../../../nn/norm.js';
import { RESNET_GROUPS } from '../options.js';
import { StdConv } from './std-conv.js';

/** ε of the ResNet's GroupNorms (gn_proj keeps PyTorch's default 1e-5). */
export const GN_EPS = 1e-6;

export class Bottleneck extends Module {
  private readonly gn1: GroupNorm;
  private readonly conv1: StdConv;
  private readonly gn2: GroupNorm;
  private readonly conv2: StdConv;
  private readonly gn3: GroupNorm;
  private readonly conv3: StdConv;
  private readonly downsample?: StdConv;
  private readonly gnProj?: GroupNorm;

  /** Upstream's registration order (gn1, conv1, gn2, conv2, gn3, conv3, downsample, gn_proj), so state dicts list alike. */
  constructor(cin: number, cout: number, cmid: number, stride: number, rng: Rng) {
    super();
    const gn = (c: number) => new GroupNorm(c, { groups: RESNET_GROUPS, eps: GN_EPS });
    this.gn1 = this.child('gn1', gn(cmid));
    this.conv1 = this.child('conv1', new StdConv(cin, cmid, 1, 1, 0, rng));
    this.gn2 = this.child('gn2', gn(cmid));
    this.conv2 = this.child('conv2', new StdConv(cmid, cmid, 3, stride, 1, rng));
    this.gn3 = this.child('gn3', gn(cout));
    this.conv3 = this.child('conv3', new StdConv(cmid, cout, 1, 1, 0, rng));
    if (stride !== 1 || cin !== cout) {
      this.downsample = this.child('downsample', new StdConv(cin, cout, 1, stride, 0, rng));
      this.gnProj = this.child('gn_proj', new GroupNorm(cout, { groups: cout, eps: 1e-5 })); // one group per channel
    }
  }

  apply(x: Tensor): Tensor {
    return tf.tidy(() => {
      const res = this.downsample ? this.gnProj!.apply(this.downsample.apply(x)) : x; // [B, H/s, W/s, Cout]
      let y = this.gn1.apply(this.conv1.apply(x), true); // [B, H, W, Cmid]
      y = this.gn2.apply(this.conv2.apply(y), true); // [B, H/s, W/s, Cmid]
      y = this.gn3.apply(this.conv3.apply(y)); // [B, H/s, W/s, Cout]
      return tf.relu(tf.add(res, y));
    });
  }
}
