/**
 * How each kind of stage (`NetStage.kind`) looks in the explorer: its colour, the shape the 3-D page draws it as and
 * its legend text. Every architecture's stages use these kinds, so a newly registered network is drawn without
 * changes here.
 */
import type { StageKind } from '../../../src/index.js';

export const KIND_COLOURS: Record<StageKind, string> = {
  input: '#94a3b8',
  encoder: '#3b82f6',
  bottleneck: '#8b5cf6',
  decoder: '#f59e0b',
  output: '#10b981',
  gate: '#f43f5e',
  tokens: '#22d3ee',
  head: '#a3e635',
};

/** The 3-D shape of a kind: feature maps are boxes; the others are told apart by shape as well as colour. */
export type KindShape = 'box' | 'diamond' | 'prism' | 'pyramid';

export const KIND_SHAPES: Record<StageKind, KindShape> = {
  input: 'box', encoder: 'box', bottleneck: 'box', decoder: 'box', output: 'box',
  gate: 'diamond', tokens: 'prism', head: 'pyramid',
};

/** Legend text per kind, in drawing order. */
export const KIND_LEGEND: [StageKind, string][] = [
  ['input', 'input'], ['encoder', 'encoder'], ['bottleneck', 'bottleneck'], ['decoder', 'decoder'], ['output', 'output'],
  ['gate', 'attention gate'], ['tokens', 'transformer tokens'], ['head', 'deep-supervision head'],
];
