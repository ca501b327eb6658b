/**
 * Where the 3-D architecture page puts each stage of any network: a pure function of its `NetStage[]` (no DOM, no
 * three.js), so that every registered architecture is drawn by the same rules and the rules are unit-tested.
 *
 * - Column: the longest path from the input along `from[]` (the data path and the skips alike). A U-Net comes out as
 *   a U (encoder descending, bottleneck, decoder ascending), a U-Net++ as its triangle (x_i_j in column i + 2j + 1),
 *   a gate between the coarser decoder and the decoder it feeds, a transformer's tokens as a chain.
 * - Row: the stage's `level` (0 = full resolution at the top, one row down per halving), rows pushed apart only where
 *   a row's arcs would otherwise run into the labels of the row above.
 * - x: in column order, each stage is packed as far left as it can go — right of every earlier column (a head: of its
 *   input) —  without its box or its label touching the box or label of any stage already placed. Labels therefore never overlap, whatever the
 *   architecture. A label sits under its box, except in a run of three or more stages chained along one row without
 *   arcs (a transformer's layers), where every second label goes above so that the run packs by its boxes.
 * - Edges: one per `from[]` entry. The first is the data path (solid), later ones skips (dashed), except that a stage
 *   fed only by heads (a deep-supervision mean) takes all of them as its data path. Edges within one row that jump a
 *   column, and every skip within a row, are arcs over the row; the rest are straight.
 *
 * World units, y up; a box is centred on (x, y); a label sits centred under its box.
 */
import type { NetStage } from '../../../src/index.js';

/** Axis-aligned rectangle, y up. */
export interface Rect { x0: number; y0: number; x1: number; y1: number }

/** What the drawing needs to know of one stage's extent: box [width (x), height (y), depth (z)] and label [w, h]. */
export interface Extent { box: [number, number, number]; label: [number, number] }

export interface PlacedStage {
  stage: NetStage;
  /** Index in the stage list. */
  index: number;
  /** Longest-path column. */
  column: number;
  /** Box centre. */
  x: number;
  y: number;
  box: [number, number, number];
  label: Rect;
  /** The label is above the box (every second stage of a run), else below. */
  labelAbove: boolean;
}

export interface LayoutEdge {
  from: string;
  to: string;
  /** Position in the target's `from[]`. */
  index: number;
  style: 'data' | 'skip';
  /** Drawn as an arc over the row (same level); `apex` is its highest y. */
  arc: boolean;
  apex?: number;
}

export interface StageLayout {
  nodes: PlacedStage[];
  edges: LayoutEdge[];
  /** Names in some `from[]` that are no stage of the list (drawn as nothing; a bug in the architecture's stages). */
  unknown: string[];
  /** Everything drawn: boxes, labels, arcs. */
  bounds: Rect;
}

export interface LayoutOptions {
  /** Nominal distance between rows (levels). Default 3.2. */
  rowGap: number;
  /** Least x step from one column to the next. Default 1.6. */
  minStep: number;
  /** Clearance kept between boxes and labels side by side (default 0.35) and one above the other (default 0.15). */
  gap: number;
  gapY: number;
  /** Space between a box's bottom and its label. Default 0.2. */
  labelGap: number;
  /** An arc rises this far above the tops it passes, plus `arcRise` per unit of its length. Defaults 0.45, 0.1. */
  arcLift: number;
  arcRise: number;
  /**
   * Share of a box's depth kept clear beside it (and 0.6 of that above and below): the side and top faces a camera
   * slightly off-axis shows. Default 0.2.
   */
  depthSkew: number;
  /** Width / height of the canvas the layout is meant for: of the overlap-free layouts tried, the one drawn largest. Default 2.2. */
  aspect: number;
}

export const LAYOUT_DEFAULTS: LayoutOptions = { rowGap: 3.2, minStep: 1.6, gap: 0.35, gapY: 0.15, labelGap: 0.2, arcLift: 0.45, arcRise: 0.1, depthSkew: 0.2, aspect: 2.2 };

/**
 * The box a stage is drawn in: x by channels, y by height, z by width (log₂ scales; the depth of 3-D maps is in the
 * label); unsized stages (an input the network refuses) by level. Heads are small fixed pyramids, gates diamonds
 * a little smaller than the skip they gate, tokens prisms whose length grows slowly with the token width.
 */
