// The 3-D page's layout, without a browser: every registered preset and hand-made stage lists of the kinds the other
// architectures give (nested U-Net++ columns, attention gates, transformer tokens, deep-supervision heads) are laid out
// with no two labels, no two boxes and no label and box overlapping; a U-Net is a U, a U-Net++ its triangle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { presets, presetSpec, stagesOf, geometryOf, type NetStage } from '../../../src/index.js';
import { columnsOf, intersects, labelLines, layoutStages, overlapping, stageBox, type Extent, type Rect, type StageLayout } from './layout.js';
import { SYNTHETIC, attentionLike, transunetLike, unetppLike, unetrLike } from './synthetic-stages.js';

/** Label size as the page measures it, approximated: 64 px bold and 54 px text at 145 px per unit, 28 px padding. */
const measure = (s: NetStage): Extent => {
  const [a, b] = labelLines(s);
  return { box: stageBox(s), label: [(Math.max(a.length * 38, b.length * 30) + 28) / 145, 150 / 145] };
};

const boxRect = (n: StageLayout['nodes'][number]): Rect => ({ x0: n.x - n.box[0] / 2, y0: n.y - n.box[1] / 2, x1: n.x + n.box[0] / 2, y1: n.y + n.box[1] / 2 });

/** The checks every layout must pass. */
function assertClean(name: string, stages: NetStage[], l: StageLayout): void {
  assert.equal(l.nodes.length, stages.length, `${name}: one node per stage`);
  assert.deepEqual(l.unknown, [], `${name}: every from[] names a stage`);
  assert.equal(l.edges.length, stages.reduce((a, s) => a + s.from.length, 0), `${name}: one edge per from[] entry`);
  const labels = l.nodes.map((n) => n.label), boxes = l.nodes.map(boxRect);
  const names = (pairs: [number, number][]) => pairs.map(([i, j]) => `${l.nodes[i].stage.name}/${l.nodes[j].stage.name}`);
  assert.deepEqual(names(overlapping(labels, 0.1)), [], `${name}: labels overlap`);
  assert.deepEqual(names(overlapping(boxes, 0.1)), [], `${name}: boxes overlap`);
  const crossed = l.nodes.flatMap((n, i) => boxes.flatMap((b, j) => (i !== j && intersects(n.label, b, 0.1) ? [`${n.stage.name} label/${l.nodes[j].stage.name} box`] : [])));
  assert.deepEqual(crossed, [], `${name}: a label covers a box`);
  // Every edge goes left to right, and an arc clears the boxes of its row between its ends.
  const at = new Map(l.nodes.map((n) => [n.stage.name, n]));
  for (const e of l.edges) {
    const a = at.get(e.from)!, b = at.get(e.to)!;
    assert.ok(a.x < b.x, `${name}: edge ${e.from} → ${e.to} runs right to left`);
    if (e.arc) {
      const under = l.nodes.filter((n) => n.stage.level === b.stage.level && n.x >= a.x && n.x <= b.x);
      assert.ok(under.every((n) => e.apex! > n.y + n.box[1] / 2), `${name}: arc ${e.from} → ${e.to} cuts a box`);
      // …and keeps off the labels and boxes of the rows above.
      const above = l.nodes.filter((n) => n.stage.level < b.stage.level);
      const span: Rect = { x0: a.x, x1: b.x, y0: b.y, y1: e.apex! };
      const hit = above.filter((n) => intersects(span, n.label) || intersects(span, boxRect(n)));
      assert.deepEqual(hit.map((n) => n.stage.name), [], `${name}: arc ${e.from} → ${e.to} runs into the row above`);
    }
  }
}

test('every registered preset is laid out without overlaps, at its input and unsized', () => {
  for (const name of presets.names()) {
    const spec = presetSpec(name);
    const g = geometryOf(spec);
    for (const input of [g.fixed ? [...g.fixed] : presets.get(name).defaultInput, []]) {
      const stages = stagesOf(spec, input);
      assertClean(`${name} at [${input}]`, stages, layoutStages(stages, measure));
    }
  }
});

test('a U-Net is a U: encoder descending left to right, bottleneck lowest, decoder ascending, skips dashed arcs', () => {
  const stages = stagesOf(presetSpec('ronneberger2015'), [572, 572]);
  const l = layoutStages(stages, measure);
  const n = (s: string) => l.nodes.find((q) => q.stage.name === s)!;
  const enc = ['enc1', 'enc2', 'enc3', 'enc4'].map(n), dec = ['dec1', 'dec2', 'dec3', 'dec4'].map(n), neck = n('bottleneck');
  for (let i = 1; i < 4; i++) {
    assert.ok(enc[i].x > enc[i - 1].x && enc[i].y < enc[i - 1].y, 'encoder descends to the right');
    assert.ok(dec[i].x > dec[i - 1].x && dec[i].y > dec[i - 1].y, 'decoder ascends to the right');
  }
  assert.ok(enc[3].x < neck.x && neck.x < dec[0].x && l.nodes.every((q) => q === neck || q.y > neck.y), 'bottleneck lowest, between');
  assert.ok(n('input').x < enc[0].x && n('out').x > dec[3].x && n('input').y === n('out').y);
  assert.ok(l.nodes.every((q) => !q.labelAbove), 'every label under its box');
  // Mirror image: each decoder sits on its encoder's row.
  for (let i = 0; i < 4; i++) assert.equal(enc[i].y, dec[3 - i].y);
  const skips = l.edges.filter((e) => e.style === 'skip');
  assert.deepEqual(skips.map((e) => `${e.from}→${e.to}`).sort(), ['enc1→dec4', 'enc2→dec3', 'enc3→dec2', 'enc4→dec1']);
  assert.ok(skips.every((e) => e.arc));
  assert.ok(l.edges.filter((e) => e.style === 'data').every((e) => !e.arc), 'the data path is straight');
  // Shallower skips arc higher.
  const apex = (to: string) => skips.find((e) => e.to === to)!.apex!;
  assert.ok(apex('dec4') > apex('dec3') && apex('dec3') > apex('dec2') && apex('dec2') > apex('dec1'));
});

