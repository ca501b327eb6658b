/**
 * The training loop: batches from a `BatchSource`, a loss, Adam with a schedule, a budget in iterations / epochs /
 * minutes, validation each epoch with early stopping, and checkpoints (`last`, `best`) that resume exactly.
 */
import { tf, type Scalar, type Tensor } from '../core/tf.js';
import type { TrainableNet } from '../models/types.js';
import { Adam } from './adam.js';
import { scheduledLr, type ScheduleOptions } from './schedule.js';
import { decodeCheckpoint, encodeCheckpoint, type CheckpointMeta, type CheckpointStore } from './checkpoint.js';
import type { Rng } from '../core/rng.js';
import { trainStep, type StepLoss, type StepOptions } from './step.js';
import { Sgd, type SgdOptions } from './sgd.js';
import { TRAIN_DEFAULTS } from './defaults.js';

/** A training batch, channels-last. */
export interface Batch {
  x: Float32Array;
  /** [B, ...S, C] */
  xShape: number[];
  /** Targets [B, ...S] (class indices as float). */
  y: Float32Array;
  yShape: number[];
  /** Optional per-voxel weights [B, ...S] (0 = unlabelled). */
  w?: Float32Array;
}

/** Where batches come from; its RNG state is checkpointed so that a resumed run draws the same batches. */
export interface BatchSource {
  next(): Promise<Batch>;
  /** The RNG state as of the batches handed out so far. */
  rngState(): [number, number, number | null];
  /** Continue from a saved state (batches handed out before it are not repeated). */
  restore(state: [number, number, number | null]): void;
  close(): Promise<void> | void;
}

/** A BatchSource drawing in the calling thread from a sampler and an Rng. */
export class SyncBatchSource implements BatchSource {
  constructor(private rng: Rng, private readonly sample: (rng: Rng) => Batch, private readonly fromState: (s: [number, number, number | null]) => Rng) {}
  async next(): Promise<Batch> { return this.sample(this.rng); }
  rngState(): [number, number, number | null] { return this.rng.state(); }
  restore(s: [number, number, number | null]): void { this.rng = this.fromState(s); }
  close(): void {}
}

export interface TrainOptions {
  model: TrainableNet;
  data: BatchSource;
  /** Loss of a batch: logits [B, ...S, K], target [B, ...S], optional weights [B, ...S]. */
  loss: StepLoss;
  /** Base learning rate. Default `TRAIN_DEFAULTS.lr` (1e-3). */
  lr?: number;
  /** Default `{ name: TRAIN_DEFAULTS.schedule }` (poly). */
  schedule?: ScheduleOptions;
  /** Iterations to run (the schedule's horizon). Required unless `epochs` is given. */
  iterations?: number;
  /** Iterations per epoch (validation and checkpoint cadence). Default `TRAIN_DEFAULTS.itersPerEpoch` (100). */
  itersPerEpoch?: number;
  /** Epochs to run, if `iterations` is not given. */
  epochs?: number;
  /**
   * Wall-clock budget in minutes, a ceiling: stops when one more iteration would cross it. The schedule's horizon is
   * then whichever comes first, `iterations` or the budget (lr follows the clock, so such a run is not
   * bit-reproducible). Default none.
   */
  minutes?: number;
  /**
   * A wall-clock ceiling in minutes that only stops the run (same rule as `minutes`), leaving the schedule on the
   * iterations: bit-reproducible unless it fires. Default none.
   */
  maxMinutes?: number;
  /** The clock `minutes` and `maxMinutes` read, in milliseconds. Default `performance.now` (tests pass a fake one). */
  clock?: () => number;
  /** Validation after each epoch: returns metrics; `score` is what early stopping and `best` track (higher is better). */
  validate?: () => Promise<Record<string, number> & { score: number }>;
  /** Epochs without improvement of the score before stopping. Default none. */
  patience?: number;
  /** Where checkpoints `last` and `best` go (`folderCheckpoints(dir)` in Node, `memoryCheckpoints()`); none: no checkpoints. */
  checkpoints?: CheckpointStore;
  /** Resume from the store's `last` checkpoint. Default false. */
  resume?: boolean;
  /** Recorded in checkpoints. */
  config?: Record<string, unknown>;
  /** Called after every iteration and after each validation. */
  onLog?: (rec: LogRecord) => void;
  /** The optimiser: Adam (default) or SGD with these options (nnU-Net: Nesterov, momentum 0.99, weight decay 3e-5). */
  sgd?: SgdOptions;
  /** Deep-supervision head weights and gradient clipping (`trainStep`). Default none. */
  step?: StepOptions;
}

