/**
 * Shape flow (U-Net presets): the network as a 2-D SVG graph (encoder down the left, bottleneck at the bottom, decoder up the right,
 * skips as dashed arrows), a stage table and the crop arithmetic of the selected skip — all from the library's plan.
 */
import { h, s, int, compact, presetControls, presetNames, setControlSize, size } from '../lib/ui.js';
import { netView, sizeProblems, nearestInput, stageSize, cropLabel, ROLE_COLOURS, type Block, type NetView, type Skip } from '../lib/network.js';
import type { Page } from '../lib/page.js';

const W = 980, ROW = 100, TOP = 40;

/** Block rectangle: width by channels, height by spatial size (both log₂). */
function rect(b: Block, v: NetView): { x: number; y: number; w: number; h: number } {
  const d = v.options.depth;
  const w = 10 + 6 * Math.log2(Math.max(2, b.stage.channels));
  const side = b.stage.size.length ? Math.min(...b.stage.size) : 2 ** (6 - b.level);
  const ht = 14 + 6 * Math.log2(Math.max(2, side));
  const cy = TOP + b.level * ROW + ROW / 2;
  const step = Math.min(80, (W / 2 - 160) / Math.max(1, d));
  let cx: number;
  switch (b.role) {
    case 'input': cx = 36; break;
    case 'encoder': cx = 120 + b.level * step; break;
    case 'bottleneck': cx = W / 2; break;
    case 'decoder': cx = W - 120 - b.level * step; break;
    case 'output': cx = W - 36; break;
  }
  return { x: cx - w / 2, y: cy - ht / 2, w, h: ht };
}

/** Text of a skip's crop arithmetic, per axis: (H_skip − H_up)/2 = crop per side. */
export function cropLines(k: Skip, v: NetView): string[] {
  if (!k.axes.length) return ['(no sizes: the input does not fit, see above)'];
  const names = v.options.spatialDims === 2 ? ['H', 'W'] : ['D', 'H', 'W'];
  return k.axes.map((a, i) => `${names[i]}: (${a.skip} − ${a.up}) / 2 = ${a.crop} per side: ${a.skip} → ${a.up}`);
}

