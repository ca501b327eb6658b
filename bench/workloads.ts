/**
 * The benchmark workloads of ../shared/reference/torch_unet.py, identically: the chapter's U-Net in training mode,
 * Adam (lr 1e-4), loss = mean of squared logits; 'infer' runs eval mode without gradients.
 */
import { tf, type Tensor } from '../src/core/tf.js';
import { createNet, presetSpec } from '../src/models/registry.js';
import { channelPlan, shapeReport, type ResolvedUNetOptions } from '../src/models/index.js';
import { Adam } from '../src/train/adam.js';
import { trainStep } from '../src/train/step.js';
import { Registry } from '../src/core/registry.js';

export interface Workload {
  description: string;
  preset: 'seed2d' | 'seed3d';
  base: number;
  classes: number;
  /** [B, ...S, C] */
  input: number[];
  train: boolean;
}

export const workloads = new Registry<Workload>('workload')
  .register('unet2d-b64-256-train', { description: 'seed2d base 64, bilinear, 1→1, batch 1, 256×256, one training step', preset: 'seed2d', base: 64, classes: 1, input: [1, 256, 256, 1], train: true })
  .register('unet2d-b64-256-infer', { description: 'the same model, inference', preset: 'seed2d', base: 64, classes: 1, input: [1, 256, 256, 1], train: false })
  .register('unet2d-b16-128x4-train', { description: 'seed2d base 16, batch 4, 128×128, one training step', preset: 'seed2d', base: 16, classes: 1, input: [4, 128, 128, 1], train: true })
  .register('unet3d-b16-64-train', { description: 'seed3d base 16, trilinear, 1→3, batch 1, 64³, one training step', preset: 'seed3d', base: 16, classes: 3, input: [1, 64, 64, 64, 1], train: true });

/** Forward FLOPs counted as torch_unet.py counts them: 2·|out|·Cin·kᵈ per conv (transposed: 2·|in|·Cout·kᵈ). */
export function forwardFlops(o: ResolvedUNetOptions, input: number[]): number {
  const batch = input[0];
  const r = shapeReport(o, input.slice(1, -1));
  const plan = channelPlan(o);
  const vox = (s: number[]) => batch * s.reduce((a, b) => a * b, 1);
  const k3 = 3 ** o.spatialDims;
  let f = 0;
  r.stages.forEach((s, i) => {
    if (s.name === 'out') { f += 2 * vox(s.size) * s.channels * s.inChannels; return; }
    if (i <= o.depth) {
      const e = plan.encoder[i];
      f += 2 * vox(s.size) * (e.mid * e.in * k3 + e.out * e.mid * k3);
    } else {
      const d = plan.decoder[o.depth - (i - o.depth)];
      f += 2 * vox(s.size) * (d.out * d.in * k3 + d.out * d.out * k3);
      if (o.upsample === 'transposed') f += 2 * (vox(s.size) / 2 ** o.spatialDims) * d.upIn * d.upOut * 2 ** o.spatialDims;
    }
  });
  return f;
}

export interface BenchResult { workload: string; backend: string; ms_median: number; ms_min: number; gflops: number }

/** One step of a workload (a training step, or an inference), ready to run; `dispose` frees the model. */
export function workloadStep(name: string, seed = 0): { step: () => void; flops: number; dispose: () => void } {
  const w = workloads.get(name);
  const spec = presetSpec(w.preset, { base: w.base, classes: w.classes, seed });
  const model = createNet(spec);
  const x = tf.randomNormal(w.input, 0, 1, 'float32', seed);
  const y = tf.zeros(w.input.slice(0, -1)); // unused by the loss below
  const opt = new Adam({ lr: 1e-4 });
  const params = model.namedParameters().map(([, v]) => v);
  const meanSquare = (logits: Tensor) => tf.mean(tf.square(logits)) as tf.Scalar;
  model.train(w.train);
  const step = () => {
    if (w.train) {
      const value = trainStep(model, opt, meanSquare, { x, y }, undefined, params);
      value.dataSync();
      value.dispose();
    } else {
      const y = model.forward(x);
      y.dataSync();
      y.dispose();
    }
  };
  const flops = forwardFlops(spec.options as ResolvedUNetOptions, w.input) * (w.train ? 3 : 1);
  return { step, flops, dispose: () => { model.dispose(); opt.dispose(); tf.dispose([x, y]); } };
}

/** Warm-up, then `reps` timed repetitions of one step. */
export async function runWorkload(name: string, reps = 3, seed = 0): Promise<BenchResult> {
  const { step, flops, dispose } = workloadStep(name, seed);
  step(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    step();
    times.push(performance.now() - t0);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  dispose();
  return { workload: name, backend: tf.getBackend(), ms_median: round1(median), ms_min: round1(sorted[0]), gflops: round1(flops / median / 1e6) };
}

const round1 = (v: number) => Math.round(v * 10) / 10;
export type { Tensor };