export function stageBox(s: NetStage): [number, number, number] {
  const sz = s.size.length ? s.size.slice(-2) : [2 ** Math.max(1, 7 - s.level), 2 ** Math.max(1, 7 - s.level)];
  const sp = (n: number) => 0.35 + 0.32 * Math.log2(Math.max(2, n));
  const w = 0.2 + 0.2 * Math.log2(Math.max(2, s.channels));
  if (s.kind === 'head') return [0.9, 1.1, 0.9];
  if (s.kind === 'tokens') return [0.9 + 0.07 * Math.log2(Math.max(2, s.channels)), sp(sz[0]), sp(sz[1])];
  if (s.kind === 'gate') return [Math.max(1, w * 0.8), Math.max(1, sp(sz[0]) * 0.7), Math.max(1, sp(sz[1]) * 0.7)];
  return [w, sp(sz[0]), sp(sz[1])];
}

/** The two lines of a stage's label: its name, and channels · spatial size (the patch grid for tokens). */
export const labelLines = (s: NetStage): [string, string] => [s.name, `${s.channels}ch · ${s.size.length ? s.size.join('×') : '?'}`];

/** Whether two rectangles come closer than `tol` horizontally and `tolY` vertically. */
export const intersects = (a: Rect, b: Rect, tol = 0, tolY = tol): boolean => a.x0 < b.x1 + tol && b.x0 < a.x1 + tol && a.y0 < b.y1 + tolY && b.y0 < a.y1 + tolY;

/** Pairs (i, j), i < j, of intersecting rectangles. */
export function overlapping(rects: readonly Rect[], tol = 0): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < rects.length; i++) for (let j = i + 1; j < rects.length; j++) if (intersects(rects[i], rects[j], tol)) out.push([i, j]);
  return out;
}

const union = (a: Rect, b: Rect): Rect => ({ x0: Math.min(a.x0, b.x0), y0: Math.min(a.y0, b.y0), x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1) });

/** Longest path from a stage without inputs, along `from[]`; a cycle (a bug upstream) is cut where it closes. */
export function columnsOf(stages: readonly NetStage[]): number[] {
  const byName = new Map(stages.map((s, i) => [s.name, i]));
  const col: (number | undefined)[] = stages.map(() => undefined);
  const visiting = new Set<number>();
  const visit = (i: number): number => {
    if (col[i] !== undefined) return col[i]!;
    if (visiting.has(i)) return 0;
    visiting.add(i);
    const srcs = stages[i].from.map((n) => byName.get(n)).filter((j): j is number => j !== undefined);
    const c = srcs.length ? Math.max(...srcs.map(visit)) + 1 : 0;
    visiting.delete(i);
    col[i] = c;
    return c;
  };
  return stages.map((_, i) => visit(i));
}

