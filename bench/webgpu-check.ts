/**
 * The browser path's WebGPU backend, checked on a real GPU from Node: the library's U-Net (2-D and 3-D) on
 * tfjs-backend-webgpu through Dawn (npm `webgpu`), against tfjs's CPU backend — outputs, a training step's loss and
 * gradients — then timings (medians). Not part of CI (it needs a GPU); run by scripts/webgpu-check.sh.
 * Prints one JSON object.
 */
import './webgpu-globals.js';
import '@tensorflow/tfjs-backend-webgpu';
import { tf } from '../src/core/tf.js';
import { UNet } from '../src/models/unet.js';
import { presetOptions } from '../src/models/presets.js';
import { lossFn } from '../src/losses/index.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Forward (eval) and one training step's loss and gradients of a model on the current backend. */
async function run(model: UNet, x: tf.Tensor, y: tf.Tensor) {
  model.eval();
  const out = model.forward(x);
  const outData = (await out.data()).slice();
  out.dispose();
  model.train();
  const params = model.namedParameters();
  const loss = lossFn(model.options.classes === 1 ? 'bce-dice' : 'ce-dice');
  const { value, grads } = tf.variableGrads(() => loss({ logits: model.forward(x), target: y }), params.map(([, v]) => v));
  const g: Record<string, Float32Array> = {};
  for (const [n, v] of params) g[n] = (await grads[v.name].data()).slice() as Float32Array;
  const l = (await value.data())[0];
  tf.dispose([value, ...Object.values(grads)]);
  return { out: outData, loss: l, grads: g };
}

function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) { num = Math.max(num, Math.abs(a[i] - b[i])); den = Math.max(den, Math.abs(b[i])); }
  return num / Math.max(den, 1e-12);
}

async function compare(preset: 'seed2d' | 'seed3d', shape: number[], classes: number) {
  await tf.setBackend('cpu');
  const xs = tf.randomNormal([1, ...shape, 1], 0, 1, 'float32', 1);
  const ys = tf.tidy(() => tf.cast(tf.floor(tf.randomUniform([1, ...shape], 0, classes === 1 ? 2 : classes, 'float32', 2)), 'float32'));
  const xd = xs.dataSync().slice(), yd = ys.dataSync().slice();
  tf.dispose([xs, ys]);
  const res: Record<string, Awaited<ReturnType<typeof run>>> = {};
  for (const b of ['cpu', 'webgpu']) {
    await tf.setBackend(b);
    const model = new UNet(presetOptions(preset, { base: 4, classes, seed: 0 }));
    const x = tf.tensor(xd, [1, ...shape, 1]), y = tf.tensor(yd, [1, ...shape]);
    res[b] = await run(model, x, y);
    tf.dispose([x, y]); model.dispose();
  }
  const gradErr = Math.max(...Object.keys(res.cpu.grads).map((k) => maxRel(res.webgpu.grads[k], res.cpu.grads[k])));
  return { preset, shape, outputMaxRelErr: maxRel(res.webgpu.out, res.cpu.out), lossCpu: res.cpu.loss, lossWebgpu: res.webgpu.loss, gradMaxRelErr: gradErr };
}

async function time(preset: 'seed2d' | 'seed3d', base: number, input: number[], train: boolean, reps = 5) {
  await tf.setBackend('webgpu');
  const model = new UNet(presetOptions(preset, { base, classes: preset === 'seed2d' ? 1 : 3, seed: 0 }));
  const x = tf.randomNormal(input, 0, 1, 'float32', 0);
  const params = model.namedParameters().map(([, v]) => v);
  const opt = tf.train.adam(1e-4);
  model.train(train);
  const step = async () => {
    if (train) {
      const cost = opt.minimize(() => tf.mean(tf.square(model.forward(x))) as tf.Scalar, true, params);
      await cost!.data(); cost!.dispose();
    } else {
      const y = model.forward(x); await y.data(); y.dispose();
    }
  };
  await step(); await step();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) { const t0 = performance.now(); await step(); ts.push(performance.now() - t0); }
  model.dispose(); x.dispose(); opt.dispose();
  return { preset, base, input, train, msMedian: Math.round(median(ts) * 10) / 10, msMin: Math.round(Math.min(...ts) * 10) / 10 };
}

const report: Record<string, unknown> = {};
await tf.setBackend('webgpu');
await tf.ready();
report.backend = tf.getBackend();
const adapter = await (globalThis as unknown as { navigator: { gpu: GPU } }).navigator.gpu.requestAdapter();
if (!adapter || tf.getBackend() !== 'webgpu') {
  console.log(JSON.stringify({ error: `no WebGPU adapter (backend ${tf.getBackend()}); is a Vulkan driver visible?` }));
  process.exit(1);
}
report.adapter = adapter ? (adapter as unknown as { info?: { vendor: string; architecture: string; device: string; description: string } }).info ?? 'unknown' : 'none';
report.parity = [await compare('seed2d', [64, 48], 1), await compare('seed3d', [16, 32, 16], 3)];
report.timings = [
  await time('seed2d', 64, [1, 512, 512, 1], false),
  await time('seed2d', 64, [1, 256, 256, 1], true),
  await time('seed3d', 16, [2, 48, 64, 48, 1], true),
];
console.log(JSON.stringify(report));
