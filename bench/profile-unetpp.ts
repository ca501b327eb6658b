// Training steps of registered presets (forward + backward via variableGrads; loss: mean(out²), averaged over the
// heads with deep supervision), alternated step by step so that every preset sees the same machine load, with wall and
// CPU time per step (on a shared machine, CPU time with UNET_THREADS=1 compares work without the wait); optionally
// one step of the first preset under tf.profile, summed by kernel name.
//   node --import tsx bench/profile-unetpp.ts PRESET[,PRESET…] [B] [size…] [--steps N] [--profile] [--cpu-profile]
//   e.g. small2d,unetpp-small2d,unetpp2d 4 256 256 --steps 3;   small3d,unetpp-small3d 2 48 64 48
import { tf } from '../src/core/tf.js';
import { variableGrads } from '../src/core/grad.js';
import { useBestBackend } from '../src/backends/select.js';
import { createNet, presetSpec, presets } from '../src/models/registry.js';
import type { TrainableNet } from '../src/models/types.js';

const args = process.argv.slice(2);
const steps = args.includes('--steps') ? Number(args[args.indexOf('--steps') + 1]) : 3;
const pos = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1] === '--steps'));
const names = (pos[0] ?? 'small2d,unetpp-small2d').split(',');
const batch = Number(pos[1] ?? 4);
const size = pos.length > 2 ? pos.slice(2).map(Number) : presets.get(names[0]).defaultInput;
console.log('backend', await useBestBackend(), `B=${batch} [${size}]`);

function stepper(name: string) {
  const net: TrainableNet = createNet(presetSpec(name));
  const x = tf.randomNormal([batch, ...size, net.geometry.inChannels], 0, 1, 'float32', 1);
  const params = net.namedParameters().map(([, v]) => v);
  net.train();
  const step = () => {
    const { value, grads } = variableGrads(() => tf.tidy(() => {
      const outs = net.heads ? net.heads(x) : [net.forward(x)];
      return tf.div(tf.addN(outs.map((y) => tf.mean(tf.square(y)))), outs.length) as tf.Scalar;
    }), params);
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  };
  return { name, net, x, step, times: [] as number[], cpu: [] as number[] };
}

const runs = names.map(stepper);
for (const r of runs) r.step(); // warm-up
for (let i = 0; i < steps; i++) {
  for (const r of runs) {
    const t0 = performance.now(), c0 = process.cpuUsage();
    r.step();
    r.times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    r.cpu.push((c.user + c.system) / 1000);
  }
}
for (const r of runs.filter((q) => q.times.length > 0)) {
  const t = [...r.times].sort((a, b) => a - b);
  const c = [...r.cpu].sort((a, b) => a - b);
  console.log(`${r.name.padEnd(16)} params ${String(r.net.parameterCount()).padStart(9)}  wall ms per step: min ${t[0]?.toFixed(0)}  median ${t[Math.floor(t.length / 2)]?.toFixed(0)}  (${r.times.map((v) => v.toFixed(0)).join(' ')});  CPU ms (all threads): min ${c[0]?.toFixed(0)}  median ${c[Math.floor(c.length / 2)]?.toFixed(0)}`);
}
if (args.includes('--cpu-profile')) {
  // CPU time per kernel name (process.cpuUsage around every kernel of the backend): robust to other processes'
  // load, unlike tf.profile's wall times; nested kernels (customGrad scopes) are not kernels and are not counted.
  const backend = tf.getBackend();
  const agg = new Map<string, [number, number]>();
  const wrapped = tf.getKernelsForBackend(backend).map((k) => ({ ...k }));
  for (const k of wrapped) {
    const f = k.kernelFunc;
    tf.unregisterKernel(k.kernelName, backend);
    tf.registerKernel({ ...k, kernelFunc: (a) => {
      const c0 = process.cpuUsage();
      const out = f(a);
      const c = process.cpuUsage(c0);
      const e = agg.get(k.kernelName) ?? [0, 0];
      e[0] += (c.user + c.system) / 1000; e[1]++;
      agg.set(k.kernelName, e);
      return out;
    } });
  }
  // The native kernels' fall-backs (src/backends/onednn/fallback.ts looks the cpu kernel up at each call).
  const fallbacks = new Map<string, [number, number]>();
  if (backend !== 'cpu') {
    for (const k of tf.getKernelsForBackend('cpu').map((k) => ({ ...k }))) {
      const f = k.kernelFunc;
      tf.unregisterKernel(k.kernelName, 'cpu');
      tf.registerKernel({ ...k, kernelFunc: (a) => {
        const c0 = process.cpuUsage();
        const out = f(a);
        const c = process.cpuUsage(c0);
        const e = fallbacks.get(k.kernelName) ?? [0, 0];
        e[0] += (c.user + c.system) / 1000; e[1]++;
        fallbacks.set(k.kernelName, e);
        return out;
      } });
    }
  }
  const c0 = process.cpuUsage();
  runs[0].step();
  const c = process.cpuUsage(c0);
  if (fallbacks.size > 0) console.log('tfjs-cpu fall-backs inside native kernels:', [...fallbacks].map(([n, [ms, cnt]]) => `${n} ×${cnt} ${ms.toFixed(1)} ms`).join(', '));
  const total = (c.user + c.system) / 1000, inKernels = [...agg.values()].reduce((s, [ms]) => s + ms, 0);
  console.log(`${runs[0].name}, CPU ms by kernel of one step (step ${total.toFixed(0)} ms, kernels ${inKernels.toFixed(0)} ms):`);
  console.log([...agg].sort((a, b) => b[1][0] - a[1][0]).slice(0, 24).map(([n, [ms, cnt]]) => `${n.padEnd(28)} ${ms.toFixed(1).padStart(8)} ms  ×${cnt}`).join('\n'));
}
if (args.includes('--profile')) {
  const prof = await tf.profile(() => { runs[0].step(); });
  const agg = new Map<string, [number, number]>();
  for (const k of prof.kernels) { const a = agg.get(k.name) ?? [0, 0]; a[0] += k.kernelTimeMs as number; a[1]++; agg.set(k.name, a); }
  console.log(`${runs[0].name}, kernels of one step:`);
  console.log([...agg].sort((a, b) => b[1][0] - a[1][0]).slice(0, 24).map(([n, [ms, c]]) => `${n.padEnd(28)} ${ms.toFixed(1).padStart(8)} ms  ×${c}`).join('\n'));
  console.log('total kernel ms', prof.kernels.reduce((s, k) => s + (k.kernelTimeMs as number), 0).toFixed(1));
}
for (const r of runs) { r.x.dispose(); r.net.dispose(); }
const hwm = (await import('node:fs')).readFileSync('/proc/self/status', 'utf8').match(/VmHWM:\s+(\d+)/);
if (hwm) console.log(`peak RSS ${(Number(hwm[1]) / 1024).toFixed(0)} MB (UNET_POOL_MB ${process.env.UNET_POOL_MB ?? 'default 1024'})`);
