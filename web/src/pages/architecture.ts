/**
 * 3-D architecture (three.js): any registered network, from its stages (`stagesOf(spec, input)`), never from one
 * architecture's options. One shape per stage — feature maps as boxes (width by channels, height and depth by spatial
 * size, log₂ scales), attention gates as diamonds, transformer tokens as hexagonal prisms, deep-supervision heads as
 * pyramids — one row per resolution level (full resolution at the top), columns along the longest path from the
 * input (`layout.ts`): a U-Net is a U, a U-Net++ its triangle. Edges come from each stage's `from[]`: the data path
 * solid, skips dashed arcs. Drag to rotate, scroll to zoom, click a shape (or its label) for its stage in a card over
 * the drawing's lower left corner.
 */
import * as THREE from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';
import { architectures, presets, presetSpec, geometryOf, stagesOf, paramsOf, type NetStage, type NetSpec, type StageKind } from '../../../src/index.js';
import { h, int, presetControls, size } from '../lib/ui.js';
import { KIND_COLOURS, KIND_LEGEND, KIND_SHAPES } from '../lib/kinds.js';
import { layoutStages, overlapping, stageBox, labelLines, type Extent, type PlacedStage, type Rect, type StageLayout } from '../lib/layout.js';
import type { Page } from '../lib/page.js';

/** Label canvas pixels per world unit (text is drawn at 64 px and 54 px: about 0.44 and 0.37 units). */
const PX = 145;
const LINE1 = 'bold 64px system-ui, sans-serif', LINE2 = '54px system-ui, sans-serif';

let measurer: CanvasRenderingContext2D | undefined;
/** A label's canvas size in pixels. */
function labelPixels(lines: [string, string]): [number, number] {
  measurer ??= document.createElement('canvas').getContext('2d')!;
  measurer.font = LINE1;
  const a = measurer.measureText(lines[0]).width;
  measurer.font = LINE2;
  const b = measurer.measureText(lines[1]).width;
  return [Math.ceil(Math.max(a, b) + 28), 150];
}

/**
 * A label: a text plate (canvas texture), `w × h` world units, lying in the drawing's label plane in front of every
 * shape. Flat rather than a camera-facing sprite so that it is projected like the layout it was placed in: labels that
 * do not overlap in the layout do not overlap on screen, off-axis included.
 */
function labelPlate(lines: [string, string], colour: string, w: number, ht: number): THREE.Mesh {
  const c = document.createElement('canvas');
  c.width = Math.round(w * PX); c.height = Math.round(ht * PX);
  const ctx = c.getContext('2d')!;
  ctx.fillStyle = 'rgba(15, 23, 42, 0.78)';
  ctx.beginPath();
  ctx.roundRect(0, 0, c.width, c.height, 18);
  ctx.fill();
  ctx.textAlign = 'center';
  ctx.font = LINE1;
  ctx.fillStyle = colour;
  ctx.fillText(lines[0], c.width / 2, 62);
  ctx.font = LINE2;
  ctx.fillStyle = '#e2e8f0';
  ctx.fillText(lines[1], c.width / 2, 128);
  const tex = new THREE.CanvasTexture(c);
  tex.colorSpace = THREE.SRGBColorSpace;
  const plate = new THREE.Mesh(new THREE.PlaneGeometry(w, ht), new THREE.MeshBasicMaterial({ map: tex, depthTest: false, transparent: true }));
  plate.renderOrder = 2;
  return plate;
}

/** The geometry of a kind's shape inside a w × h × d box. */
function shapeGeometry(kind: StageKind, [w, ht, d]: [number, number, number]): THREE.BufferGeometry {
  switch (KIND_SHAPES[kind]) {
    case 'diamond': return new THREE.OctahedronGeometry(0.5).scale(w, ht, d);
    case 'prism': return new THREE.CylinderGeometry(0.5, 0.5, 1, 6).rotateZ(Math.PI / 2).scale(w, ht, d);
    case 'pyramid': return new THREE.ConeGeometry(0.5, 1, 4).rotateY(Math.PI / 4).scale(w, ht, d);
    case 'box': return new THREE.BoxGeometry(w, ht, d);
  }
}

/** What the page draws for one network. */
export interface Drawing {
  title: string;
  stages: NetStage[];
  layout: StageLayout;
  group: THREE.Group;
  /** Clickable shape → its stage. */
  meshes: Map<THREE.Object3D, PlacedStage>;
  /** Each stage's label plate and its corners (world). */
  labels: { name: string; plate: THREE.Mesh; corners: THREE.Vector3[] }[];
  centre: THREE.Vector3;
  size: THREE.Vector3;
}

