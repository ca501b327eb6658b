/** The U-Net (Ronneberger 2015, Çiçek 2016, the chapter's padded form) as an `Architecture`. */
import type { Architecture } from '../architecture.js';
import type { NetStage } from '../types.js';
import { UNet, unetGeometry } from './unet.js';
import { resolveOptions, type ResolvedUNetOptions, type UNetOptions } from './options.js';
import { shapeReport } from './plan.js';
import { unetPresets } from './presets.js';
import { canonicalKey } from './keys.js';

/** The report's stages as drawable stages: the data path and each decoder's skip. */
export function unetStages(o: ResolvedUNetOptions, input: readonly number[]): NetStage[] {
  const report = shapeReport(o, input);
  const d = o.depth;
  const sized = report.errors.length === 0 && input.length > 0;
  const out: NetStage[] = [{ name: 'input', kind: 'input', module: '—', level: 0, inChannels: o.inChannels, channels: o.inChannels, size: sized ? [...input] : [], params: 0, from: [] }];
  report.stages.forEach((s, i) => {
    // Report order: enc1 … encN (levels 0 … d−1), bottleneck (level d), dec1 (level d−1) … decN (level 0), out.
    const kind = i < d ? 'encoder' : i === d ? 'bottleneck' : i <= 2 * d ? 'decoder' : 'output';
    const level = i < d ? i : i === d ? d : i <= 2 * d ? 2 * d - i : 0;
    const prev = out[out.length - 1].name;
    const from = kind === 'decoder' && s.skip !== false ? [prev, level === d ? 'bottleneck' : `enc${level + 1}`] : [prev];
    out.push({ name: s.name, kind, module: s.module, level, inChannels: s.inChannels, channels: s.channels, size: s.size, params: s.params, from, ...(s.crop ? { crop: s.crop } : {}) });
  });
  return out;
}

export const unet: Architecture<ResolvedUNetOptions> = {
  name: 'unet',
  description: 'U-Net (Ronneberger 2015; Çiçek 2016 in 3-D; the chapter’s padded form with BatchNorm and interpolation)',
  resolve: (o) => resolveOptions(o as UNetOptions),
  create: (o) => new UNet(o),
  geometry: unetGeometry,
  stages: unetStages,
  params: (o) => shapeReport(o, []).params,
  presets: unetPresets,
  foreignKey: canonicalKey,
  notes: (o, input) => {
    const r = shapeReport(o, input);
    const up = o.upsample === 'interp' ? (o.spatialDims === 2 ? 'bilinear' : 'trilinear') : 'transposed';
    const lines = [`${o.spatialDims}-D, ${o.inChannels} in → ${o.classes} out, base ${o.base}, depth ${o.depth}, ${o.padding} padding, ${up} up-sampling, norm ${o.norm}`];
    if (r.receptiveFieldAt.length) lines.push(`receptive field: ${r.receptiveFieldAt.join('×')} px at this input (textbook rule: ${r.receptiveField})`);
    if (o.padding === 'valid') lines.push('valid padding: each skip is centre-cropped by (S_skip − S_up)/2 per side before the concat');
    return { lines, json: { receptiveField: r.receptiveField, receptiveFieldAt: r.receptiveFieldAt } };
  },
  tiny: { base: 4, depth: 2 },
};

export { UNet } from './unet.js';
export type { UNetOptions, ResolvedUNetOptions } from './options.js';
