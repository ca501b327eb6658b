/**
 * MONAI's metric reductions (`monai.metrics.utils.do_metric_reduction`) on a [batch][channel] table of scores, NaN
 * marking a score that is undefined (e.g. Dice of an empty ground truth with `ignore_empty`). NaNs are left out and
 * counted: `notNans` has the shape of the result and says how many scores each entry averages (or sums).
 *
 *   'none'          f as given, notNans 1/0 per entry
 *   'mean'          per batch item the mean over its non-NaN channels, then the mean over the items that had any
 *                   (notNans: the number of such items); 0 where nothing is left (MONAI's t_zero; notNans 0 flags it)
 *   'sum'           sum of every non-NaN score (notNans: their number)
 *   'mean_batch'    per channel the mean over non-NaN items ([C]; 0 where none)
 *   'sum_batch'     per channel the sum over items ([C])
 *   'mean_channel'  per item the mean over non-NaN channels ([B]; 0 where none)
 *   'sum_channel'   per item the sum over channels ([B])
 * Infinite scores (a Hausdorff distance with one empty mask) are not NaN: they are kept, as in MONAI.
 */

export type MetricReduction = 'none' | 'mean' | 'sum' | 'mean_batch' | 'sum_batch' | 'mean_channel' | 'sum_channel';
export const METRIC_REDUCTIONS: readonly MetricReduction[] = ['none', 'mean', 'sum', 'mean_batch', 'sum_batch', 'mean_channel', 'sum_channel'];

export interface Reduced<T> {
  value: T;
  notNans: T;
}

export function reduceMetric(f: readonly (readonly number[])[], reduction: 'none'): Reduced<number[][]>;
export function reduceMetric(f: readonly (readonly number[])[], reduction: 'mean' | 'sum'): Reduced<number>;
export function reduceMetric(f: readonly (readonly number[])[], reduction: 'mean_batch' | 'sum_batch' | 'mean_channel' | 'sum_channel'): Reduced<number[]>;
export function reduceMetric(f: readonly (readonly number[])[], reduction?: MetricReduction): Reduced<number | number[] | number[][]>;
/** do_metric_reduction of MONAI on scores f[b][c] (see the file comment); default 'mean' as in MONAI. */
export function reduceMetric(f: readonly (readonly number[])[], reduction: MetricReduction = 'mean'): Reduced<number | number[] | number[][]> {
  if (!METRIC_REDUCTIONS.includes(reduction)) throw new Error(`reduceMetric: reduction '${reduction}' must be one of ${METRIC_REDUCTIONS.join(', ')}`);
  const b = f.length;
  if (b === 0) throw new Error('reduceMetric: no scores (batch 0)');
  const c = f[0].length;
  if (f.some((row) => row.length !== c)) throw new Error(`reduceMetric: every batch item must have ${c} channel scores`);
  const ok = f.map((row) => row.map((v) => (Number.isNaN(v) ? 0 : 1)));
  if (reduction === 'none') return { value: f.map((row) => [...row]), notNans: ok };
  const z = f.map((row) => row.map((v) => (Number.isNaN(v) ? 0 : v)));
  const sumRow = (row: number[]) => row.reduce((s, v) => s + v, 0);
  const col = (m: number[][], k: number) => m.map((row) => row[k]);
  const div = (s: number, n: number) => (n > 0 ? s / n : 0);
  switch (reduction) {
    case 'mean': {
      const perItemN = ok.map(sumRow);
      const perItem = z.map((row, i) => div(sumRow(row), perItemN[i]));
      const items = perItemN.filter((n) => n > 0).length;
      return { value: div(sumRow(perItem), items), notNans: items };
    }
    case 'sum':
      return { value: sumRow(z.map(sumRow)), notNans: sumRow(ok.map(sumRow)) };
    case 'mean_batch':
    case 'sum_batch': {
      const n = Array.from({ length: c }, (_, k) => sumRow(col(ok, k)));
      const s = Array.from({ length: c }, (_, k) => sumRow(col(z, k)));
      return { value: reduction === 'sum_batch' ? s : s.map((v, k) => div(v, n[k])), notNans: n };
    }
    case 'mean_channel':
    case 'sum_channel': {
      const n = ok.map(sumRow), s = z.map(sumRow);
      return { value: reduction === 'sum_channel' ? s : s.map((v, i) => div(v, n[i])), notNans: n };
    }
  }
  throw new Error(`reduceMetric: reduction '${reduction}'`);
}