export interface LogRecord {
  kind: 'iter' | 'epoch';
  iter: number;
  epoch: number;
  loss?: number;
  lr?: number;
  elapsedS: number;
  metrics?: Record<string, number>;
}

export interface TrainResult { iterations: number; elapsedS: number; best: { score: number; step: number }; stoppedEarly: boolean }

export async function train(o: TrainOptions): Promise<TrainResult> {
  const perEpoch = o.itersPerEpoch ?? TRAIN_DEFAULTS.itersPerEpoch;
  const total = o.iterations ?? (o.epochs !== undefined ? o.epochs * perEpoch : undefined);
  if (total === undefined || !(total > 0)) throw new Error('train: give iterations (> 0) or epochs');
  const lr0 = o.lr ?? TRAIN_DEFAULTS.lr;
  const schedule = o.schedule ?? { name: TRAIN_DEFAULTS.schedule };
  const named = o.model.namedParameters();
  const params = named.map(([, v]) => v);
  const opt = o.sgd ? new Sgd({ ...o.sgd, lr: lr0 }) : new Adam({ lr: lr0 });
  let step = 0;
  let best = { score: -Infinity, step: 0 };
  let before = 0; // seconds spent by the run before a resume
  const store = o.checkpoints;
  if (o.resume) {
    const bytes = await store?.read('last');
    if (!store || !bytes) throw new Error(`--resume: no checkpoint at ${store ? store.where('last') : '(no checkpoint store)'}`);
    const meta = decodeCheckpoint(bytes, store.where('last'), o.model, opt);
    step = meta.step;
    best = meta.best;
    before = meta.elapsedS ?? 0;
    o.data.restore(meta.rng);
  }
  const startStep = step;
  const clock = o.clock ?? (() => performance.now());
  const t0 = clock();
  const elapsed = () => before + (clock() - t0) / 1000;
  const budgetS = o.minutes !== undefined ? o.minutes * 60 : undefined;
  const ceilingS = Math.min(budgetS ?? Infinity, o.maxMinutes !== undefined ? o.maxMinutes * 60 : Infinity);
  const meta = (): CheckpointMeta => ({ step, epoch: Math.floor(step / perEpoch), rng: o.data.rngState(), best, elapsedS: elapsed(), config: o.config ?? {} });
  let bad = 0, stoppedEarly = false, improved = false;
  o.model.train();
  while (step < total) {
    const b = await o.data.next();
    const lr = scheduledLr(lr0, step, total, schedule, budgetS ? Math.max(step / total, elapsed() / budgetS) : undefined);
    const x = tf.tensor(b.x, b.xShape), y = tf.tensor(b.y, b.yShape), w = b.w ? tf.tensor(b.w, b.yShape) : undefined;
    const value = trainStep(o.model, opt, o.loss, { x, y, w }, lr, params, o.step);
    const loss = (await value.data())[0];
    tf.dispose([x, y, ...(w ? [w] : []), value]);
    if (!Number.isFinite(loss)) throw new Error(`training diverged: loss ${loss} at iteration ${step + 1} (lower the learning rate ${lr0})`);
    step += 1;
    o.onLog?.({ kind: 'iter', iter: step, epoch: Math.floor((step - 1) / perEpoch) + 1, loss, lr, elapsedS: elapsed() });
    // The budget is a ceiling: stop when one more iteration (at the mean pace so far) would cross it.
    const outOfTime = ceilingS < Infinity && elapsed() + (elapsed() - before) / (step - startStep) >= ceilingS;
    if (step % perEpoch === 0 || step === total || outOfTime) {
      if (o.validate) {
        o.model.eval();
        const m = await o.validate();
        o.model.train();
        o.onLog?.({ kind: 'epoch', iter: step, epoch: Math.ceil(step / perEpoch), elapsedS: elapsed(), metrics: m });
        // NaN (every class absent from the validation cases) is never an improvement.
        if (m.score > best.score) {
          best = { score: m.score, step };
          improved = true;
          bad = 0;
        } else if (o.patience !== undefined && ++bad >= o.patience) {
          stoppedEarly = true;
        }
      } else {
        o.onLog?.({ kind: 'epoch', iter: step, epoch: Math.ceil(step / perEpoch), elapsedS: elapsed() });
      }
      // `last` first, then `best` (the same bytes): a kill between the two leaves a best no newer than last, and
      // last's metadata names its own step as best, from which a resume restores best.
      if (store) {
        const bytes = await encodeCheckpoint(o.model, opt, meta());
        await store.write('last', bytes);
        if (improved) await store.write('best', bytes);
      }
      improved = false;
    }
    if (outOfTime || stoppedEarly) break;
  }
  opt.dispose();
  return { iterations: step, elapsedS: elapsed(), best, stoppedEarly };
}
