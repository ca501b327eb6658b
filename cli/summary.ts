/** `unet summary`: the per-stage table of a preset without running the network. */
import { resolveOptions, type ResolvedUNetOptions, type UNetOptions } from '../src/models/unet/options.js';
import { presetOptions } from '../src/models/unet/presets.js';
import { presets } from '../src/models/registry.js';
import { shapeReport, type ShapeReport } from '../src/models/unet/plan.js';

/** Parses `572x572` / `132x132x116`; the rule and the value appear in the error. */
export function parseSize(text: string, flag = '--input'): number[] {
  const parts = text.toLowerCase().split(/[x×,]/);
  const nums = parts.map(Number);
  if (parts.length < 2 || parts.length > 3 || nums.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(`${flag} '${text}': expected 2 or 3 positive integers joined by 'x', e.g. 572x572 or 132x132x116`);
  }
  return nums;
}

export interface SummaryResult {
  preset: string;
  options: ResolvedUNetOptions;
  report: ShapeReport;
}

export function summarize(preset: string, overrides: UNetOptions, input?: number[]): SummaryResult {
  const options = resolveOptions(presetOptions(preset, overrides));
  const size = input ?? presets.get(preset).defaultInput;
  if (size.length !== options.spatialDims) {
    throw new Error(`--input ${size.join('x')} has ${size.length} axes; preset ${preset} is ${options.spatialDims}-D, so give ${options.spatialDims === 2 ? 'HxW' : 'DxHxW'}`);
  }
  const report = shapeReport(options, size);
  if (report.errors.length > 0) {
    const lines = report.errors.map((e) => {
      const near = [e.below, e.above].filter((v) => v !== undefined).join(' or ');
      return `axis ${e.axis}: ${e.size} is not accepted: ${e.rule}.${near ? ` Nearest valid sizes: ${near}.` : ''}`;
    });
    throw new Error(`--input ${size.join('x')} does not fit ${preset} (${options.padding} padding, depth ${options.depth}):\n  ${lines.join('\n  ')}`);
  }
  return { preset, options, report };
}

export function summaryJson(r: SummaryResult): object {
  const { report } = r;
  return {
    preset: r.preset, options: r.options, input: report.input, output: report.output, params: report.params,
    receptiveField: report.receptiveField, receptiveFieldAt: report.receptiveFieldAt, stages: report.stages,
  };
}

const fmt = (n: number) => n.toLocaleString('en-US');

export function summaryText(r: SummaryResult): string {
  const { report, options: o } = r;
  const valid = o.padding === 'valid';
  const head = ['stage', 'module', 'channels', 'size', 'params', ...(valid ? ['skip crop/side'] : [])];
  const rows = report.stages.map((s) => [
    s.name, s.module, `${s.inChannels} → ${s.channels}`, s.size.join('×'), fmt(s.params),
    ...(valid ? [s.crop ? s.crop.join('×') : ''] : []),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  const out = [
    `${r.preset}: ${presets.get(r.preset).description}`,
    `${o.spatialDims}-D, ${o.inChannels} in → ${o.classes} out, base ${o.base}, depth ${o.depth}, ${o.padding} padding, ${o.upsample === 'interp' ? (o.spatialDims === 2 ? 'bilinear' : 'trilinear') : 'transposed'} up-sampling, norm ${o.norm}`,
    '',
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    `input ${report.input.join('×')} → output ${report.output.join('×')}`,
    `parameters: ${fmt(report.params)}`,
    `receptive field: ${report.receptiveFieldAt.join('×')} px at this input (textbook rule: ${report.receptiveField})`,
  ];
  if (valid) out.push('valid padding: each skip is centre-cropped by (S_skip − S_up)/2 per side before the concat');
  return out.join('\n');
}