/** Lays out and builds the three.js group of a stage list. */
export function buildDrawing(title: string, stages: NetStage[]): Drawing {
  const measure = (s: NetStage): Extent => {
    const [pw, ph] = labelPixels(labelLines(s));
    return { box: stageBox(s), label: [pw / PX, ph / PX] };
  };
  const layout = layoutStages(stages, measure);
  const group = new THREE.Group();
  const meshes = new Map<THREE.Object3D, PlacedStage>();
  const labels: Drawing['labels'] = [];
  const zLabel = Math.max(...layout.nodes.map((n) => n.box[2] / 2)) + 0.05;
  const at = new Map(layout.nodes.map((n) => [n.stage.name, n]));
  for (const n of layout.nodes) {
    const colour = KIND_COLOURS[n.stage.kind] ?? '#e2e8f0';
    const geometry = shapeGeometry(n.stage.kind, n.box);
    const mesh = new THREE.Mesh(geometry, new THREE.MeshStandardMaterial({ color: colour, roughness: 0.55, metalness: 0.05, flatShading: KIND_SHAPES[n.stage.kind] !== 'box' }));
    mesh.position.set(n.x, n.y, 0);
    mesh.name = n.stage.name;
    mesh.userData.kind = n.stage.kind;
    mesh.add(new THREE.LineSegments(new THREE.EdgesGeometry(geometry, 20), new THREE.LineBasicMaterial({ color: 0x0f172a })));
    group.add(mesh);
    meshes.set(mesh, n);
    const r = n.label;
    const plate = labelPlate(labelLines(n.stage), colour, r.x1 - r.x0, r.y1 - r.y0);
    plate.position.set((r.x0 + r.x1) / 2, (r.y0 + r.y1) / 2, zLabel);
    plate.name = `label:${n.stage.name}`;
    group.add(plate);
    labels.push({ name: n.stage.name, plate, corners: [[r.x0, r.y0], [r.x1, r.y0], [r.x1, r.y1], [r.x0, r.y1]].map(([x, y]) => new THREE.Vector3(x, y, zLabel)) });
  }
  const dataMat = new THREE.LineBasicMaterial({ color: 0x64748b });
  for (const e of layout.edges) {
    const a = at.get(e.from)!, b = at.get(e.to)!;
    let points: THREE.Vector3[];
    if (e.arc && e.apex !== undefined) {
      // A cubic Bézier from top to top whose highest point is the layout's apex.
      const ya = a.y + a.box[1] / 2, yb = b.y + b.box[1] / 2, c = (e.apex - (ya + yb) / 8) / 0.75;
      points = new THREE.CubicBezierCurve3(new THREE.Vector3(a.x, ya, 0), new THREE.Vector3(a.x, c, 0), new THREE.Vector3(b.x, c, 0), new THREE.Vector3(b.x, yb, 0)).getPoints(64);
    } else {
      points = [new THREE.Vector3(a.x, a.y, 0), new THREE.Vector3(b.x, b.y, 0)];
    }
    const geometry = new THREE.BufferGeometry().setFromPoints(points);
    const line = e.style === 'skip'
      ? new THREE.Line(geometry, new THREE.LineDashedMaterial({ color: 0xe2e8f0, dashSize: 0.25, gapSize: 0.18 }))
      : new THREE.Line(geometry, dataMat);
    if (e.style === 'skip') line.computeLineDistances();
    line.name = `edge:${e.from}->${e.to}`;
    line.userData.style = e.style;
    group.add(line);
  }
  const box = new THREE.Box3().setFromObject(group);
  return { title, stages, layout, group, meshes, labels, centre: box.getCenter(new THREE.Vector3()), size: box.getSize(new THREE.Vector3()) };
}

function disposeGroup(g: THREE.Object3D): void {
  g.traverse((o) => {
    const m = o as THREE.Mesh;
    m.geometry?.dispose();
    const mats = Array.isArray(m.material) ? m.material : m.material ? [m.material] : [];
    for (const mat of mats) { (mat as THREE.MeshBasicMaterial).map?.dispose(); mat.dispose(); }
  });
}

/** "full resolution", "1/2", "1/16". */
const levelText = (l: number) => (l === 0 ? '0 (full resolution)' : `${l} (1/${2 ** l} resolution)`);

