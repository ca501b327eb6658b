/** The planner's explanation: number formatting for its lines (every decision with its rule and numbers) and the readable plan. */
import type { Plans } from './types.js';

/** An integer as is, else 4 significant digits without trailing zeros. */
export const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(4).replace(/\.?0+$/, ''));
/** A shape or spacing as 36×50×35. */
export const shp = (xs: readonly number[]) => xs.map(fmt).join('×');

/** Axis names for explanations: z, y, x for volumes [D, H, W]; y, x for images [H, W]. */
export const axisName = (axis: number, dims: number) => `${axis} (${(dims === 3 ? 'zyx' : 'yx')[axis]})`;

/** The readable plan: each configuration's patch, batch, spacing and stages, then every decision. */
export function planText(p: Plans & { explanation: string[] }): string {
  const lines: string[] = [];
  for (const [name, c] of Object.entries(p.configurations)) {
    const o = c!.network.options;
    lines.push(`${name}: patch ${c!.patch.join('×')}, batch ${c!.batch}, spacing ${c!.spacing.map((s) => +s.toFixed(4)).join('×')}, ${o.features.length} stages (features ${o.features.join('/')}), normalisation ${c!.normalization.map((n) => n.scheme + (n.useMask ? ' (mask)' : '')).join(', ')}`);
  }
  lines.push('', 'why:', ...p.explanation.map((l) => `  ${l}`));
  return lines.join('\n');
}
