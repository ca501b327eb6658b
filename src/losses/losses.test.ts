/**
 * Losses on hand-computed examples. Logits ±ln 3 give sigmoid 0.75 / 0.25; softmax of [ln 2, 0, 0] is [.5, .25, .25].
 *
 * Binary batch (B = 2, 2 voxels each): p = [[.75, .25], [.75, .25]], t = [[1, 0], [0, 0]].
 *   Σpt = .75, Σp = 2, Σt = 1 → dice = (1.5 + 1)/(3 + 1) = .625, loss .375 (a per-image mean would give .3333).
 *   BCE = mean(−ln .75, −ln .75, −ln .25, −ln .75) = (3·.287682 + 1.386294)/4 = .562335.
 * Multiclass (K = 3, one image of 2 voxels): v0 logits [ln 2, 0, 0], t = 1; v1 logits [0, 0, ln 2], t = 2.
 *   p(v0) = [.5, .25, .25], p(v1) = [.25, .25, .5].
 *   class 1: Σpt = .25, Σp = .5, Σt = 1 → dice 1.5/2.5 = .6 → .4; class 2: Σpt = .5, Σp = .75, Σt = 1 → 2/2.75 → .272727.
 *   Dice loss (classes 1, 2) = .336364; class 0: Σpt = 0, Σp = .75, Σt = 0 → 1/1.75 → .428571.
 *   CE = (−ln .25 − ln .5)/2 = 1.039721.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../core/tf.js';
import { assertClose, assertNoLeak, numericalGradient, testBackends } from '../core/testing.js';
import { losses, lossFn, type LossInputs, type LossOptions } from './index.js';

const L3 = Math.log(3), L2 = Math.log(2);
const binLogits = () => tf.tensor([L3, -L3, L3, -L3], [2, 2, 1]);
const binTarget = () => tf.tensor([1, 0, 0, 0], [2, 2]);
const mcLogits = () => tf.tensor([L2, 0, 0, 0, 0, L2], [1, 2, 3]);
const mcTarget = () => tf.tensor([1, 2], [1, 2]);

function value(name: string, inputs: LossInputs, options?: LossOptions): number {
  const y = assertNoLeak(() => lossFn(name)(inputs, options));
  assert.deepEqual(y.shape, [], `${name} returns a scalar`);
  const v = y.dataSync()[0];
  y.dispose();
  return v;
}

test('registry lists the eight losses and suggests the nearest name', () => {
  assert.deepEqual(losses.names(), ['dice', 'bce', 'ce', 'bce-dice', 'ce-dice', 'weighted-ce', 'tversky', 'focal-tversky']);
  assert.throws(() => lossFn('dise'), /unknown loss 'dise'; did you mean 'dice'\?/);
});

for (const backend of await testBackends()) {
  test(`[${backend}] binary soft Dice sums over the whole batch → .375`, async () => {
    await tf.setBackend(backend);
    tf.tidy(() => {
      const inp = { logits: binLogits(), target: binTarget() };
      assertClose([value('dice', inp)], [0.375], 0, 1e-6, 'dice');
      assertClose([value('dice', inp, { eps: 0 })], [1 - 1.5 / 3], 0, 1e-6, 'dice ε = 0');
      // Weight 0 on image 1 leaves image 0 alone: Σpt = .75, Σp = 1, Σt = 1 → 1 − 2.5/3.
      const w = tf.tensor([1, 1, 0, 0], [2, 2]);
      assertClose([value('dice', { ...inp, weights: w })], [1 - 2.5 / 3], 0, 1e-6, 'masked dice');
    });
  });

  test(`[${backend}] BCE with logits: mean .562335, weighted mean, stable at |x| = 100`, async () => {
    await tf.setBackend(backend);
    tf.tidy(() => {
      const inp = { logits: binLogits(), target: binTarget() };
      const a = -Math.log(0.75), b = -Math.log(0.25);
      assertClose([value('bce', inp)], [(3 * a + b) / 4], 0, 1e-6, 'bce');
      // w = [2, 0, 1, 1]: (2a + b + a)/4.
      const w = tf.tensor([2, 0, 1, 1], [2, 2]);
      assertClose([value('bce', { ...inp, weights: w })], [(3 * a + b) / 4], 0, 1e-6, 'weighted bce');
      const w2 = tf.tensor([1, 0, 3, 0], [2, 2]);
      assertClose([value('bce', { ...inp, weights: w2 })], [(a + 3 * b) / 4], 0, 1e-6, 'weighted bce 2');
      // classWeights [bg 1, fg 3]: v = [3, 1, 1, 1] → (3a + a + b + a)/6.
      assertClose([value('bce', inp, { classWeights: [1, 3] })], [(5 * a + b) / 6], 0, 1e-6, 'class-weighted bce');
      const big = { logits: tf.tensor([100, -100, 100, -100], [1, 4, 1]), target: tf.tensor([0, 1, 1, 0], [1, 4]) };
      assertClose([value('bce', big)], [50], 1e-6, 1e-4, 'bce at ±100');
    });
  });

  test(`[${backend}] softmax CE 1.039721, multiclass Dice .336364, per-class and voxel weights`, async () => {
    await tf.setBackend(backend);
    tf.tidy(() => {
      const inp = { logits: mcLogits(), target: mcTarget() };
      const ce = (Math.log(4) + Math.log(2)) / 2;
      assertClose([value('ce', inp)], [ce], 0, 1e-6, 'ce');
      assertClose([value('dice', inp)], [(0.4 + 1 - 2 / 2.75) / 2], 0, 1e-6, 'dice classes 1, 2');
      assertClose([value('dice', inp, { diceClasses: [0, 1, 2] })], [(1 - 1 / 1.75 + 0.4 + 1 - 2 / 2.75) / 3], 0, 1e-6, 'dice all classes');
      assertClose([value('ce-dice', inp)], [ce + (0.4 + 1 - 2 / 2.75) / 2], 0, 1e-6, 'ce-dice');
      // Class weights [1, 1, 3]: (ln 4 + 3 ln 2)/4.
      assertClose([value('weighted-ce', inp, { classWeights: [1, 1, 3] })], [(Math.log(4) + 3 * Math.log(2)) / 4], 0, 1e-6, 'class-weighted ce');
      // Voxel weight 0 on v1 (unlabelled, target 255 there): CE = ln 4; Dice: class 1 as before on v0 only
      // (Σpt = .25, Σp = .25, Σt = 1 → 1 − 1.5/2.25), class 2 with no labelled voxel (Σp = .25 → 1 − 1/1.25).
      const sparse = { logits: mcLogits(), target: tf.tensor([1, 255], [1, 2]), weights: tf.tensor([1, 0], [1, 2]) };
      assertClose([value('weighted-ce', sparse)], [Math.log(4)], 0, 1e-6, 'ce with unlabelled voxel');
      assertClose([value('dice', sparse)], [(1 - 1.5 / 2.25 + 1 - 1 / 1.25) / 2], 0, 1e-6, 'dice with unlabelled voxel');
      const stable = { logits: tf.tensor([1000, 0, -1000], [1, 1, 3]), target: tf.tensor([2], [1, 1]) };
      assertClose([value('ce', stable)], [2000], 1e-6, 1e-3, 'ce at ±1000');
    });
  });

  test(`[${backend}] Tversky .256757 and focal Tversky .256757^0.75; α = β = ½ is Dice`, async () => {
    await tf.setBackend(backend);
    tf.tidy(() => {
      // p = [.75, .25, .75, .25], t = [1, 1, 1, 0]: tp = 1.75, fp = .25, fn = 1.25;
      // TI = 2.75 / (1.75 + .3·.25 + .7·1.25 + 1) = 2.75/3.7.
      const inp = { logits: tf.tensor([L3, -L3, L3, -L3], [1, 4, 1]), target: tf.tensor([1, 1, 1, 0], [1, 4]) };
      const tv = 1 - 2.75 / 3.7;
      assertClose([value('tversky', inp)], [tv], 0, 1e-6, 'tversky');
      assertClose([value('focal-tversky', inp)], [tv ** 0.75], 0, 1e-6, 'focal tversky');
      assertClose([value('focal-tversky', inp, { gamma: 2 })], [tv ** 2], 0, 1e-6, 'focal tversky γ 2');
      const half = { alpha: 0.5, beta: 0.5 };
      // (tp + ε)/(tp + ½fp + ½fn + ε) = (2tp + 2ε)/(Σp + Σt + 2ε): equal to Dice when ε = 0.
      assertClose([value('tversky', inp, { ...half, eps: 0 })], [value('dice', inp, { eps: 0 })], 0, 1e-6, 'tversky(½, ½) = dice');
      assertClose([value('bce-dice', inp)], [value('bce', inp) + value('dice', inp)], 0, 1e-6, 'bce-dice = bce + dice');
      // Multiclass example, class 2: tp = .5, fp = .25, fn = .5 → TI = 1.5/(.5 + .075 + .35 + 1).
      const mc = { logits: mcLogits(), target: mcTarget() };
      assertClose([value('tversky', mc, { diceClasses: [2] })], [1 - 1.5 / 1.925], 0, 1e-6, 'multiclass tversky');
    });
  });

  test(`[${backend}] gradients of ce-dice, bce-dice and focal-tversky match finite differences`, async () => {
    await tf.setBackend(backend);
    const cases: [string, number[], number[], number[]][] = [
      ['ce-dice', [1, 2, 3], [0.3, -0.2, 0.5, 1.1, -0.7, 0.1], [0, 2]],
      ['bce-dice', [1, 3, 1], [0.4, -1.2, 0.9], [1, 0, 1]],
      ['focal-tversky', [1, 3, 1], [0.4, -1.2, 0.9], [1, 0, 1]],
    ];
    for (const [name, shape, x, t] of cases) {
      const logits = tf.tensor(x, shape);
      const target = tf.tensor(t, shape.slice(0, -1));
      const f = (l: tf.Tensor) => lossFn(name)({ logits: l, target });
      const g = assertNoLeak(() => tf.grad((l: tf.Tensor) => f(l))(logits));
      const num = numericalGradient(f, logits);
      assertClose(g.dataSync(), num, 2e-2, 2e-3, `${name} gradient`);
      assert.ok(g.dataSync().some((v) => Math.abs(v) > 1e-3), `${name} gradient is not zero`);
      tf.dispose([g, logits, target]);
    }
  });

  test(`[${backend}] shape, mode and option errors name the value and the rule`, async () => {
    await tf.setBackend(backend);
    tf.tidy(() => {
      const mc = { logits: mcLogits(), target: mcTarget() };
      assert.throws(() => lossFn('bce')(mc), /bce: mode 'binary' needs K = 1 logit channel, got K = 3/);
      assert.throws(() => lossFn('ce')({ logits: mcLogits(), target: tf.zeros([1, 3]) }), /target shape \[1,3\] must equal the logits shape without K, \[1,2\]/);
      assert.throws(() => lossFn('dice')(mc, { diceClasses: [3] }), /diceClasses entry 3 must be an integer in \[0, 3\)/);
      assert.throws(() => lossFn('ce')(mc, { classWeights: [1, 2] }), /classWeights has 2 entries; it must have 3/);
      assert.throws(() => lossFn('weighted-ce')(mc), /needs inputs.weights .* or options.classWeights/);
    });
  });
}
