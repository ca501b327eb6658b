/**
 * Volumetric flow: the 3-D U-Nets (cicek2016, unpadded; seed3d, padded) as isometric boxes of their feature-map
 * volumes — encoder column shrinking, decoder growing, dashed skips — with level buttons that highlight the matching
 * encoder/decoder pair, and both networks' sizes per level side by side. Every size comes from the library's plan.
 */
import { presets } from '../../../src/index.js';
import { h, s, size, parseSize } from '../lib/ui.js';
import { netView, sizeProblems, stageSize, cropLabel, ROLE_COLOURS, type Block, type NetView } from '../lib/network.js';
import type { Page } from '../lib/page.js';

const W = 540;

/** Shade a #rrggbb colour by factor f (< 1 darker). */
const shade = (hex: string, f: number) => `rgb(${[1, 3, 5].map((i) => Math.round(Math.min(255, parseInt(hex.slice(i, i + 2), 16) * f))).join(',')})`;

/** An isometric box with its front-bottom-left corner at (x, y): width along x, height up, depth receding. */
function isoBox(x: number, y: number, w: number, ht: number, d: number, colour: string): SVGGElement {
  const dx = d * 0.7, dy = d * 0.4;
  return s('g', { class: 'iso' },
    s('polygon', { points: `${x},${y - ht} ${x + dx},${y - ht - dy} ${x + w + dx},${y - ht - dy} ${x + w},${y - ht}`, fill: shade(colour, 1.25) }),
    s('polygon', { points: `${x + w},${y} ${x + w},${y - ht} ${x + w + dx},${y - ht - dy} ${x + w + dx},${y - dy}`, fill: shade(colour, 0.7) }),
    s('rect', { x, y: y - ht, width: w, height: ht, fill: colour }));
}

/** The network's SVG: one row per level, encoder left, decoder right, bottleneck at the bottom centre. */
function volumeSvg(v: NetView, onLevel: (l: number) => void): SVGSVGElement {
  const d = v.options.depth;
  const max = Math.max(...v.input);
  const px = (n: number) => 5 + 70 * (n / max);
  const dims = (b: Block) => (b.stage.size.length ? b.stage.size : v.input.map((n) => n / 2 ** b.level)); // [D, H, W]
  const rowH = (l: number) => Math.max(...v.blocks.filter((b) => b.level === l && b.role !== 'input' && b.role !== 'output').map((b) => px(dims(b)[1]) + 0.4 * px(dims(b)[0]))) + 44;
  const rowY: number[] = [];
  let y = 10;
  for (let l = 0; l <= d; l++) { y += rowH(l); rowY.push(y); }
  const svg = s('svg', { viewBox: `0 0 ${W} ${y + 14}`, class: 'graph volume', 'data-testid': `volume-${v.preset}` });
  const xOf = (b: Block) => (b.role === 'encoder' ? 30 : b.role === 'decoder' ? W - 170 : W / 2 - 50);
  const boxes = new Map<Block, { x: number; y: number; w: number }>();
  for (const b of v.blocks.filter((q) => q.role === 'encoder' || q.role === 'decoder' || q.role === 'bottleneck')) {
    const [D, H, Wd] = dims(b);
    const bx = xOf(b), by = rowY[b.level] - 16, w = px(Wd);
    boxes.set(b, { x: bx, y: by - px(H) / 2, w: w + px(D) * 0.7 });
    svg.append(s('g', { class: 'vol', 'data-level': b.level, 'data-role': b.role, 'data-testid': `vol-${v.preset}-${b.stage.name}` },
      isoBox(bx, by, w, px(H), px(D), ROLE_COLOURS[b.role]),
      s('text', { x: bx, y: by + 14, class: 'dims' }, `${b.stage.name} · ${b.stage.channels}ch · ${stageSize(b)}`)));
  }
  for (const k of v.skips) {
    const a = boxes.get(k.from)!, b = boxes.get(k.to)!;
    svg.append(s('g', { class: 'vskip', 'data-level': k.level },
      s('line', { x1: a.x + a.w + 6, y1: a.y, x2: b.x - 6, y2: a.y, class: 'skip-line' }),
      s('text', { x: (a.x + a.w + b.x) / 2, y: a.y - 5, 'text-anchor': 'middle', class: 'skip-label' }, `skip ${k.level + 1}: ${cropLabel(k, v)}`)));
  }
  svg.querySelectorAll<SVGGElement>('.vol, .vskip').forEach((g) => g.addEventListener('click', () => onLevel(Number(g.dataset.level))));
  return svg;
}