/** The card's description of one stage. */
function details(n: PlacedStage, stages: NetStage[]): HTMLElement {
  const s = n.stage;
  const rows: [string, string][] = [
    ['kind', s.kind], ['module', s.module], ['level', levelText(s.level)],
    ...(s.column !== undefined && stages.some((t) => (t.column ?? 0) > 0) ? [['column', String(s.column)] as [string, string]] : []),
    ['channels', `${s.inChannels} → ${s.channels}`], [s.kind === 'tokens' ? 'patch grid' : 'spatial size', s.size.length ? size(s.size) : '?'],
    ['parameters', int(s.params)],
  ];
  if (s.from.length) rows.push(['inputs', s.from.map((f, i) => (i === 0 ? f : `${f} (skip)`)).join(', ')]);
  if (s.crop) rows.push(['skip crop / side', s.crop.join(' × ')]);
  if (s.detail) rows.push(['computes', s.detail]);
  return h('div', { 'data-testid': 'layer-details', 'data-stage': s.name }, h('h3', { style: `color:${KIND_COLOURS[s.kind]}` }, s.name),
    h('table', { class: 'kv' }, ...rows.map(([a, c]) => h('tr', {}, h('th', {}, a), h('td', {}, c)))));
}

/** The stages of a preset at an input, and what is wrong with the input (then the stages are unsized). */
function stagesAt(spec: NetSpec, input: number[]): { stages: NetStage[]; problems: string[]; output?: number[] } {
  const g = geometryOf(spec);
  const problems = input.flatMap((n, axis) => {
    const e = g.axis(n, axis).error;
    if (!e) return [];
    const nb = g.nearest(n, axis), near = [nb.below, nb.above].filter((v) => v !== undefined).join(' or ');
    return [`axis ${axis} (size ${n}): ${e}${near ? `; nearest valid sizes: ${near}` : ''}`];
  });
  if (!problems.length) {
    try {
      return { stages: stagesOf(spec, input), problems, output: g.output(input) };
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  return { stages: stagesOf(spec, []), problems };
}

export const architecturePage: Page = {
  id: 'arch',
  title: '3-D architecture',
  mount(root) {
    const holder = h('div', { class: 'three-holder', 'data-testid': 'arch-canvas' });
    // The selected stage's card, over the drawing (clicks pass through it to the shapes, except on its close button).
    const side = h('aside', { class: 'arch-card', 'data-testid': 'arch-panel', hidden: true });
    const info = h('p', { class: 'summary', 'data-testid': 'arch-summary' });
    const about = h('p', { class: 'desc', 'data-testid': 'arch-about' });
    const legend = h('div', { class: 'legend', 'data-testid': 'arch-legend' });
    let current: Drawing | undefined;

    const probe = document.createElement('canvas');
    if (!(probe.getContext('webgl2') ?? probe.getContext('webgl'))) {
      console.info('unet-ts explorer: no WebGL context, the 3-D view is off');
      root.append(h('p', { class: 'problem' }, 'This browser gives no WebGL context, so the 3-D view cannot be drawn; the Shape flow page shows the U-Net in 2-D.'));
      return () => undefined;
    }
    const renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
    renderer.setPixelRatio(Math.min(2, window.devicePixelRatio));
    const scene = new THREE.Scene();
    scene.background = new THREE.Color(0x0f172a);
    scene.add(new THREE.AmbientLight(0xffffff, 1.2));
    const sun = new THREE.DirectionalLight(0xffffff, 2.2);
    sun.position.set(4, 8, 10);
    scene.add(sun);
    // Orthographic, seen slightly from the right and above: every box shows the same sliver of its side and top
    // (the layout keeps that clear), and the drawing keeps the layout's proportions across the whole canvas.
    const camera = new THREE.OrthographicCamera(-1, 1, 1, -1, 0.1, 1000);
    const VIEW = new THREE.Vector3(0.2, 0.15, 1).normalize();
    let aspect = 1;
    /** Sets the frustum to `half` world units above and below the centre, at the canvas's aspect. */
    const frustum = (half: number) => {
      Object.assign(camera, { left: -half * aspect, right: half * aspect, top: half, bottom: -half });
      camera.updateProjectionMatrix();
    };
    const controls = new OrbitControls(camera, renderer.domElement);

    // Screen rectangles (CSS pixels, y down) of every label, and the pairs that intersect.
    const labelRects = (): { name: string; rect: Rect }[] => {
      if (!current) return [];
      camera.updateMatrixWorld();
      const r = renderer.domElement.getBoundingClientRect();
      return current.labels.map(({ name, corners }) => {
        const xs: number[] = [], ys: number[] = [];
        for (const c of corners) {
          const p = c.clone().project(camera);
          xs.push(r.left + ((p.x + 1) / 2) * r.width);
          ys.push(r.top + ((1 - p.y) / 2) * r.height);
        }
        return { name, rect: { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) } };
      });
    };
    const draw = () => {
      renderer.render(scene, camera);
      if (current) holder.dataset.labelOverlaps = String(overlapping(labelRects().map((l) => l.rect)).length);
    };
    controls.addEventListener('change', draw);
    holder.append(renderer.domElement, side);

    let moved = false; // the user has rotated or zoomed since the network was drawn: a resize keeps their view
    controls.addEventListener('start', () => { moved = true; });
    const resize = () => {
      const w = holder.clientWidth || 800, ht = holder.clientHeight || 520;
      renderer.setSize(w, ht);
      aspect = w / ht;
      frustum(camera.top);
      if (!moved) fit();
      draw();
    };
    const ro = new ResizeObserver(resize);
    ro.observe(holder);

    let selected: THREE.Mesh | undefined;
    const select = (mesh: THREE.Mesh | undefined) => {
      if (selected) (selected.material as THREE.MeshStandardMaterial).emissive.setHex(0x000000);
      selected = mesh;
      side.hidden = !(mesh && current);
      if (mesh && current) {
        (mesh.material as THREE.MeshStandardMaterial).emissive.setHex(0x555555);
        const close = h('button', { type: 'button', class: 'close', 'aria-label': 'close', title: 'close' }, '×');
        close.addEventListener('click', () => select(undefined));
        side.replaceChildren(close, details(current.meshes.get(mesh)!, current.stages));
      }
      draw();
    };

    /** Fits the whole drawing (every shape's bounding box corner, every label) in view, with a small margin. */
    const fit = () => {
      if (!current) return;
      const { size: sz, centre } = current;
      const far = sz.length() + 10;
      camera.position.copy(centre).addScaledVector(VIEW, far);
      camera.lookAt(centre);
      camera.updateMatrixWorld();
      const box = new THREE.Box3().setFromObject(current.group);
      const corners = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => new THREE.Vector3(i & 1 ? box.max.x : box.min.x, i & 2 ? box.max.y : box.min.y, i & 4 ? box.max.z : box.min.z));
      const v = [...corners, ...current.labels.flatMap((l) => l.corners)].map((p) => p.clone().applyMatrix4(camera.matrixWorldInverse));
      const x0 = Math.min(...v.map((p) => p.x)), x1 = Math.max(...v.map((p) => p.x)), y0 = Math.min(...v.map((p) => p.y)), y1 = Math.max(...v.map((p) => p.y));
      const right = new THREE.Vector3().setFromMatrixColumn(camera.matrixWorld, 0), up = new THREE.Vector3().setFromMatrixColumn(camera.matrixWorld, 1);
      const target = centre.clone().addScaledVector(right, (x0 + x1) / 2).addScaledVector(up, (y0 + y1) / 2);
      camera.position.copy(target).addScaledVector(VIEW, far);
      camera.near = 0.1;
      camera.far = 2 * far + sz.length();
      camera.zoom = 1;
      frustum(1.04 * Math.max((y1 - y0) / 2, (x1 - x0) / 2 / aspect));
      controls.target.copy(target);
      controls.update();
    };

    /** Draws a stage list (a preset's, or any other through the test hook). */
    const show = (title: string, stages: NetStage[]) => {
      if (current) { scene.remove(current.group); disposeGroup(current.group); }
      current = buildDrawing(title, stages);
      scene.add(current.group);
      selected = undefined;
      const kinds = new Set(stages.map((s) => s.kind));
      const hasSkips = current.layout.edges.some((e) => e.style === 'skip');
      legend.replaceChildren(
        ...KIND_LEGEND.filter(([k]) => kinds.has(k)).map(([k, text]) => h('span', { 'data-kind': k }, h('span', { class: `swatch shape-${KIND_SHAPES[k]}`, style: `background:${KIND_COLOURS[k]}` }), text)),
        h('span', {}, h('span', { class: 'swatch solid' }), 'data path'),
        ...(hasSkips ? [h('span', {}, h('span', { class: 'swatch dashed' }), 'skip')] : []),
        h('span', { class: 'hint' }, 'drag: rotate · scroll: zoom · click: inspect'));
      Object.assign(holder.dataset, {
        title, stages: String(stages.length), shapes: String(current.meshes.size), labels: String(current.labels.length),
        edges: String(current.layout.edges.length), unknownInputs: current.layout.unknown.join(','),
        kinds: [...kinds].join(','),
      });
      side.hidden = true;
      moved = false;
      resize();
    };

    const showPreset = (preset: string, input: number[]) => {
      const spec = presetSpec(preset);
      const { stages, problems, output } = stagesAt(spec, input);
      show(preset, stages);
      holder.dataset.preset = preset;
      holder.dataset.arch = spec.arch;
      const g = geometryOf(spec);
      about.textContent = `${spec.arch}: ${architectures.get(spec.arch).description}. ${preset}: ${presets.get(preset).description}.`;
      info.replaceChildren(`${preset} (${spec.arch}, ${g.spatialDims}-D): ${int(paramsOf(spec))} parameters, ${stages.length} stages; `,
        problems.length ? h('span', { class: 'problem-inline', 'data-testid': 'size-problem' }, `input ${size(input)} does not fit: ${problems.join('; ')} (shapes drawn unsized)`)
          : `${size(input)} → ${size(output ?? [])}. Box width ∝ log₂ channels, height and depth ∝ log₂ spatial size.`);
    };

    // A click (not a drag) picks the nearest shape under the pointer.
    const ray = new THREE.Raycaster();
    let down: [number, number] | undefined;
    renderer.domElement.addEventListener('pointerdown', (e) => { down = [e.clientX, e.clientY]; });
    renderer.domElement.addEventListener('pointerup', (e) => {
      if (!down || Math.hypot(e.clientX - down[0], e.clientY - down[1]) > 4 || !current) return;
      const r = renderer.domElement.getBoundingClientRect();
      ray.setFromCamera(new THREE.Vector2(((e.clientX - r.left) / r.width) * 2 - 1, -((e.clientY - r.top) / r.height) * 2 + 1), camera);
      const plates = new Map(current.labels.map((l) => [l.plate as THREE.Object3D, l.name]));
      const hit = ray.intersectObjects([...current.meshes.keys(), ...plates.keys()], false)[0];
      const name = hit && plates.get(hit.object);
      select((name ? [...current.meshes.keys()].find((m) => m.name === name) : hit?.object) as THREE.Mesh | undefined);
    });

    // For tests and scripted tours: where a stage's shape is on screen, the label rectangles, and drawing a stage
    // list that no preset has (architectures still being written, hand-made lists).
    const hooks = {
      screenOf: (name: string) => {
        const mesh = current && [...current.meshes.keys()].find((m) => m.name === name);
        if (!mesh) return undefined;
        camera.updateMatrixWorld();
        const p = mesh.getWorldPosition(new THREE.Vector3()).project(camera);
        const r = renderer.domElement.getBoundingClientRect();
        return { x: r.left + ((p.x + 1) / 2) * r.width, y: r.top + ((1 - p.y) / 2) * r.height };
      },
      labelRects,
      /** The layout in world units (stage, box centre, label rectangle). */
      layout: () => current?.layout.nodes.map((n) => ({ name: n.stage.name, x: n.x, y: n.y, box: n.box, label: n.label })),
      drawStages: (title: string, stages: NetStage[]) => {
        show(title, stages);
        holder.dataset.preset = '';
        about.textContent = `${title}: a stage list given to the page, not a registered preset.`;
        info.textContent = `${title}: ${int(stages.reduce((a, s) => a + s.params, 0))} parameters, ${stages.length} stages.`;
      },
    };
    (window as unknown as { explorerArch?: typeof hooks }).explorerArch = hooks;

    root.append(
      h('p', { class: 'lead' }, 'Every stage of the chosen network as a shape, from the library\'s own stage list: one row per resolution level (full resolution at the top), the data path as solid lines, the skips as dashed arcs. A U-Net comes out as a U: encoder (blue) descending on the left, bottleneck (purple) at the bottom, decoder (amber) ascending on the right.'),
      presetControls('ronneberger2015', (c) => { if (typeof c !== 'string') showPreset(c.preset, c.input); else info.textContent = c; }),
      about, legend, holder, info);
    return () => {
      ro.disconnect();
      controls.dispose();
      if (current) disposeGroup(current.group);
      renderer.dispose();
      delete (window as unknown as { explorerArch?: unknown }).explorerArch;
    };
  },
};
