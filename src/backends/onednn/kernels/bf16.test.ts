import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { compareBackends, nativeSkip, nativeTest } from '../testing.js';
import { loadAddon } from '../native.js';

const addon = loadAddon().addon;
const bf16 = !nativeSkip && addon !== undefined && ['avx512_core_bf16', 'avx512_core_amx'].includes(addon.info().isa);
const rnd = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

// bf16 keeps 8 bits of mantissa: sums of a few hundred products agree with fp32 to about 1e-2 of their scale.
for (const [label, xs, ws] of [['2-D', [2, 12, 10, 16], [3, 3, 16, 8]], ['3-D', [1, 6, 7, 5, 8], [3, 3, 3, 8, 4]]] as const) {
  nativeTest(`bf16 precision: ${label} conv forward, ∂x, ∂w within bf16 accuracy of fp32${bf16 ? '' : ' (skipped: no AVX512-BF16)'}`, async () => {
    if (!bf16) return;
    addon!.setPrecision('bf16');
    try {
      await compareBackends(`bf16 conv ${label}`, () => [rnd([...xs], 1), rnd([...ws], 2)], (x, w) => {
        const f = (a: tf.Tensor, b: tf.Tensor) => (a.rank === 4 ? tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same') : tf.conv3d(a as tf.Tensor5D, b as tf.Tensor5D, 1, 'same'));
        const r = tf.randomNormal(f(x, w).shape, 0, 1, 'float32', 3);
        return [f(x, w), ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), r)))([x, w])];
      }, 2e-2);
      // and bf16 really is in force: the result differs from fp32's
      await tf.setBackend('onednn');
      const x = rnd([...xs], 1), w = rnd([...ws], 2);
      const conv = () => (x.rank === 4 ? tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same') : tf.conv3d(x as tf.Tensor5D, w as tf.Tensor5D, 1, 'same')).dataSync();
      const lo = conv();
      addon!.setPrecision('fp32');
      const hi = conv();
      const diff = Math.max(...Array.from(lo, (v, i) => Math.abs(v - hi[i])));
      assert.ok(diff > 1e-4, `bf16 result equals fp32's (max diff ${diff})`);
    } finally {
      addon!.setPrecision('fp32');
    }
  });
}

// `--precision auto` asks for bf16 and gets it only where oneDNN's ISA, capped or not, has AVX512-BF16 or AMX (under
// ONEDNN_MAX_CPU_ISA=AVX2 on this machine, src/backends/onednn/isa.test.ts runs this file again).
nativeTest('bf16 is granted exactly where oneDNN\'s ISA has AVX512-BF16 or AMX', () => {
  const got = addon!.setPrecision('bf16');
  addon!.setPrecision('fp32');
  assert.equal(got, bf16 ? 'bf16' : 'fp32', `ISA ${addon!.info().isa}`);
});
