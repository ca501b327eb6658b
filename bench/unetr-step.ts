/**
 * Seconds per training step of a preset (any architecture): Adam, loss = mean of squared logits, through the one
 * training step (`src/train/step.ts`, `variableGrads`). Usage:
 *   node --import tsx bench/unetr-step.ts PRESET BATCH [BACKEND=onednn] [STEPS=3]
 * e.g. `unetr-small2d 4` (4×256²), `unetr-small 2` (2×48×64×48), `small2d 4` (the U-Net, for comparison).
 */
import { tf } from '../src/core/tf.js';
import { testBackends } from '../src/core/testing.js';
import { createNet, presetSpec, presets } from '../src/models/registry.js';
import { Adam } from '../src/train/adam.js';
import { trainStep } from '../src/train/step.js';

const [name = 'unetr-small2d', batchArg = '4', backend = 'onednn', stepsArg = '3'] = process.argv.slice(2);
await testBackends();
await tf.setBackend(backend);
const p = presets.get(name);
const spec = presetSpec(name);
const net = createNet(spec);
const o = spec.options as { inChannels: number; classes: number };
const batch = Number(batchArg);
const x = tf.randomNormal([batch, ...p.defaultInput, o.inChannels], 0, 1, 'float32', 1);
const y = tf.zeros([batch, ...p.defaultInput]);
const opt = new Adam({ lr: 1e-4 });
const loss = (logits: tf.Tensor) => tf.mean(tf.square(logits)) as tf.Scalar;
net.train();
const times: number[] = [];
for (let i = 0; i <= Number(stepsArg); i++) {
  const t0 = performance.now();
  trainStep(net, opt, loss, { x, y }).dispose();
  if (i > 0) times.push((performance.now() - t0) / 1000); // the first step warms up
}
times.sort((a, b) => a - b);
console.log(JSON.stringify({ preset: name, backend, batch, input: p.defaultInput, params: net.parameterCount(), s_median: +times[times.length >> 1].toFixed(3), s_min: +times[0].toFixed(3), steps: times.length }));
