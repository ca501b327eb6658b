/** `unet train` flags → the library's train workflow (`src/app/train-run.ts`), with a progress bar. */
import cliProgress from 'cli-progress';
import { trainRun, type TrainRun, type TrainRunOptions } from '../src/app/train-run.js';
import { architectures, presets } from '../src/models/registry.js';

/** Parses "0:0,255:1". */
export function parseLabelMap(text: string): Record<number, number> {
  const out: Record<number, number> = {};
  for (const part of text.split(',')) {
    const m = part.trim().match(/^(-?\d+):(\d+)$/);
    if (!m) throw new Error(`--label-map '${text}': each entry must be VALUE:CLASS, e.g. 0:0,255:1`);
    const v = Number(m[1]);
    if (v in out) throw new Error(`--label-map '${text}': value ${v} is mapped twice (to ${out[v]} and to ${m[2]}); rule: each label value maps to one class`);
    out[v] = Number(m[2]);
  }
  return out;
}

/** Parses repeated `--option key=value` (value as JSON when it parses: 32, true, [16,32], else a string). */
export function parseOptionPairs(pairs: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of pairs) {
    const m = p.match(/^([A-Za-z][A-Za-z0-9]*)=(.*)$/);
    if (!m) throw new Error(`--option '${p}': expected NAME=VALUE, e.g. --option deepSupervision=true or --option base=32`);
    try { out[m[1]] = JSON.parse(m[2]); } catch { out[m[1]] = m[2]; }
  }
  return out;
}

/** The train workflow with a progress bar on stderr (none with `quiet`). */
export async function runTraining(o: TrainRunOptions & { quiet?: boolean }): Promise<TrainRun> {
  const bar = o.quiet ? undefined : new cliProgress.SingleBar({
    format: 'train {bar} {value}/{total} | ETA {eta_formatted} | loss {loss} | val Dice {val}', hideCursor: true,
  }, cliProgress.Presets.shades_classic);
  let lastVal = '-';
  try {
    return await trainRun({
      ...o,
      onStart: (total) => bar?.start(total ?? 0, 0, { loss: '-', val: '-' }),
      onLog: (rec) => {
        if (rec.kind === 'epoch' && rec.metrics) lastVal = Number.isNaN(rec.metrics.score) ? 'absent' : rec.metrics.score.toFixed(4);
        bar?.update(rec.iter, { loss: rec.loss?.toFixed(4) ?? '-', val: lastVal });
      },
    });
  } finally {
    bar?.stop();
  }
}

export const PRESETS_HELP = presets.names().join(', ');
export const ARCHS_HELP = architectures.names().join(', ');
