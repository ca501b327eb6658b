/** `unet predict` flags → the library's predict workflow (`src/app/predict-run.ts`), with a progress bar per input. */
import { basename } from 'node:path';
import cliProgress from 'cli-progress';
import { predictRun, type PredictOptions } from '../src/app/predict-run.js';

export { checkInput, classValues } from '../src/app/predict-run.js';

export async function predict(o: PredictOptions & { quiet?: boolean }): Promise<{ written: string[] }> {
  let bar: cliProgress.SingleBar | undefined;
  let current = '';
  try {
    return await predictRun({
      ...o,
      onProgress: (input, done, total) => {
        if (o.quiet) return;
        if (input !== current) {
          bar?.stop();
          current = input;
          bar = new cliProgress.SingleBar({ format: `${basename(input)} {bar} {value}/{total} windows | ETA {eta_formatted}`, hideCursor: true }, cliProgress.Presets.shades_classic);
          bar.start(total, 0);
        }
        bar?.setTotal(total);
        bar?.update(done);
      },
    });
  } finally {
    bar?.stop();
  }
}
