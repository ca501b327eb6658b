/**
 * Parity with MONAI's UNETR (`../shared/reference/variants.py` fixtures `unetr2d`, `unetr3d`) on every backend: eval
 * and train outputs and every gradient of sum(out²) at |a − b| ≤ 1e-4·max(1, max|ref|), no leaks.
 *
 * Two references in the fixtures are float32 round-off rather than the function's value, found by recomputing them in
 * PyTorch float64 with the fixtures' weights and input (PyTorch 1.13, CPU). The tests below say so and compare those
 * against what PyTorch computes exactly, at the same tolerance:
 *
 * - unetr2d, ∂/∂encoder1.layer.conv3.conv.weight (the 1×1 shortcut conv of the 1-channel image, followed by
 *   InstanceNorm): norm(w·x) does not depend on |w| except through ε, so the gradient is a sum Σ x·g whose terms cancel
 *   about 3,500-fold (Σ|x·g| = 9,108 for the first filter, the result −2.6159). PyTorch float32 is 4.7e-4 from its own
 *   float64 value (1.8e-4 of the tensor’s max, over the 1e-4 bound); ours is 3.5e-5 (cpu) / 7.1e-5 (onednn) from it
 *   (and 1.7e-4 / 1.5e-4 of the max from the fixture).
 *   That tensor (4 numbers) is compared with the float64 values; every other gradient with the fixture.
 * - unetr3d: one LeakyReLU pre-activation, decoder2.conv_block.norm1's output at [0, 12, 12, 46, channel 3]
 *   (channels-last; PyTorch's [0, 3, 12, 12, 46]), is within float32 round-off of 0: PyTorch float32 −1.827e-7,
 *   PyTorch float64 +3.401e-7, ours −2.43e-8 (cpu) and +7.30e-8 (onednn). Its sign picks the LeakyReLU slope (0.01 or
 *   1), and through InstanceNorm's backward that one element moves most upstream gradients by up to 7.75e-3 of their
 *   max. Measured over every gradient (max |a − b| / max(1, max|b|)): PyTorch float32 (the fixture) vs float64
 *   7.75e-3; ours on cpu (same side as float32) 4.9e-6 from the fixture, 7.75e-3 from float64; ours on onednn (same
 *   side as float64) 4.7e-6 from float64, 7.75e-3 from the fixture. The test pins our pre-activation there (|v| < 5e-7),
 *   then sets it to PyTorch float32's value (a shift of < 2e-7, a constant, so the gradient passes through unchanged),
 *   after which every output and gradient matches the fixture at 1e-4 on both backends.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, type Tensor } from '../../core/tf.js';
import { testBackends } from '../../core/testing.js';
import { assertCloseScaled, assertVariantParity, readVariantFixture } from '../parity-testing.js';
import type { Module } from '../../nn/module.js';
import { UNETR } from './unetr.js';
import { optionsFromFixture } from './fixture-options.js';

/** The submodule at a dotted state-dict path (test access to a module's private tree). */
function moduleAt(root: Module, path: string): Module {
  let m = root;
  for (const part of path.split('.')) {
    const next = (m as unknown as { children: Map<string, Module> }).children.get(part);
    assert.ok(next, `no module ${path} (at ${part})`);
    m = next;
  }
  return m;
}

/** PyTorch float64 values of the cancelling gradient (see the file comment). */
const UNETR2D_CONV3_GRAD_F64 = [-2.61591545925495, 0.012721438178909139, 0.02770577817580744, 0.013694011301195186];

/** unetr3d's near-zero pre-activation: module, channels-last flat index (0, 12, 12, 46, 3) in [1, 32, 32, 48, 4]. */
const FLIP = { module: 'decoder2.conv_block.norm1', index: ((12 * 32 + 12) * 48 + 46) * 4 + 3, torchF32: -1.82701314e-7, torchF64: 3.40085346e-7 };

for (const backend of await testBackends()) {
  test(`[${backend}] unetr2d: eval and train outputs and every gradient equal MONAI's UNETR`, async () => {
    await tf.setBackend(backend);
    const f = readVariantFixture('unetr2d');
    const net = new UNETR(optionsFromFixture(f.options));
    const tensors = net.namedParameters().length;
    let exact = 0;
    const compared = assertVariantParity(net, f, {
      skipGrad: (name, got) => {
        if (name !== 'encoder1.layer.conv3.conv.weight') return false;
        assertCloseScaled(got, UNETR2D_CONV3_GRAD_F64, 1e-4, `unetr2d ∂/∂${name} (vs PyTorch float64)`);
        return ++exact > 0;
      },
    });
    assert.equal(exact, 1);
    assert.equal(compared + exact, tensors, "every parameter's gradient compared");
  });

  test(`[${backend}] unetr3d: eval and train outputs and every gradient equal MONAI's UNETR (with PyTorch f32's LeakyReLU choice at its one near-zero pre-activation)`, async () => {
    await tf.setBackend(backend);
    const f = readVariantFixture('unetr3d');
    const net = new UNETR(optionsFromFixture(f.options));
    const norm = moduleAt(net, FLIP.module) as unknown as { apply(x: Tensor, relu?: boolean): Tensor };
    const apply = norm.apply.bind(norm);
    const seen: number[] = [];
    norm.apply = (x, relu) => tf.tidy(() => {
      const y = apply(x, relu);
      const v = y.dataSync()[FLIP.index];
      seen.push(v);
      const shift = tf.buffer(y.shape, 'float32');
      shift.values[FLIP.index] = FLIP.torchF32 - v; // a constant: the gradient passes through unchanged
      return tf.add(y, shift.toTensor());
    });
    const tensors = net.namedParameters().length;
    assert.equal(assertVariantParity(net, f), tensors, "every parameter's gradient compared");
    // Ours is within float32 round-off of 0 there, as PyTorch's float32 and float64 values are.
    assert.equal(seen.length, 2); // eval and train passes
    for (const v of seen) assert.ok(Math.abs(v) < 5e-7, `pre-activation ${v}: expected within 5e-7 of 0 (PyTorch float32 ${FLIP.torchF32}, float64 ${FLIP.torchF64})`);
  });
}