/** Lays out `stages`; `measure` gives each stage's box and label size. */
export function layoutStages(stages: readonly NetStage[], measure: (s: NetStage) => Extent, options: Partial<LayoutOptions> = {}): StageLayout {
  const o = { ...LAYOUT_DEFAULTS, ...options };
  const byName = new Map(stages.map((s, i) => [s.name, i]));
  const columns = columnsOf(stages);
  const ext = stages.map(measure);

  // Edges, and which are arcs (known from levels and columns alone).
  const unknown: string[] = [];
  const edges: LayoutEdge[] = [];
  const ends: number[][] = [];
  stages.forEach((t, ti) => {
    const srcs = t.from.map((n) => byName.get(n));
    const allHeads = srcs.length > 1 && srcs.every((j) => j !== undefined && stages[j].kind === 'head');
    t.from.forEach((name, index) => {
      const si = byName.get(name);
      if (si === undefined) { unknown.push(name); return; }
      const style = index > 0 && !allHeads ? 'skip' : 'data';
      const same = stages[si].level === t.level;
      edges.push({ from: name, to: t.name, index, style, arc: same && (style === 'skip' || Math.abs(columns[ti] - columns[si]) > 1) });
      ends.push([si, ti]);
    });
  });

  // Labels above the box, every second stage of a run: three or more stages in one row, each feeding the next in the
  // next column, no arc at any (a transformer's layers): their labels alternate below / above, so the run is packed by
  // its boxes rather than by its labels.
  const above = stages.map(() => false);
  {
    const arcAt = new Set(edges.flatMap((e, k) => (e.arc ? ends[k] : [])));
    const link = (k: number) => { const [a, b] = ends[k]; return edges[k].style === 'data' && !edges[k].arc && stages[a].level === stages[b].level && columns[b] === columns[a] + 1 && !arcAt.has(a) && !arcAt.has(b); };
    const links = edges.map((_, k) => k).filter(link);
    const next = new Map<number, number[]>(), prev = new Map<number, number[]>();
    for (const k of links) {
      const [a, b] = ends[k];
      next.set(a, [...(next.get(a) ?? []), b]);
      prev.set(b, [...(prev.get(b) ?? []), a]);
    }
    const single = (m: Map<number, number[]>, i: number) => (m.get(i)?.length === 1 ? m.get(i)![0] : undefined);
    stages.forEach((_, i) => {
      const p = single(prev, i);
      if (p !== undefined && single(next, p) === i) return; // not the start of a run
      const run = [i];
      for (let j = single(next, i); j !== undefined && single(prev, j) === run[run.length - 1]; j = single(next, j)) run.push(j);
      if (run.length >= 3) run.forEach((k, n) => { above[k] = n % 2 === 1; });
    });
  }

  // Rectangles of a stage's box (with `depthSkew` of its depth around it: the sides and top perspective shows) and
  // label with its box centred at (x, y).
  const boxRect = (i: number, x: number, y: number, skew = 0): Rect => {
    const [w, ht, d] = ext[i].box, sx = d * skew, sy = d * skew * 0.6;
    return { x0: x - w / 2 - sx, y0: y - ht / 2 - sy, x1: x + w / 2 + sx, y1: y + ht / 2 + sy };
  };
  const labelRect = (i: number, x: number, y: number): Rect => {
    const [lw, lh] = ext[i].label, half = ext[i].box[1] / 2 + o.labelGap;
    return above[i] ? { x0: x - lw / 2, y0: y + half, x1: x + lw / 2, y1: y + half + lh } : { x0: x - lw / 2, y0: y - half - lh, x1: x + lw / 2, y1: y - half };
  };
  const rects = (i: number, x: number, y: number) => [boxRect(i, x, y, o.depthSkew), labelRect(i, x, y)];

  // x: in column order, each stage at least `minStep` right of every stage of an earlier column (a head: right of its
  // input only, so that it stays beside it), then pushed right until its box and label clear every box and label
  // already placed. Rows at `rowY`.
  const order = stages.map((_, i) => i).sort((a, b) => columns[a] - columns[b] || a - b);
  const pack = (rowY: (level: number) => number): number[] => {
    const xs = new Array<number>(stages.length).fill(0);
    const placed: Rect[] = [];
    let frontier = -Infinity, column = -1, before = -Infinity;
    for (const i of order) {
      if (columns[i] !== column) { before = frontier; column = columns[i]; }
      const srcs = stages[i].from.map((n) => byName.get(n)).filter((j): j is number => j !== undefined && columns[j] < columns[i]);
      const lo = stages[i].kind === 'head' && srcs.length ? Math.max(...srcs.map((j) => xs[j])) + o.minStep : before === -Infinity ? 0 : before + o.minStep;
      const y = rowY(stages[i].level);
      const mine = rects(i, 0, y); // relative to the centre
      let x = lo;
      for (let moved = true; moved;) {
        moved = false;
        for (const r0 of mine) {
          for (const p of placed) {
            const r = { x0: r0.x0 + x, y0: r0.y0, x1: r0.x1 + x, y1: r0.y1 };
            if (intersects(r, p, o.gap, o.gapY)) { x = p.x1 + o.gap - r0.x0 + 1e-9; moved = true; }
          }
        }
      }
      xs[i] = x;
      placed.push(...rects(i, x, y));
      frontier = Math.max(frontier, x);
    }
    return xs;
  };

  // Rows: top down, `rowGap` apart per level; a row moves down (never up) until its arcs and its stages clear every
  // label and box of the rows above that they share an x with. So rows never overlap, whatever x packing came first.
  const levels = [...new Set(stages.map((s) => s.level))].sort((a, b) => a - b);
  const arcLift = (xs: number[], e: LayoutEdge, y: number): { x0: number; x1: number; apex: number } => {
    const a = byName.get(e.from)!, b = byName.get(e.to)!;
    const x0 = Math.min(xs[a], xs[b]), x1 = Math.max(xs[a], xs[b]);
    let top = -Infinity;
    stages.forEach((s, k) => {
      if (s.level === stages[b].level && xs[k] >= x0 - 1e-9 && xs[k] <= x1 + 1e-9) top = Math.max(top, ...rects(k, xs[k], y).map((r) => r.y1));
    });
    return { x0, x1, apex: top + o.arcLift + o.arcRise * (x1 - x0) };
  };
  const rowsFor = (xs: number[]): Map<number, number> => {
    const rows = new Map<number, number>();
    for (const [n, level] of levels.entries()) {
      let y = n === 0 ? -level * o.rowGap : rows.get(levels[n - 1])! - (level - levels[n - 1]) * o.rowGap;
      if (n > 0) {
        // Everything already placed (rows above) that this row's stages or arcs could run into.
        const higher = stages.flatMap((s, k) => (s.level < level ? rects(k, xs[k], rows.get(s.level)!) : []));
        const mine = stages.flatMap((s, k) => (s.level === level ? [k] : []));
        const arcs = edges.filter((e) => e.arc && stages[byName.get(e.to)!].level === level);
        // Heights relative to the row's y: each stage's box and label and each arc's span.
        const shapes = [...mine.flatMap((k) => rects(k, xs[k], 0)), ...arcs.map((e) => { const a = arcLift(xs, e, 0); return { x0: a.x0, x1: a.x1, y0: 0, y1: a.apex }; })];
        for (const r of higher) {
          for (const s of shapes) {
            if (s.x0 < r.x1 + o.gap && r.x0 < s.x1 + o.gap) y = Math.min(y, r.y0 - o.gap - s.y1);
          }
        }
      }
      rows.set(level, y);
    }
    return rows;
  };
  // Packed at the nominal rows, rows pushed apart where arcs need it, then packed again at those rows (rows further
  // apart leave more room side by side) and so on: of these layouts, all free of overlaps, the one that fills a
  // canvas of `aspect` best (the largest drawing).
  const extent = (xs: number[], rows: Map<number, number>) => {
    let b: Rect = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
    stages.forEach((s, k) => { for (const r of rects(k, xs[k], rows.get(s.level)!)) b = union(b, r); });
    for (const e of edges) if (e.arc) b = union(b, { x0: b.x0, x1: b.x1, y0: b.y0, y1: arcLift(xs, e, rows.get(stages[byName.get(e.to)!].level)!).apex });
    return Math.max((b.x1 - b.x0) / o.aspect, b.y1 - b.y0);
  };
  let best: { xs: number[]; rows: Map<number, number>; size: number } | undefined;
  let rowY = (l: number) => -l * o.rowGap;
  for (let k = 0; k < 3; k++) {
    const xsK = pack(rowY), rowsK = rowsFor(xsK), size = extent(xsK, rowsK);
    if (!best || size < best.size - 1e-9) best = { xs: xsK, rows: rowsK, size };
    rowY = (l) => rowsK.get(l)!;
  }
  const { xs, rows } = best!;
  for (const e of edges) if (e.arc) e.apex = arcLift(xs, e, rows.get(stages[byName.get(e.to)!].level)!).apex;

  const nodes: PlacedStage[] = stages.map((stage, i) => {
    const y = rows.get(stage.level)!;
    return { stage, index: i, column: columns[i], x: xs[i], y, box: ext[i].box, label: labelRect(i, xs[i], y), labelAbove: above[i] };
  });
  let bounds = nodes.reduce<Rect>((b, n) => union(union(b, boxRect(n.index, n.x, n.y)), n.label), { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity });
  for (const e of edges) if (e.apex !== undefined) bounds = union(bounds, { x0: bounds.x0, x1: bounds.x1, y0: e.apex, y1: e.apex });
  return { nodes, edges, unknown, bounds };
}
