/**
 * The browser path's WebGPU backend, checked on a real GPU from Node: the library's U-Net (2-D and 3-D) on
 * tfjs-backend-webgpu through Dawn (npm `webgpu`), against tfjs's CPU backend — outputs, a training step's loss and
 * gradients — then timings (medians). Not part of CI (it needs a GPU); run by scripts/webgpu-check.sh.
 * Prints one JSON object.
 */
import './webgpu-globals.js';
import '@tensorflow/tfjs-backend-webgpu';
import { tf } from '../src/core/tf.js';
import { UNet } from '../src/models/unet/unet.js';
import { presetOptions } from '../src/models/unet/presets.js';
import { resolveOptions } from '../src/models/unet/options.js';
import { checkInputSize } from '../src/models/unet/plan.js';
import { lossFn } from '../src/losses/index.js';
import { upsample2x } from '../src/nn/ops/resize.js';
import { normalize } from '../src/nn/ops/normalize.js';

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

async function compare(preset: 'seed2d' | 'seed3d' | 'cicek2016', shape: number[], classes: number) {
  await tf.setBackend('cpu');
  const opts = presetOptions(preset, { base: 4, classes, seed: 0 });
  const resolved = resolveOptions(opts);
  const cin = resolved.inChannels, out = checkInputSize(resolved, shape).output; // valid models shrink
  const xs = tf.randomNormal([1, ...shape, cin], 0, 1, 'float32', 1);
  const ys = tf.tidy(() => tf.cast(tf.floor(tf.randomUniform([1, ...out], 0, classes === 1 ? 2 : classes, 'float32', 2)), 'float32'));
  const xd = xs.dataSync().slice(), yd = ys.dataSync().slice();
  tf.dispose([xs, ys]);
  const res: Record<string, Awaited<ReturnType<typeof run>>> = {};
  for (const b of ['cpu', 'webgpu']) {
    await tf.setBackend(b);
    const model = new UNet(opts);
    const x = tf.tensor(xd, [1, ...shape, cin]), y = tf.tensor(yd, [1, ...out]);
    res[b] = await run(model, x, y);
    tf.dispose([x, y]); model.dispose();
  }
  const errs = Object.keys(res.cpu.grads).map((k) => [k, maxRel(res.webgpu.grads[k], res.cpu.grads[k])] as const).sort((a, b) => b[1] - a[1]);
  // A conv bias followed by BatchNorm has a zero gradient in exact arithmetic (BN removes the mean): its relative
  // error is noise over noise, so the summary is over the other parameters, the biases reported apart.
  const scale = Math.max(...Object.values(res.cpu.grads).map((g) => Math.max(...Array.from(g, Math.abs))));
  const weights = errs.filter(([k]) => !(resolvedNormBias(k, opts)));
  return {
    preset, shape, outputMaxRelErr: maxRel(res.webgpu.out, res.cpu.out), lossCpu: res.cpu.loss, lossWebgpu: res.webgpu.loss,
    gradMaxRelErr: weights[0][1], worstGrads: weights.slice(0, 4),
    biasesBeforeNorm: errs.filter(([k]) => resolvedNormBias(k, opts)).map(([k]) => [k, Math.max(...Array.from(res.cpu.grads[k], Math.abs)) / scale]).slice(0, 3),
  };
}

/** A conv bias (conv.0 / conv.3 of a DoubleConv) before BatchNorm (cicek2016's convs keep their bias). */
function resolvedNormBias(name: string, o: ReturnType<typeof presetOptions>): boolean {
  return resolveOptions(o).norm === 'batch' && /conv\.[03]\.bias$/.test(name) && !/outc/.test(name);
}

