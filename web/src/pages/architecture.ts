/**
 * 3-D architecture (three.js): every stage of the U-Net as a box — width by channels, height and depth by spatial
 * size (log₂ scales) — encoder descending on the left (blue), bottleneck at the bottom (purple), decoder ascending
 * on the right (amber), the skips as dashed arcs over the top. Drag to rotate, scroll to zoom, click a box for its
 * stage in the side panel.
 */
import * as THREE from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';
import { h, int, presetControls, size } from '../lib/ui.js';
import { netView, sizeProblems, stageSize, cropLabel, ROLE_COLOURS, type Block, type NetView } from '../lib/network.js';
import type { Page } from '../main.js';

const DY = 3.2;

/** Box extent: x by channels, y by height, z by width (depth for 3-D networks is in the label). */
function boxDims(b: Block): [number, number, number] {
  const sz = b.stage.size.length ? b.stage.size.slice(-2) : [2 ** (7 - b.level), 2 ** (7 - b.level)];
  const sp = (n: number) => 0.35 + 0.32 * Math.log2(Math.max(2, n));
  return [0.2 + 0.2 * Math.log2(Math.max(2, b.stage.channels)), sp(sz[0]), sp(sz[1])];
}

function boxPosition(b: Block, d: number): [number, number] {
  const step = 2.2;
  const y = -b.level * DY;
  switch (b.role) {
    case 'input': return [-(step * d + 1.2) - 3.0, y];
    case 'encoder': return [-(step * (d - b.level) + 1.2), y];
    case 'bottleneck': return [0, y];
    case 'decoder': return [step * (d - b.level) + 1.2, y];
    case 'output': return [step * d + 1.2 + 3.0, y];
  }
}

/** A text sprite (canvas texture) for a block's label. */
function label(lines: string[], colour: string): THREE.Sprite {
  const c = document.createElement('canvas');
  c.width = 512; c.height = 192;
  const ctx = c.getContext('2d')!;
  ctx.textAlign = 'center';
  ctx.font = 'bold 64px system-ui, sans-serif';
  ctx.fillStyle = colour;
  ctx.fillText(lines[0], 256, 70);
  ctx.font = '54px system-ui, sans-serif';
  ctx.fillStyle = '#e2e8f0';
  ctx.fillText(lines[1], 256, 150);
  const sprite = new THREE.Sprite(new THREE.SpriteMaterial({ map: new THREE.CanvasTexture(c), depthTest: false, transparent: true }));
  sprite.scale.set(3.0, 1.125, 1);
  sprite.renderOrder = 2;
  return sprite;
}

/** The network as a three.js group; `meshes` maps each clickable box to its block. */
function buildScene(v: NetView): { group: THREE.Group; meshes: Map<THREE.Object3D, Block>; centre: THREE.Vector3; size: THREE.Vector3 } {
  const group = new THREE.Group();
  const meshes = new Map<THREE.Object3D, Block>();
  const d = v.options.depth;
  const tops = new Map<Block, THREE.Vector3>();
  const centres = new Map<Block, THREE.Vector3>();
  for (const b of v.blocks) {
    const [sx, sy, sz] = boxDims(b);
    const [x, y] = boxPosition(b, d);
    const mesh = new THREE.Mesh(new THREE.BoxGeometry(sx, sy, sz), new THREE.MeshStandardMaterial({ color: ROLE_COLOURS[b.role], roughness: 0.55, metalness: 0.05 }));
    mesh.position.set(x, y, 0);
    mesh.name = b.stage.name;
    const edges = new THREE.LineSegments(new THREE.EdgesGeometry(mesh.geometry), new THREE.LineBasicMaterial({ color: 0x0f172a }));
    mesh.add(edges);
    group.add(mesh);
    meshes.set(mesh, b);
    const tag = label([b.stage.name, `${b.stage.channels}ch · ${stageSize(b)}`], ROLE_COLOURS[b.role]);
    tag.position.set(x, y - sy / 2 - 0.5, sz / 2);
    group.add(tag);
    tops.set(b, new THREE.Vector3(x, y + sy / 2, 0));
    centres.set(b, new THREE.Vector3(x, y, 0));
  }
  // The data path: input → encoder → bottleneck → decoder → output, as thin solid lines between box centres.
  const order = [...v.blocks.filter((b) => b.role === 'input' || b.role === 'encoder'), ...v.blocks.filter((b) => b.role === 'bottleneck'),
    ...v.blocks.filter((b) => b.role === 'decoder').sort((a, b) => b.level - a.level), ...v.blocks.filter((b) => b.role === 'output')];
  group.add(new THREE.Line(new THREE.BufferGeometry().setFromPoints(order.map((b) => centres.get(b)!)), new THREE.LineBasicMaterial({ color: 0x64748b })));
  // Skips: dashed arcs from each encoder box over the top to its decoder box; shallow skips arc highest.
  const top0 = Math.max(...[...tops.values()].map((p) => p.y));
  for (const k of v.skips) {
    const a = tops.get(k.from)!, b = tops.get(k.to)!;
    const apex = top0 + 1.3 + 0.75 * (d - 1 - k.level);
    const curve = new THREE.CubicBezierCurve3(a, new THREE.Vector3(a.x, apex, 0), new THREE.Vector3(b.x, apex, 0), b);
    const line = new THREE.Line(new THREE.BufferGeometry().setFromPoints(curve.getPoints(64)), new THREE.LineDashedMaterial({ color: 0xe2e8f0, dashSize: 0.25, gapSize: 0.18 }));
    line.computeLineDistances();
    group.add(line);
  }
  const box = new THREE.Box3().setFromObject(group);
  const centre = box.getCenter(new THREE.Vector3());
  return { group, meshes, centre, size: box.getSize(new THREE.Vector3()) };
}

