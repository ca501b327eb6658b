/**
 * The U-Net as the U-Net-specific pages (shape flow, skip ablation, volumetric flow) draw it, computed by the
 * library's own U-Net plan functions (nothing here is hard-coded): resolved options, the shape report (stages, sizes,
 * parameters, crops, errors) and, per skip, the per-axis flow that gives its crop arithmetic. The 3-D architecture
 * page draws any architecture from its generic stages instead (`layout.ts`).
 */
import { presets, presetSpec, axisFlow, channelPlan, shapeReport, type ResolvedUNetOptions, type UNetOptions } from '../../../src/index.js';
import { KIND_COLOURS } from './kinds.js';

export type ShapeReport = ReturnType<typeof shapeReport>;
export type Stage = ShapeReport['stages'][number];
export type DecoderChannels = ReturnType<typeof channelPlan>['decoder'][number];

export type Role = 'input' | 'encoder' | 'bottleneck' | 'decoder' | 'output';

/** One drawable block: a stage of the report (or the input) with its role and level. */
export interface Block {
  stage: Stage;
  role: Role;
  /** U-Net level: 0 (full resolution) … depth (bottleneck). */
  level: number;
}

/** One skip connection: encoder level → the decoder stage that joins it. */
export interface Skip {
  level: number;
  from: Block;
  to: Block;
  /** The decoder level's channels (up-sampled, skip, concatenated, out). */
  channels: DecoderChannels;
  /** Per axis: the skip's size, the up-sampled size it is cropped to, and the crop per side. */
  axes: { skip: number; up: number; crop: number }[];
}

export interface NetView {
  preset: string;
  description: string;
  options: ResolvedUNetOptions;
  input: number[];
  report: ShapeReport;
  blocks: Block[];
  skips: Skip[];
}

/** The view of U-Net preset `preset` at spatial input `input`, with option overrides. */
export function netView(preset: string, input: readonly number[], overrides: UNetOptions = {}): NetView {
  const spec = presetSpec(preset, overrides as Record<string, unknown>);
  if (spec.arch !== 'unet') throw new Error(`preset ${preset} is a ${spec.arch}, not a U-Net`);
  const options = spec.options as ResolvedUNetOptions;
  const report = shapeReport(options, input);
  const d = options.depth;
  const inputStage: Stage = { name: 'input', module: '—', inChannels: options.inChannels, channels: options.inChannels, size: report.errors.length ? [] : [...input], params: 0 };
  const blocks: Block[] = [{ stage: inputStage, role: 'input', level: 0 }];
  report.stages.forEach((stage, i) => {
    // Report order: enc1 … encN (levels 0 … d−1), bottleneck (level d), dec1 (level d−1) … decN (level 0), out.
    if (i < d) blocks.push({ stage, role: 'encoder', level: i });
    else if (i === d) blocks.push({ stage, role: 'bottleneck', level: d });
    else if (i <= 2 * d) blocks.push({ stage, role: 'decoder', level: 2 * d - i });
    else blocks.push({ stage, role: 'output', level: 0 });
  });
  const flows = report.errors.length ? [] : input.map((n) => axisFlow(options, n));
  const plan = channelPlan(options);
  const skips: Skip[] = [];
  for (let l = 0; l < d; l++) {
    skips.push({
      level: l,
      from: blocks.find((b) => b.role === 'encoder' && b.level === l)!,
      to: blocks.find((b) => b.role === 'decoder' && b.level === l)!,
      channels: plan.decoder[l],
      axes: flows.map((f) => ({ skip: f.enc[l], up: f.up[l], crop: f.crop[l] })),
    });
  }
  return { preset, description: presets.get(preset).description, options, input: [...input], report, blocks, skips };
}

/** "axis 0 size 570: <rule>; nearest valid sizes: 556 or 572" lines of an invalid input (empty when it fits). */
export function sizeProblems(v: NetView): { text: string; below?: number; above?: number; axis: number }[] {
  return v.report.errors.map((e) => {
    const near = [e.below, e.above].filter((n) => n !== undefined).join(' or ');
    return { axis: e.axis, below: e.below, above: e.above, text: `axis ${e.axis} (size ${e.size}): ${e.rule}${near ? `; nearest valid sizes: ${near}` : ''}` };
  });
}

/** The input with each failing axis replaced by its nearest valid size (below when `prefer` is 'below' and there is one). */
export function nearestInput(v: NetView, prefer: 'below' | 'above'): number[] {
  const out = [...v.input];
  for (const e of v.report.errors) out[e.axis] = (prefer === 'below' ? e.below ?? e.above : e.above ?? e.below) ?? out[e.axis];
  return out;
}

/** "copy" (same padding), "crop 4 per side", per axis "crop 4/4/3 per side", or "crop ?" (input does not fit). */
export function cropLabel(k: Skip, v: NetView): string {
  if (v.options.padding !== 'valid') return 'copy';
  if (!k.axes.length) return 'crop ?';
  const c = k.axes.map((a) => a.crop);
  return `crop ${c.every((x) => x === c[0]) ? c[0] : c.join('/')} per side`;
}

/** Stage size for display; with an invalid input, the channels only. */
export const stageSize = (b: Block): string => (b.stage.size.length ? b.stage.size.join('×') : '?');

export const ROLE_COLOURS: Record<Role, string> = KIND_COLOURS;
