/**
 * Transposed convolution whose kernel equals its stride (2×2 stride 2, 2×2×2 stride 2: the up-convolutions of
 * Ronneberger 2015 and Çiçek 2016). With no overlap between output tiles it is one matrix product and a
 * depth-to-space shuffle: y[b, k·i+a, k·j+b', co] = Σ_ci x[b,i,j,ci] · W[a,b',co,ci] + bias[co]. Built from
 * matMul, reshape and transpose (rank ≤ 6), it has tfjs's gradients on every backend — tfjs-core has none for
 * conv3dTranspose. The reshapes are views (view.ts): under a gradient tape they keep nothing alive.
 *
 * `filter` uses tfjs's conv-transpose layout: [k, k, Cout, Cin] in 2-D, [k, k, k, Cout, Cin] in 3-D.
 */
import { tf, type Tensor } from '../../core/tf.js';
import { perChannel } from './channel.js';
import { view } from './view.js';

export function convTransposeTiled(x: Tensor, filter: Tensor, bias?: Tensor): Tensor {
  return tf.tidy(() => {
    const dims = x.rank - 2;
    const k = filter.shape[0];
    const [cout, cin] = filter.shape.slice(-2);
    if (x.shape[x.rank - 1] !== cin) throw new Error(`transposed convolution: input has ${x.shape[x.rank - 1]} channels, the filter expects ${cin}`);
    const kk = k ** dims;
    // [Cin, k…, Cout] flattened to [Cin, kᵈ·Cout]
    const perm = [dims + 1, ...Array.from({ length: dims }, (_, i) => i), dims];
    const w = view(tf.transpose(filter, perm), [cin, kk * cout]);
    const spatial = x.shape.slice(1, -1);
    const b = x.shape[0];
    let y = tf.matMul(view(x, [-1, cin]), w); // [B·∏S, kᵈ·Cout]
    if (dims === 2) {
      const [h, wd] = spatial;
      y = view(y, [b * h, wd, k, k * cout]); // [B·H, W, a, (b', Cout)]
      y = tf.transpose(y, [0, 2, 1, 3]); // [B·H, a, W, (b', Cout)]
      y = view(y, [b, h * k, wd * k, cout]); // [B, kH, kW, Cout]
    } else {
      const [d, h, wd] = spatial;
      y = view(y, [b * d, h, wd, k, k, k * cout]); // [B·D, H, W, a, b', (c', Cout)]
      y = tf.transpose(y, [0, 3, 1, 4, 2, 5]); // [B·D, a, H, b', W, (c', Cout)]
      y = view(y, [b, d * k, h * k, wd * k, cout]); // [B, kD, kH, kW, Cout]
    }
    return perChannel(y, undefined, bias);
  });
}