export const shapeFlowPage: Page = {
  id: 'flow',
  title: 'Shape flow',
  mount(root) {
    const svg = s('svg', { viewBox: `0 0 ${W} 520`, class: 'graph', 'data-testid': 'flow-graph', role: 'img' });
    const tip = h('div', { class: 'tooltip', hidden: true, 'data-testid': 'tooltip' });
    const problems = h('div', { class: 'problem', 'data-testid': 'size-problem', hidden: true });
    const summary = h('p', { class: 'summary', 'data-testid': 'flow-summary' });
    const cropBox = h('div', { class: 'panel', 'data-testid': 'crop-panel' });
    const table = h('table', { class: 'stages', 'data-testid': 'stage-table' });
    let selected = -1;
    let view: NetView | undefined;

    const showCrop = (k: Skip) => {
      const v = view!;
      selected = k.level;
      const c = k.channels;
      cropBox.replaceChildren(
        h('h3', {}, `Skip at level ${k.level + 1}: ${k.from.stage.name} → ${k.to.stage.name}`),
        h('p', {}, v.options.padding === 'valid'
          ? 'Valid convolutions shrink every feature map, so the encoder\'s map is larger than the up-sampled one and is centre-cropped: (H_skip − H_up) / 2 pixels come off each side.'
          : 'Same padding keeps the sizes equal: the skip is joined uncropped.'),
        h('pre', { 'data-testid': 'crop-text' }, cropLines(k, v).join('\n')),
        h('p', {}, `Concatenated: ${c.skip} skip + ${c.upOut} up-sampled = ${c.in} channels → ${k.to.stage.name} outputs ${c.out} channels at ${stageSize(k.to)}.`),
      );
      svg.querySelectorAll('.skip').forEach((e) => e.classList.toggle('selected', e.getAttribute('data-level') === String(k.level)));
    };

    const render = (v: NetView) => {
      view = v;
      const byRole = (r: Block['role']) => v.blocks.filter((b) => b.role === r);
      const R = new Map(v.blocks.map((b) => [b, rect(b, v)]));
      const arrows = s('g', { class: 'arrows' });
      const link = (a: Block, b: Block) => {
        const p = R.get(a)!, q = R.get(b)!;
        const down = q.y > p.y + p.h / 2, up = q.y + q.h < p.y;
        const [x1, y1, x2, y2] = down ? [p.x + p.w / 2, p.y + p.h, q.x + q.w / 2, q.y] : up ? [p.x + p.w / 2, p.y, q.x + q.w / 2, q.y + q.h] : [p.x + p.w, p.y + p.h / 2, q.x, q.y + q.h / 2];
        arrows.append(s('line', { x1, y1, x2, y2, class: 'flow', 'marker-end': 'url(#arrow)' }));
      };
      const enc = byRole('encoder'), dec = byRole('decoder').sort((a, b) => b.level - a.level), neck = byRole('bottleneck')[0];
      link(byRole('input')[0], enc[0]);
      enc.forEach((e, i) => link(e, enc[i + 1] ?? neck));
      [neck, ...dec].forEach((d, i) => { if (dec[i]) link(d, dec[i]); });
      link(dec[dec.length - 1], byRole('output')[0]);

      const skips = s('g', { class: 'skips' });
      for (const k of v.skips) {
        const p = R.get(k.from)!, q = R.get(k.to)!;
        const y = TOP + k.level * ROW + ROW / 2;
        const d = `M ${p.x + p.w} ${y} L ${q.x - 4} ${y}`;
        skips.append(s('g', { class: 'skip', 'data-level': k.level, 'data-testid': `skip-${k.level + 1}`, tabindex: 0 },
          s('path', { d, class: 'skip-hit' }),
          s('path', { d, class: 'skip-line', 'marker-end': 'url(#arrow-skip)' }),
          s('text', { x: (p.x + p.w + q.x) / 2, y: y - 6, 'text-anchor': 'middle', class: 'skip-label' }, `skip ${k.level + 1}: ${cropLabel(k, v)}`)));
      }
      const blocks = s('g', { class: 'blocks' });
      for (const b of v.blocks) {
        const r = R.get(b)!;
        const g = s('g', { class: 'block', 'data-name': b.stage.name, 'data-testid': `block-${b.stage.name}` },
          s('rect', { x: r.x, y: r.y, width: r.w, height: r.h, rx: 3, fill: ROLE_COLOURS[b.role] }),
          s('text', { x: r.x + r.w / 2, y: r.y - 4, 'text-anchor': 'middle', class: 'name' }, b.stage.name),
          s('text', { x: r.x + r.w / 2, y: r.y + r.h + 13, 'text-anchor': 'middle', class: 'dims' }, `${b.stage.channels} ch`),
          s('text', { x: r.x + r.w / 2, y: r.y + r.h + 26, 'text-anchor': 'middle', class: 'dims' }, stageSize(b)));
        g.addEventListener('mousemove', (ev) => {
          tip.hidden = false;
          tip.replaceChildren(h('b', {}, `${b.stage.name} (${b.role}${b.stage.module !== '—' ? `, module ${b.stage.module}` : ''})`),
            h('div', {}, `channels ${b.stage.inChannels} → ${b.stage.channels}`), h('div', {}, `spatial size ${stageSize(b)}`), h('div', {}, `parameters ${int(b.stage.params)}`));
          const box = root.getBoundingClientRect();
          tip.style.left = `${ev.clientX - box.left + 14}px`;
          tip.style.top = `${ev.clientY - box.top + 14}px`;
        });
        g.addEventListener('mouseleave', () => { tip.hidden = true; });
        blocks.append(g);
      }
      svg.replaceChildren(
        s('defs', {},
          s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' }, s('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#64748b' })),
          s('marker', { id: 'arrow-skip', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto' }, s('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#e2e8f0' }))),
        arrows, skips, blocks);
      svg.setAttribute('viewBox', `0 0 ${W} ${TOP + (v.options.depth + 1) * ROW + 10}`);
      svg.querySelectorAll<SVGGElement>('.skip').forEach((g) => g.addEventListener('click', () => showCrop(v.skips[Number(g.dataset.level)])));

      const bad = sizeProblems(v);
      problems.hidden = bad.length === 0;
      if (bad.length) {
        const below = nearestInput(v, 'below'), above = nearestInput(v, 'above');
        problems.replaceChildren(
          h('b', {}, `Input ${size(v.input)} does not fit this U-Net (${v.options.padding} padding, depth ${v.options.depth}):`),
          h('ul', {}, ...bad.map((p) => h('li', {}, p.text))),
          h('div', {}, 'Use ', ...[below, above].filter((c, i, a) => i === 0 || size(c) !== size(a[0])).map((c) => {
            const b = h('button', { type: 'button' }, size(c));
            b.addEventListener('click', () => setControlSize(controls, c));
            return b;
          })));
      }
      const r = v.report;
      summary.replaceChildren(`${v.preset}: ${v.description}. `, h('b', {}, `${int(r.params)} parameters`),
        r.output.length ? `; ${size(r.input)} → ${size(r.output)}; receptive field ${r.receptiveFieldAt.join('×')} px (textbook rule ${r.receptiveField}).` : '.');
      const skipOf = (b: Block) => v.skips.find((k) => k.to === b);
      table.replaceChildren(
        h('thead', {}, h('tr', {}, ...['stage', 'module', 'channels in → out', 'size', 'skip crop / side', 'parameters'].map((t) => h('th', {}, t)))),
        h('tbody', {}, ...v.blocks.filter((b) => b.role !== 'input').map((b) => h('tr', { class: b.role },
          h('td', {}, h('span', { class: 'swatch', style: `background:${ROLE_COLOURS[b.role]}` }), b.stage.name), h('td', {}, b.stage.module),
          h('td', {}, `${b.stage.inChannels} → ${b.stage.channels}`), h('td', {}, stageSize(b)),
          h('td', {}, b.stage.crop ? b.stage.crop.join(' / ') || '?' : skipOf(b) ? '0' : ''), h('td', { class: 'num' }, int(b.stage.params))))),
        h('tfoot', {}, h('tr', {}, h('td', { colspan: 5 }, 'total'), h('td', { class: 'num' }, `${int(r.params)} (${compact(r.params)})`))));
      showCrop(v.skips[selected >= 0 && selected < v.skips.length ? selected : v.skips.length - 1]);
    };

    const controls = presetControls('ronneberger2015', (c) => {
      if (typeof c === 'string') { problems.hidden = false; problems.textContent = c; return; }
      render(netView(c.preset, c.input));
    }, presetNames('unet'));
    root.append(
      h('p', { class: 'lead' }, 'A U-Net preset as a graph (the 3-D architecture page draws every architecture): encoder (blue) down the left, bottleneck (purple), decoder (amber) up the right, output (green). Hover a block for its shapes and parameters; click a dashed skip for its crop arithmetic.'),
      controls, problems,
      h('div', { class: 'legend' }, h('span', {}, '↘ 2× max-pool, then two 3×3 convs'), h('span', {}, '↗ 2× up-sampling (interpolation or 2×2 up-conv), concat, two 3×3 convs'), h('span', {}, h('span', { class: 'swatch dashed' }), 'skip (click: crop arithmetic)'), h('span', {}, '→ 1×1 conv to classes')),
      h('div', { class: 'split' }, h('div', { class: 'graph-wrap' }, svg, tip), cropBox),
      summary, table);
    return () => undefined;
  },
};
