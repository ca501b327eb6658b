import { tf, initBackend } from './src/core/tf.ts';
import { registerOneDnnBackend } from './src/backends/onednn/register.ts';
import { UNet } from './src/models/unet.ts';
import { presetOptions } from './src/models/presets.ts';
import { Adam } from './src/train/adam.ts';
registerOneDnnBackend(); await initBackend();
const [preset, base, cls, shape] = process.argv[2] === '3d' ? ['seed3d', 16, 3, [1,64,64,64,1]] : process.argv[2] === 'b64' ? ['seed2d', 64, 1, [1,256,256,1]] : ['seed2d', 16, 1, [4,128,128,1]];
const model = new UNet(presetOptions(preset as any, { base: base as number, classes: cls as number }));
const x = tf.randomNormal(shape as number[]);
const params = model.namedParameters().map(([, v]) => v);
const opt = new Adam();
const step = () => { const { value, grads } = tf.variableGrads(() => tf.tidy(() => tf.mean(tf.square(model.forward(x))) as tf.Scalar), params); opt.step(params, params.map(p => grads[p.name])); value.dataSync(); tf.dispose([value, ...Object.values(grads)]); };
step();
const prof = await tf.profile(() => { step(); });
const agg = new Map<string, [number, number]>();
for (const k of prof.kernels) { const a = agg.get(k.name) ?? [0, 0]; a[0] += k.kernelTimeMs as number; a[1]++; agg.set(k.name, a); }
console.log([...agg].sort((a, b) => b[1][0] - a[1][0]).slice(0, 25).map(([n, [ms, c]]) => `${n.padEnd(28)} ${ms.toFixed(1).padStart(8)} ms  ×${c}`).join('\n'));
console.log('total kernel ms', prof.kernels.reduce((s, k) => s + (k.kernelTimeMs as number), 0).toFixed(1));
const t0 = performance.now(); step(); console.log('step ms', (performance.now() - t0).toFixed(1));