function disposeGroup(g: THREE.Object3D): void {
  g.traverse((o) => {
    const m = o as THREE.Mesh;
    m.geometry?.dispose();
    const mats = Array.isArray(m.material) ? m.material : m.material ? [m.material] : [];
    for (const mat of mats) { (mat as THREE.SpriteMaterial).map?.dispose(); mat.dispose(); }
  });
}

/** The side panel's description of one block. */
function details(b: Block, v: NetView): HTMLElement {
  const k = v.skips.find((s) => s.to === b);
  const rows: [string, string][] = [
    ['role', b.role], ['module', b.stage.module], ['level', String(b.level + 1)],
    ['channels', `${b.stage.inChannels} → ${b.stage.channels}`], ['spatial size', stageSize(b)], ['parameters', int(b.stage.params)],
  ];
  if (k) rows.push(['skip joined', `${k.from.stage.name}, ${k.channels.skip} ch, ${cropLabel(k, v)}${v.options.skips[k.level] ? '' : ' (disabled)'}`]);
  return h('div', { 'data-testid': 'layer-details' }, h('h3', { style: `color:${ROLE_COLOURS[b.role]}` }, b.stage.name),
    h('table', { class: 'kv' }, ...rows.map(([a, c]) => h('tr', {}, h('th', {}, a), h('td', {}, c)))));
}

