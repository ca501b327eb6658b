/**
 * The architectures by name and every preset of every architecture (`--arch`, `--preset`), and the functions the rest
 * of the library reaches a network through: a spec (`{arch, options}`) in, a network, its geometry or its stages out.
 * Errors list the valid names and the nearest match.
 */
import { Registry } from '../core/registry.js';
import type { Architecture, Preset } from './architecture.js';
import type { Geometry, NetSpec, NetStage, TrainableNet } from './types.js';
import { unet } from './unet/index.js';
import { attentionUNet } from './attention-unet/index.js';
import { unetpp } from './unetpp/index.js';
import { unetr } from './unetr/index.js';
import { transunet } from './transunet/index.js';
import { nnunet } from './nnunet/index.js';

// One line per architecture.
export const architectures = new Registry<Architecture<object>>('architecture')
  .register(unet.name, unet as Architecture<object>)
  .register(attentionUNet.name, attentionUNet as Architecture<object>)
  .register(unetpp.name, unetpp as Architecture<object>)
  .register(unetr.name, unetr as Architecture<object>)
  .register(transunet.name, transunet as Architecture<object>)
  .register(nnunet.name, nnunet as Architecture<object>);

/** Every preset of every architecture, by name. */
export const presets = new Registry<Preset>('preset');
for (const name of architectures.names()) {
  const a = architectures.get(name);
  for (const [p, preset] of Object.entries(a.presets)) presets.register(p, { arch: a.name, ...preset });
}

/** The architecture's resolved options for `options` (defaults filled, every field checked). */
export function resolveSpec(arch: string, options: Record<string, unknown> = {}): NetSpec {
  const a = architectures.get(arch);
  return { arch: a.name, options: a.resolve(options) as Record<string, unknown> };
}

const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** The spec of preset `name` with `overrides` on top of its options. */
export function presetSpec(name: string, overrides: Record<string, unknown> = {}): NetSpec {
  const p = presets.get(name);
  return resolveSpec(p.arch, { ...p.options, ...defined(overrides) });
}

/** Builds the network a spec describes. */
export function createNet(spec: NetSpec): TrainableNet {
  const a = architectures.get(spec.arch);
  return a.create(a.resolve({ ...spec.options }));
}

export function geometryOf(spec: NetSpec): Geometry {
  const a = architectures.get(spec.arch);
  return a.geometry(a.resolve({ ...spec.options }));
}

export function stagesOf(spec: NetSpec, input: readonly number[] = []): NetStage[] {
  const a = architectures.get(spec.arch);
  return a.stages(a.resolve({ ...spec.options }), input);
}

export function paramsOf(spec: NetSpec): number {
  const a = architectures.get(spec.arch);
  return a.params(a.resolve({ ...spec.options }));
}

/** Maps a foreign state-dict key onto the architecture's own names (identity where it has no mapping). */
export function foreignKeyOf(arch: string): (key: string) => string {
  const a = architectures.get(arch);
  return a.foreignKey ? (k) => a.foreignKey!(k) : (k) => k;
}