test('U-Net++: x_i_j in column i + 2j + 1, rows by level; dense skips are arcs; heads feed the output as its data path', () => {
  const stages = unetppLike();
  const l = layoutStages(stages, measure);
  const n = (s: string) => l.nodes.find((q) => q.stage.name === s)!;
  for (let i = 0; i <= 4; i++) for (let j = 0; i + j <= 4; j++) assert.equal(n(`x_${i}_${j}`).column, i + 2 * j + 1, `x_${i}_${j}`);
  for (let i = 1; i <= 4; i++) assert.ok(n(`x_${i}_0`).y < n(`x_${i - 1}_0`).y);
  for (let j = 1; j <= 4; j++) assert.ok(n(`x_0_${j}`).x > n(`x_0_${j - 1}`).x && n(`x_0_${j}`).y === n('x_0_0').y);
  const e = (a: string, b: string) => l.edges.find((q) => q.from === a && q.to === b)!;
  assert.ok(e('x_0_0', 'x_0_4').arc && e('x_0_0', 'x_0_4').style === 'skip');
  assert.ok(!e('x_1_3', 'x_0_4').arc && e('x_1_3', 'x_0_4').style === 'data');
  assert.ok(l.edges.filter((q) => q.to === 'output').every((q) => q.style === 'data'));
  assert.ok(n('head4').x > n('x_0_4').x && n('output').x > n('head4').x);
  assertClean('unetpp-like', stages, l);
});

test('attention gates sit on their skip\'s row, after the coarser decoder and before the decoder they feed', () => {
  const stages = attentionLike();
  const l = layoutStages(stages, measure);
  const n = (s: string) => l.nodes.find((q) => q.stage.name === s)!;
  for (let lv = 0; lv < 4; lv++) {
    const gate = n(`gate${lv + 1}`), enc = n(`enc${lv + 1}`), dec = n(`dec${4 - lv}`), coarser = n(lv === 3 ? 'bottleneck' : `dec${3 - lv}`);
    assert.equal(gate.y, enc.y);
    assert.ok(enc.x < gate.x && coarser.x < gate.x && gate.x < dec.x, `gate${lv + 1}`);
  }
  assertClean('attention-like', stages, l);
});

test('transformer tokens form one chain on the patch grid\'s row; encoders projected from tokens rise from it', () => {
  for (const [name, stages, grid] of [['transunet-like', transunetLike(), 4], ['unetr-like', unetrLike(), 4]] as const) {
    const l = layoutStages(stages, measure);
    const tokens = l.nodes.filter((q) => q.stage.kind === 'tokens');
    assert.ok(tokens.length >= 13 && tokens.every((t) => t.y === tokens[0].y && t.stage.level === grid), name);
    for (let i = 1; i < tokens.length; i++) assert.ok(tokens[i].x > tokens[i - 1].x, `${name}: chain left to right`);
    // The chain's labels alternate below / above; elsewhere labels are below.
    assert.ok(tokens.some((t) => t.labelAbove) && tokens.some((t) => !t.labelAbove), name);
    for (let i = 1; i < tokens.length; i++) assert.notEqual(tokens[i].labelAbove, tokens[i - 1].labelAbove, `${name}: ${tokens[i].stage.name}`);
    assert.ok(l.nodes.filter((q) => q.stage.level < grid).every((q) => !q.labelAbove), name);
    assertClean(name, stages, l);
  }
});

test('every synthetic network lays out cleanly; a cycle and an unknown input do not hang or throw', () => {
  for (const [name, make] of Object.entries(SYNTHETIC)) assertClean(name, make(), layoutStages(make(), measure));
  const a: NetStage = { name: 'a', kind: 'encoder', module: 'a', level: 0, inChannels: 1, channels: 8, size: [8, 8], params: 0, from: ['b'] };
  const b: NetStage = { ...a, name: 'b', from: ['a', 'ghost'] };
  assert.deepEqual(columnsOf([a, b]).length, 2);
  const l = layoutStages([a, b], measure);
  assert.deepEqual(l.unknown, ['ghost']);
  assert.equal(l.nodes.length, 2);
});
