// Time per kernel of one nnU-Net-from-a-plan training step (tf.profile), summed by kernel name, and the step's wall time.
//   node --import tsx bench/profile-nnunet.ts [3d | 2d] [batch]
//   3d: the hippocampus plan's 3d_fullres (40×56×40, features 32…256, 4 stages, 3 classes, deep supervision, Dice + CE,
//   SGD Nesterov, clipping 12); 2d: its 2d configuration (56×40, features 32…256… 5 stages).
import { tf } from '../src/core/tf.js';
import { trainStep, nnunetHeadWeights } from '../src/train/step.js';
import { useBestBackend } from '../src/backends/select.js';
import { createNet, resolveSpec } from '../src/models/registry.js';
import { Sgd } from '../src/train/sgd.js';
import { lossFn } from '../src/losses/index.js';
import { NNUNET_RECIPE } from '../src/train/plan-recipe.js';
await useBestBackend();
const which = process.argv[2] ?? '3d';
const batch = Number(process.argv[3] ?? 2);
const opts = which === '2d'
  ? { spatialDims: 2, inChannels: 1, classes: 3, features: [32, 64, 128, 256], kernels: [[3, 3], [3, 3], [3, 3], [3, 3]], strides: [[1, 1], [2, 2], [2, 2], [2, 2]], deepSupervision: true }
  : { spatialDims: 3, inChannels: 1, classes: 3, features: [32, 64, 128, 256], kernels: [[3, 3, 3], [3, 3, 3], [3, 3, 3], [3, 3, 3]], strides: [[1, 1, 1], [2, 2, 2], [2, 2, 2], [2, 2, 2]], deepSupervision: true };
const patch = which === '2d' ? [56, 40] : [40, 56, 40];
const model = createNet(resolveSpec('nnunet', opts));
model.train?.(true);
const x = tf.randomNormal([batch, ...patch, 1]);
const y = tf.floor(tf.randomUniform([batch, ...patch], 0, 3));
const params = model.namedParameters().map(([, v]) => v);
const opt = new Sgd({ momentum: 0.99, nesterov: true, weightDecay: 3e-5 });
const ce = lossFn('ce-dice');
const loss = (logits: tf.Tensor, target: tf.Tensor, weights?: tf.Tensor) => ce({ logits, target, weights }, NNUNET_RECIPE.lossOptions);
const so = { headWeights: nnunetHeadWeights(3), clipNorm: 12 };
const step = () => { const v = trainStep(model as never, opt, loss, { x, y }, 0.01, params, so); v.dataSync(); v.dispose(); };
step(); step();
const prof = await tf.profile(() => { step(); });
const agg = new Map<string, [number, number]>();
for (const k of prof.kernels) { const a = agg.get(k.name) ?? [0, 0]; a[0] += k.kernelTimeMs as number; a[1]++; agg.set(k.name, a); }
console.log([...agg].sort((a, b) => b[1][0] - a[1][0]).slice(0, 24).map(([n, [ms, c]]) => `${n.padEnd(28)} ${ms.toFixed(1).padStart(8)} ms  ×${c}`).join('\n'));
console.log('kernels', prof.kernels.length, 'total kernel ms', prof.kernels.reduce((s, k) => s + (k.kernelTimeMs as number), 0).toFixed(1));
const ts = []; for (let i = 0; i < 3; i++) { const t0 = performance.now(); step(); ts.push(performance.now() - t0); } console.log('backend', tf.getBackend(), 'step ms', ts.map(t => t.toFixed(0)).join(' '), 'tensors', tf.memory().numTensors);
if (process.env.TOP) {
  const prof2 = await tf.profile(() => { step(); });
  const top = prof2.kernels.filter((k) => !k.name.startsWith('Conv')).sort((a, b) => (b.kernelTimeMs as number) - (a.kernelTimeMs as number)).slice(0, Number(process.env.TOP));
  for (const k of top) console.log(k.name.padEnd(24), (k.kernelTimeMs as number).toFixed(2).padStart(7), 'ms', JSON.stringify(k.inputShapes), '→', JSON.stringify(k.outputShapes));
}
