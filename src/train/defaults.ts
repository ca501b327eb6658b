/**
 * The training defaults, in one place: the trainer, the optimisers, the train workflow (and so the CLI) and the
 * explorer's in-browser training all read them. Measured in the README's Training section: Adam at 1e-3 with the
 * poly schedule ((1 − t)^0.9, nnU-Net's) reached the best Dice on ISBI-2012 and the hippocampus of the settings tried.
 */
import type { ScheduleName } from './schedule.js';

export const TRAIN_DEFAULTS = {
  /** Base learning rate (Adam). */
  lr: 1e-3,
  /** Learning-rate schedule. */
  schedule: 'poly' as ScheduleName,
  /** Iterations per epoch (validation and checkpoint cadence). */
  itersPerEpoch: 100,
} as const;