export const architecturePage: Page = {
  id: 'arch',
  title: '3-D architecture',
  mount(root) {
    const holder = h('div', { class: 'three-holder', 'data-testid': 'arch-canvas' });
    const side = h('aside', { class: 'panel side', 'data-testid': 'arch-panel' }, h('p', {}, 'Click a block to inspect it.'));
    const info = h('p', { class: 'summary', 'data-testid': 'arch-summary' });
    const legend = h('div', { class: 'legend' }, ...(['encoder', 'bottleneck', 'decoder', 'output'] as const).map((r) => h('span', {}, h('span', { class: 'swatch', style: `background:${ROLE_COLOURS[r]}` }), r)),
      h('span', {}, h('span', { class: 'swatch dashed' }), 'skip'), h('span', { class: 'hint' }, 'drag: rotate · scroll: zoom · click: inspect'));
    let view: NetView | undefined;
    let current: ReturnType<typeof buildScene> | undefined;

    const probe = document.createElement('canvas');
    if (!(probe.getContext('webgl2') ?? probe.getContext('webgl'))) {
      console.info('unet-ts explorer: no WebGL context, the 3-D view is off');
      root.append(h('p', { class: 'problem' }, 'This browser gives no WebGL context, so the 3-D view cannot be drawn; the Shape flow page shows the same network in 2-D.'));
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
    const camera = new THREE.PerspectiveCamera(40, 1, 0.1, 500);
    const controls = new OrbitControls(camera, renderer.domElement);
    const draw = () => renderer.render(scene, camera);
    controls.addEventListener('change', draw);
    holder.append(renderer.domElement);

    const resize = () => {
      const w = holder.clientWidth || 800, ht = holder.clientHeight || 520;
      renderer.setSize(w, ht);
      camera.aspect = w / ht;
      camera.updateProjectionMatrix();
      draw();
    };
    const ro = new ResizeObserver(resize);
    ro.observe(holder);

    let selected: THREE.Mesh | undefined;
    const select = (mesh: THREE.Mesh | undefined) => {
      if (selected) (selected.material as THREE.MeshStandardMaterial).emissive.setHex(0x000000);
      selected = mesh;
      if (mesh && current && view) {
        (mesh.material as THREE.MeshStandardMaterial).emissive.setHex(0x444444);
        side.replaceChildren(details(current.meshes.get(mesh)!, view));
      }
      draw();
    };

    const show = (v: NetView) => {
      view = v;
      if (current) { scene.remove(current.group); disposeGroup(current.group); }
      current = buildScene(v);
      scene.add(current.group);
      selected = undefined;
      const bad = sizeProblems(v);
      info.replaceChildren(`${v.preset} (${v.options.spatialDims}-D): ${int(v.report.params)} parameters; `,
        bad.length ? h('span', { class: 'problem-inline', 'data-testid': 'size-problem' }, `input ${size(v.input)} does not fit: ${bad.map((b) => b.text).join('; ')} (boxes sized by channels only)`)
          : `${size(v.input)} → ${size(v.report.output)}. Box width ∝ log₂ channels, height and depth ∝ log₂ spatial size.`);
      side.replaceChildren(h('p', {}, 'Click a block to inspect it.'));
      resize();
      // Fit the whole network in view, seen slightly from the right and above.
      const t = Math.tan((camera.fov * Math.PI) / 360), { size: sz, centre } = current;
      const dist = 1.1 * Math.max(sz.y / 2 / t, sz.x / 2 / (t * camera.aspect)) + sz.z / 2;
      controls.target.copy(centre);
      camera.position.copy(centre).add(new THREE.Vector3(0.2, 0.15, 1).normalize().multiplyScalar(dist));
      controls.update();
      draw();
    };

    // A click (not a drag) picks the nearest box under the pointer.
    const ray = new THREE.Raycaster();
    let down: [number, number] | undefined;
    renderer.domElement.addEventListener('pointerdown', (e) => { down = [e.clientX, e.clientY]; });
    renderer.domElement.addEventListener('pointerup', (e) => {
      if (!down || Math.hypot(e.clientX - down[0], e.clientY - down[1]) > 4 || !current) return;
      const r = renderer.domElement.getBoundingClientRect();
      ray.setFromCamera(new THREE.Vector2(((e.clientX - r.left) / r.width) * 2 - 1, -((e.clientY - r.top) / r.height) * 2 + 1), camera);
      const hit = ray.intersectObjects([...current.meshes.keys()], false)[0];
      select(hit?.object as THREE.Mesh | undefined);
    });

    // For tests and scripted tours: where a block's centre is on screen.
    const hooks = { screenOf: (name: string) => {
      const mesh = current && [...current.meshes.keys()].find((m) => m.name === name);
      if (!mesh) return undefined;
      const p = mesh.getWorldPosition(new THREE.Vector3()).project(camera);
      const r = renderer.domElement.getBoundingClientRect();
      return { x: r.left + ((p.x + 1) / 2) * r.width, y: r.top + ((1 - p.y) / 2) * r.height };
    } };
    (window as unknown as { explorerArch?: typeof hooks }).explorerArch = hooks;

    root.append(
      h('p', { class: 'lead' }, 'Every stage of the U-Net as a box: encoder (blue) descending on the left, bottleneck (purple) at the bottom, decoder (amber) ascending on the right; the skips are the dashed arcs over the top.'),
      presetControls('ronneberger2015', (c) => { if (typeof c !== 'string') show(netView(c.preset, c.input)); else info.textContent = c; }),
      legend, h('div', { class: 'split' }, holder, side), info);
    return () => {
      ro.disconnect();
      controls.dispose();
      if (current) disposeGroup(current.group);
      renderer.dispose();
      delete (window as unknown as { explorerArch?: unknown }).explorerArch;
    };
  },
};
