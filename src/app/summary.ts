/**
 * The summary of any registered network at an input size, without building it: every stage (module, channels, size,
 * parameters, skip crops), the output size, the parameter count and the architecture's own notes. `unet summary` and
 * the demo print it.
 */
import { architectures, presetSpec, presets } from '../models/registry.js';
import type { NetSpec, NetStage } from '../models/types.js';

export interface Summary {
  preset: string;
  spec: NetSpec;
  input: number[];
  output: number[];
  /** Trainable parameters (BatchNorm running statistics are buffers, not parameters). */
  params: number;
  stages: NetStage[];
  notes: { lines: string[]; json: Record<string, unknown> };
}

/** Parses `572x572` / `132x132x116`; the rule and the value appear in the error. */
export function parseSize(text: string, flag = '--input'): number[] {
  const parts = text.toLowerCase().split(/[x×,]/);
  const nums = parts.map(Number);
  if (parts.length < 2 || parts.length > 3 || nums.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(`${flag} '${text}': expected 2 or 3 positive integers joined by 'x', e.g. 572x572 or 132x132x116`);
  }
  return nums;
}

/** The summary of preset `preset` with option overrides, at `input` (default: the preset's input). */
export function summarize(preset: string, overrides: Record<string, unknown> = {}, input?: number[]): Summary {
  const spec = presetSpec(preset, overrides);
  const a = architectures.get(spec.arch);
  const o = spec.options as never;
  const g = a.geometry(o);
  const size = input ?? (g.fixed ? [...g.fixed] : presets.get(preset).defaultInput);
  if (size.length !== g.spatialDims) {
    throw new Error(`--input ${size.join('x')} has ${size.length} axes; preset ${preset} is ${g.spatialDims}-D, so give ${g.spatialDims === 2 ? 'HxW' : 'DxHxW'}`);
  }
  const errors = size.map((n, axis) => ({ axis, n, rule: g.axis(n, axis).error })).filter((e) => e.rule);
  if (errors.length > 0) {
    const lines = errors.map((e) => {
      const nb = g.nearest(e.n, e.axis);
      const near = [nb.below, nb.above].filter((v) => v !== undefined).join(' or ');
      return `axis ${e.axis}: ${e.n} is not accepted: ${e.rule}.${near ? ` Nearest valid sizes: ${near}.` : ''}`;
    });
    throw new Error(`--input ${size.join('x')} does not fit ${preset} (${spec.arch}, ${g.padding} padding):\n  ${lines.join('\n  ')}`);
  }
  return {
    preset, spec, input: size, output: g.output(size), params: a.params(o), stages: a.stages(o, size),
    notes: a.notes?.(o, size) ?? { lines: [], json: {} },
  };
}

export function summaryJson(r: Summary): object {
  return {
    arch: r.spec.arch, preset: r.preset, options: r.spec.options, input: r.input, output: r.output, params: r.params,
    ...r.notes.json, stages: r.stages,
  };
}

const fmt = (n: number) => n.toLocaleString('en-US');

export function summaryText(r: Summary): string {
  const cropped = r.stages.some((s) => s.crop);
  const head = ['stage', 'module', 'channels', 'size', 'params', ...(cropped ? ['skip crop/side'] : [])];
  const rows = r.stages.filter((s) => s.kind !== 'input').map((s) => [
    s.name, s.module, `${s.inChannels} → ${s.channels}`, s.size.join('×'), fmt(s.params),
    ...(cropped ? [s.crop ? s.crop.join('×') : ''] : []),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  const [first, ...rest] = r.notes.lines;
  return [
    `${r.preset} (${r.spec.arch}): ${presets.get(r.preset).description}`,
    ...(first ? [first] : []),
    '',
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    `input ${r.input.join('×')} → output ${r.output.join('×')}`,
    `parameters: ${fmt(r.params)}`,
    ...rest,
  ].join('\n');
}
