/** Learning-rate schedules: lr(iteration) for iterations 0 … total−1. */
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

/** lr at `it` of `total` for base rate `lr`. */
export function scheduledLr(lr: number, it: number, total: number, o: ScheduleOptions = {}): number {
  const name = lookUpOption('schedule', o.name ?? 'constant', ['constant', 'step', 'cosine', 'poly'] as const);
  const f = Math.min(Math.max(it / Math.max(total, 1), 0), 1);
  switch (name) {
    case 'constant': return lr;
    case 'step': return lr * (o.gamma ?? 0.1) ** Math.floor(it / Math.max(1, o.stepSize ?? Math.ceil(total / 3)));
    case 'cosine': {
      const floor = (o.minFraction ?? 0) * lr;
      return floor + (lr - floor) * 0.5 * (1 + Math.cos(Math.PI * f));
    }
    case 'poly': return lr * (1 - f) ** (o.power ?? 0.9);
  }
}
