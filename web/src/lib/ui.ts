/** Small DOM helpers shared by the explorer's pages: elements, SVG elements, number formats, the preset controls. */
import { architectures, presets, presetSpec, geometryOf } from '../../../src/index.js';

type Attrs = Record<string, string | number | boolean | undefined>;
type Child = Node | string | number | null | undefined | false;

function fill<E extends Element>(e: E, attrs: Attrs, children: Child[]): E {
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== false) e.setAttribute(k, v === true ? '' : String(v));
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(typeof c === 'object' ? c : String(c));
  return e;
}

/** An HTML element with attributes and children. */
export const h = <K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] =>
  fill(document.createElement(tag), attrs, children);

/** An SVG element with attributes and children. */
export const s = <K extends keyof SVGElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): SVGElementTagNameMap[K] =>
  fill(document.createElementNS('http://www.w3.org/2000/svg', tag), attrs, children);

/** 31030658 → "31,030,658". */
export const int = (n: number): string => n.toLocaleString('en-US');
/** 1234567 → "1.23 M". */
export const compact = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : String(n));
/** [572, 572] → "572×572"; [] → "—". */
export const size = (a: readonly number[]): string => (a.length ? a.join('×') : '—');

/** Parses "572x572" / "132×132×116" / "64" (one number for every axis) into `dims` sizes, or explains the problem. */
export function parseSize(text: string, dims: number): number[] | string {
  const parts = text.trim().split(/\s*[x×,*\s]\s*/).filter(Boolean).map(Number);
  if (parts.length === 1) parts.length = dims, parts.fill(parts[0]);
  if (parts.length !== dims) return `give ${dims} sizes (e.g. ${Array(dims).fill(64).join('×')}), got ${parts.length}`;
  if (parts.some((v) => !Number.isInteger(v) || v < 1)) return `sizes must be positive integers, got "${text}"`;
  return parts;
}

export interface NetChoice { preset: string; input: number[] }

/** Every preset of the registry's architecture `arch` (all presets when undefined), in registration order. */
export const presetNames = (arch?: string): string[] => presets.names().filter((n) => arch === undefined || presets.get(n).arch === arch);

/** The input a preset is drawn at first: the one size a fixed-size network takes, else the preset's default input. */
export function presetInput(name: string): number[] {
  const g = geometryOf(presetSpec(name));
  return g.fixed ? [...g.fixed] : [...presets.get(name).defaultInput];
}

/** The options of a preset menu, grouped by architecture (an `<optgroup>` per architecture, in registry order). */
function presetOptions(names: string[], initial: string): HTMLElement[] {
  const archs = architectures.names().filter((a) => names.some((n) => presets.get(n).arch === a));
  const option = (n: string) => h('option', { value: n, selected: n === initial, title: presets.get(n).description }, n);
  if (archs.length <= 1) return names.map(option);
  return archs.map((a) => h('optgroup', { label: a, 'data-arch': a }, ...names.filter((n) => presets.get(n).arch === a).map(option)));
}

/**
 * A preset menu (by default every preset of every registered architecture, grouped by architecture) and an
 * input-size box that starts at the preset's input; `onChange` gets the choice, or the reason the typed size cannot
 * be read.
 */
export function presetControls(initial: string, onChange: (c: NetChoice | string) => void, names = presetNames()): HTMLElement {
  const select = h('select', { 'data-testid': 'preset', 'aria-label': 'preset' }, ...presetOptions(names, initial));
  const input = h('input', { 'data-testid': 'input-size', 'aria-label': 'input size', size: 14, value: size(presetInput(initial)) });
  const emit = () => {
    const parsed = parseSize(input.value, geometryOf(presetSpec(select.value)).spatialDims);
    onChange(typeof parsed === 'string' ? parsed : { preset: select.value, input: parsed });
  };
  select.addEventListener('change', () => { input.value = size(presetInput(select.value)); emit(); });
  input.addEventListener('change', emit);
  const wrap = h('div', { class: 'controls' }, h('label', {}, 'preset ', select), h('label', {}, 'input ', input));
  /** Lets other widgets (e.g. "use the nearest valid size") set the size. */
  (wrap as HTMLElement & { setSize?: (v: number[]) => void }).setSize = (v) => { input.value = size(v); emit(); };
  queueMicrotask(emit);
  return wrap;
}

/** Sets the size box of a `presetControls` element and re-emits. */
export const setControlSize = (controls: HTMLElement, v: number[]): void => (controls as HTMLElement & { setSize?: (v: number[]) => void }).setSize?.(v);

/** Grayscale or RGBA rendering of per-pixel values into a canvas of the image's size. */
export function drawPixels(canvas: HTMLCanvasElement, width: number, height: number, rgba: (i: number) => [number, number, number]): void {
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(width, height);
  for (let i = 0; i < width * height; i++) {
    const [r, g, b] = rgba(i);
    img.data.set([r, g, b, 255], 4 * i);
  }
  ctx.putImageData(img, 0, 0);
}

/** A figure: a canvas with a caption. */
export const figure = (caption: string, canvas: HTMLCanvasElement, testid?: string): HTMLElement =>
  h('figure', { 'data-testid': testid }, canvas, h('figcaption', {}, caption));
