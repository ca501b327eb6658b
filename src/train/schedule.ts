/**
 * Learning-rate schedules: lr(iteration) for iterations 0 … total−1, or of the fraction of a wall-clock budget spent
 * (`fraction`), whichever the trainer knows the horizon by.
 */
import { lookUpOption } from '../core/registry.js';

export type ScheduleName = 'constant' | 'step' | 'cosine' | 'poly';

export interface ScheduleOptions {
  /** Default 'constant'. */
  name?: ScheduleName;
  /** 'step': multiply by `gamma` every `stepSize` iterations. Defaults 0.1 and total/3. */
  gamma?: number;
  stepSize?: number;
  /** 'poly': lr·(1 − it/total)^power (nnU-Net uses 0.9). Default 0.9. */
  power?: number;
  /** 'cosine': floor as a fraction of lr. Default 0. */
  minFraction?: number;
}

/**
 * lr at `it` of `total` for base rate `lr`. `fraction` (0…1), when given, is the progress through the run instead of
 * it/total (a run with a time budget: the share of the budget spent); 'step' then steps at thirds of it unless
 * `stepSize` is set.
 */
export function scheduledLr(lr: number, it: number, total: number, o: ScheduleOptions = {}, fraction?: number): number {
  const name = lookUpOption('schedule', o.name ?? 'constant', ['constant', 'step', 'cosine', 'poly'] as const);
  const f = Math.min(Math.max(fraction ?? it / Math.max(total, 1), 0), 1);
  switch (name) {
    case 'constant': return lr;
    case 'step': {
      const drops = fraction !== undefined && o.stepSize === undefined ? Math.floor(f * 3) : Math.floor(it / Math.max(1, o.stepSize ?? Math.ceil(total / 3)));
      return lr * (o.gamma ?? 0.1) ** drops;
    }
    case 'cosine': {
      const floor = (o.minFraction ?? 0) * lr;
      return floor + (lr - floor) * 0.5 * (1 + Math.cos(Math.PI * f));
    }
    case 'poly': return lr * (1 - f) ** (o.power ?? 0.9);
  }
}