/** Gradients of single 3-D ops on webgpu against cpu, at the deep levels' small sizes: which op's backward differs. */
async function opGrads() {
  const out: Record<string, number> = {};
  type Case = [string, number[], number[] | null, (x: tf.Tensor, w: tf.Tensor) => tf.Tensor];
  const cases: Case[] = [];
  for (const [d, h, w, c] of [[8, 16, 8, 8], [4, 8, 4, 16], [2, 4, 2, 32], [1, 2, 1, 64]]) {
    const s = `${d}x${h}x${w}x${c}`;
    cases.push([`conv3d ${s}`, [2, d, h, w, c], [3, 3, 3, c, 2 * c], (x, k) => tf.conv3d(x as tf.Tensor5D, k as tf.Tensor5D, 1, 'same')]);
    if (d > 1) cases.push([`maxPool3d ${s}`, [2, d, h, w, c], null, (x) => tf.maxPool3d(x as tf.Tensor5D, 2, 2, 'valid')]);
    cases.push([`upsample ${s}`, [2, d, h, w, c], null, (x) => upsample2x(x)]);
    cases.push([`batchnorm ${s}`, [2, d, h, w, c], null, (x) => normalize(x, [0, 1, 2, 3], 1e-5).y]);
    if (d > 1) cases.push([`maxPool3d∘relu (ties) ${s}`, [2, d, h, w, c], null, (x) => tf.maxPool3d(tf.relu(tf.sub(x, 1)) as tf.Tensor5D, 2, 2, 'valid')]);
    if (d > 1) cases.push([`maxPool2d∘relu (ties) ${s}`, [2 * d, h, w, c], null, (x) => tf.maxPool(tf.relu(tf.sub(x, 1)) as tf.Tensor4D, 2, 2, 'valid')]);
    cases.push([`slice5d ${s}`, [2, d, h, w, c], null, (x) => tf.slice(x, [0, 0, 0, 0, 0], [2, d, h, w, c - 1])]);
  }
  for (const [name, xs, ws, f] of cases) {
    const r: Record<string, Float32Array[]> = {};
    for (const b of ['cpu', 'webgpu']) {
      await tf.setBackend('cpu');
      const xd = tf.randomNormal(xs, 0, 1, 'float32', 5).dataSync().slice();
      const wd = ws ? tf.randomNormal(ws, 0, 0.1, 'float32', 6).dataSync().slice() : new Float32Array(1);
      await tf.setBackend(b);
      const x = tf.tensor(xd, xs), w = tf.tensor(wd, ws ?? [1]);
      const loss = (a: tf.Tensor, c: tf.Tensor) => { const y = f(a, c); return tf.sum(tf.mul(y, tf.sin(y))); };
      const g = ws ? tf.grads(loss)([x, w]) : [tf.grad((a: tf.Tensor) => loss(a, w))(x)];
      r[b] = await Promise.all(g.map(async (t) => (await t.data()).slice() as Float32Array));
      tf.dispose([x, w, ...g]);
    }
    out[`${name} dx`] = maxRel(r.webgpu[0], r.cpu[0]);
    if (ws) out[`${name} dw`] = maxRel(r.webgpu[1], r.cpu[1]);
  }
  return out;
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
// seed3d at two sizes: at 16×32×16 the bottleneck BatchNorm sees 2 values per channel (ill-conditioned: tiny
// summation-order differences are amplified), at 32×64×32 it sees 16.
report.parity = [await compare('seed2d', [64, 48], 1), await compare('seed3d', [16, 32, 16], 3), await compare('seed3d', [32, 64, 32], 3)];
if (process.env.CICEK) (report.parity as unknown[]).push(await compare('cicek2016', [92, 100, 108], 3)); // cropped skips: rank-5 slices
if (process.env.SKIP_OPS) delete report.opGrads;
if (!process.env.SKIP_OPS) report.opGrads = await opGrads();
report.timings = process.env.SKIP_TIMINGS ? [] : [
  await time('seed2d', 64, [1, 512, 512, 1], false),
  await time('seed2d', 64, [1, 256, 256, 1], true),
  await time('seed3d', 16, [2, 48, 64, 48, 1], true),
];
console.log(JSON.stringify(report));