/** One network's panel: input box, level buttons, the SVG. */
function panel(preset: string, onView: (v: NetView) => void): HTMLElement {
  const wrap = h('div', { class: 'panel vol-panel', 'data-testid': `panel-${preset}` });
  const input = h('input', { size: 14, value: size(presets.get(preset).defaultInput), 'aria-label': `${preset} input size` });
  const body = h('div', {});
  const render = () => {
    const parsed = parseSize(input.value, 3);
    if (typeof parsed === 'string') { body.replaceChildren(h('p', { class: 'problem' }, parsed)); return; }
    const v = netView(preset, parsed);
    let level = -1;
    const svgHolder = h('div', {});
    const highlight = (l: number) => {
      level = level === l ? -1 : l;
      svgHolder.querySelectorAll<SVGGElement>('.vol, .vskip').forEach((g) => {
        const on = level < 0 || (Number(g.dataset.level) === level && g.dataset.role !== 'bottleneck');
        g.classList.toggle('dim', !on);
        g.classList.toggle('hot', level >= 0 && on);
      });
      buttons.forEach((b, i) => b.classList.toggle('active', i === level));
    };
    const buttons = v.skips.map((k) => {
      const b = h('button', { type: 'button', 'data-testid': `level-${preset}-${k.level + 1}` }, `level ${k.level + 1}`);
      b.addEventListener('click', () => highlight(k.level));
      return b;
    });
    const bad = sizeProblems(v);
    svgHolder.append(volumeSvg(v, highlight));
    body.replaceChildren(
      h('p', { class: 'io', 'data-testid': `io-${preset}` }, bad.length ? h('span', { class: 'problem-inline' }, bad.map((b) => b.text).join('; ')) : h('b', {}, `${size(v.input)} → ${size(v.report.output)}`),
        ` (${v.options.padding} padding, ${v.report.params.toLocaleString('en-US')} parameters)`),
      h('div', { class: 'levels' }, ...buttons), svgHolder);
    onView(v);
  };
  input.addEventListener('change', render);
  wrap.append(h('h3', {}, preset), h('p', { class: 'desc' }, presets.get(preset).description), h('label', {}, 'input (D×H×W) ', input), body);
  queueMicrotask(render);
  return wrap;
}

export const volumePage: Page = {
  id: 'volume',
  title: 'Volumetric flow',
  mount(root) {
    const views = new Map<string, NetView>();
    const table = h('table', { class: 'stages', 'data-testid': 'volume-table' });
    const compare = () => {
      const vs = [...views.values()];
      const depth = Math.max(...vs.map((v) => v.options.depth));
      const cell = (v: NetView, role: Block['role'], l: number) => { const b = v.blocks.find((q) => q.role === role && q.level === l); return b ? stageSize(b) : ''; };
      table.replaceChildren(
        h('thead', {}, h('tr', {}, h('th', {}, 'level'), ...vs.flatMap((v) => [h('th', {}, `${v.preset} encoder`), h('th', {}, `${v.preset} decoder`)]))),
        h('tbody', {}, ...Array.from({ length: depth + 1 }, (_, l) => h('tr', {}, h('td', {}, String(l + 1)),
          ...vs.flatMap((v) => (l === v.options.depth ? [h('td', { colspan: 2, class: 'neck' }, `bottleneck ${cell(v, 'bottleneck', l)}`)] : l > v.options.depth ? [h('td', {}), h('td', {})] : [h('td', {}, cell(v, 'encoder', l)), h('td', {}, cell(v, 'decoder', l))]))))));
    };
    const onView = (v: NetView) => { views.set(v.preset, v); if (views.size === 2) compare(); };
    root.append(
      h('p', { class: 'lead' }, 'The 3-D U-Nets as feature-map volumes (box edges ∝ D, H, W): the encoder column shrinks, the decoder grows back, dashed lines are the skips. Çiçek et al.\'s unpadded network loses a border at every convolution, so its output is far smaller than its input (sizes from the library\'s plan, below each title); the padded seed3d halves cleanly. Level buttons highlight the matching pair.'),
      h('div', { class: 'two' }, panel('cicek2016', onView), panel('seed3d', onView)),
      h('h3', {}, 'Sizes per level (from the plan)'), table);
    return () => undefined;
  },
};
