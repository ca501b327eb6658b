// Time per kernel of one training step (tf.profile), summed by kernel name, and the step's wall time.
//   node --import tsx bench/profile-kernels.ts [b16 | b64 | 3d | demo]
//   b16: seed2d base 16, 4×128² (unet2d-b16-128x4-train); b64: base 64, 256²; 3d: seed3d base 16, 64³;
//   demo: what `unet demo` trains, seed2d base 16, 4×256²
import { tf } from '../src/core/tf.js';
import { trainStep, type Optimizer } from '../src/train/step.js';
import { useBestBackend } from '../src/backends/select.js';
import { createNet, presetSpec } from '../src/models/registry.js';
import { Adam } from '../src/train/adam.js';
await useBestBackend();
const which = process.argv[2] ?? 'b16';
const [preset, base, cls, shape] = which === '3d' ? ['seed3d', 16, 3, [1, 64, 64, 64, 1]] : which === 'b64' ? ['seed2d', 64, 1, [1, 256, 256, 1]] : which === 'demo' ? ['seed2d', 16, 1, [4, 256, 256, 1]] : ['seed2d', 16, 1, [4, 128, 128, 1]];
const model = createNet(presetSpec(preset as string, { base: base as number, classes: cls as number }));
const x = tf.randomNormal(shape as number[]);
const params = model.namedParameters().map(([, v]) => v);
const opt = new Adam();
let tAdam = 0;
const y = tf.zeros((shape as number[]).slice(0, -1)); // unused by the loss
const timedAdam: Optimizer = { step: (p, g, lr) => { const t = performance.now(); opt.step(p, g, lr); tAdam += performance.now() - t; } };
const step = () => { const value = trainStep(model, timedAdam, (z) => tf.mean(tf.square(z)) as tf.Scalar, { x, y }, undefined, params); value.dataSync(); value.dispose(); };
step(); step();
const prof = await tf.profile(() => { step(); });
const agg = new Map<string, [number, number]>();
for (const k of prof.kernels) { const a = agg.get(k.name) ?? [0, 0]; a[0] += k.kernelTimeMs as number; a[1]++; agg.set(k.name, a); }
console.log([...agg].sort((a, b) => b[1][0] - a[1][0]).slice(0, 16).map(([n, [ms, c]]) => `${n.padEnd(28)} ${ms.toFixed(1).padStart(8)} ms  ×${c}`).join('\n'));
console.log('total kernel ms', prof.kernels.reduce((s, k) => s + (k.kernelTimeMs as number), 0).toFixed(1));
tAdam = 0; const ts = []; for (let i = 0; i < 3; i++) { const t0 = performance.now(); step(); ts.push(performance.now() - t0); } console.log('step ms', ts.map(t => t.toFixed(0)).join(' '), 'adam ms/step', (tAdam / 3).toFixed(1));
