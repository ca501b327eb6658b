/**
 * Skip-ablation playground: the shipped blobs model (seed2d base 8, trained by scripts/train-blobs.ts) segments the
 * blobs image; four toggles switch skips off through the model's skip mask (a disabled skip feeds zeros) and the
 * mask and its Dice re-render. The table measures every setting in this browser, beside the training script's
 * numbers.
 */
import { tf, nearestValidSizes } from '../../../src/index.js';
import { h, figure, size } from '../lib/ui.js';
import { netView, stageSize } from '../lib/network.js';
import { grayOf, segment, foregroundDice, skipAblation, type AblationRow } from '../lib/blobs-task.js';
import { loadBlobs, loadBlobsModel, drawGray, drawMask, drawErrors } from '../lib/blobs-assets.js';
import type { Page } from '../lib/page.js';

const fmt = (x: number) => x.toFixed(4);
/** "all skips on", "skip 2 off", "skips 1, 3 off", "all skips off". */
function settingName(skips: boolean[]): string {
  const off = skips.flatMap((v, i) => (v ? [] : [i + 1]));
  if (off.length === 0) return 'all skips on';
  if (off.length === skips.length) return 'all skips off';
  return off.length === 1 ? `skip ${off[0]} off` : `skips ${off.join(', ')} off`;
}

/** One sentence per finding, computed from the measured rows (all on first, then each off alone, then all off). */
export function findings(rows: AblationRow[]): string[] {
  const [all, ...rest] = rows;
  const singles = rest.slice(0, -1), none = rest[rest.length - 1];
  const drops = singles.map((r, k) => ({ k: k + 1, d: r.dice - all.dice, r })).sort((a, b) => a.d - b.d);
  const most = drops[0], least = drops[drops.length - 1];
  const signed = (d: number) => `${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(4)}`;
  return [
    `With every skip this model scores Dice ${fmt(all.dice)} on the whole image (${fmt(all.heldOutDice)} on the held-out rows).`,
    `Skip ${most.k} matters most: without it Dice is ${fmt(most.r.dice)} (${signed(most.d)}).`,
    `Skip ${least.k} matters least: without it Dice is ${fmt(least.r.dice)} (${signed(least.d)}).`,
    `With no skip at all the decoder has only the bottleneck to work from: Dice ${fmt(none.dice)} (${signed(none.dice - all.dice)}).`,
  ];
}

export const skipsPage: Page = {
  id: 'skips',
  title: 'Skip ablation',
  async mount(root) {
    const status = h('p', { class: 'summary' }, 'Loading the blobs model …');
    root.append(h('p', { class: 'lead' }, 'A small U-Net trained on ImageJ\'s blobs. Switch skips off and watch the mask and its Dice: a disabled skip feeds zeros of the same shape into the decoder (the model\'s skip mask), the weights stay the same.'), status);
    const [{ model, meta }, { image, patch }] = await Promise.all([loadBlobsModel(), loadBlobs()]);
    const [H, W] = patch.shape, rows = meta.training.trainRows;
    const o = model.options;
    const padded = patch.shape.map((n) => nearestValidSizes(o, n).above ?? n);
    const view = netView('seed2d', padded, o);
    const cIn = h('canvas', { class: 'px' }), cTruth = h('canvas', { class: 'px' }), cPred = h('canvas', { class: 'px', 'data-testid': 'pred-mask' }), cErr = h('canvas', { class: 'px' });
    drawGray(cIn, grayOf(image), W, H);
    drawMask(cTruth, patch.label, W, H);
    const dice = h('p', { class: 'dice', 'data-testid': 'dice' });
    const toggles = view.skips.map((k) => {
      const box = h('input', { type: 'checkbox', checked: true, 'data-testid': `toggle-skip-${k.level + 1}` });
      return { box, el: h('label', { class: 'toggle' }, box, ` skip ${k.level + 1}: ${k.from.stage.name} → ${k.to.stage.name} (${k.channels.skip} ch at ${stageSize(k.from)})`) };
    });
    const update = async () => {
      const skips = toggles.map((t) => t.box.checked);
      model.setSkips(skips);
      const pred = segment(model, patch.image, patch.shape);
      drawMask(cPred, pred, W, H);
      drawErrors(cErr, pred, patch.label, W, H);
      dice.replaceChildren(h('b', {}, `${settingName(skips)}: `),
        `Dice ${fmt(foregroundDice(pred, patch.label, W))} on the whole image, ${fmt(foregroundDice(pred, patch.label, W, rows))} on the held-out rows ${rows}–${H - 1}`);
      await tf.nextFrame();
    };
    let busy = Promise.resolve();
    for (const t of toggles) t.box.addEventListener('change', () => { busy = busy.then(update); });
    const table = h('table', { class: 'stages', 'data-testid': 'ablation-table' });
    const says = h('ul', { class: 'findings', 'data-testid': 'findings' });
    status.replaceChildren(`Model: seed2d base ${o.base}, depth ${o.depth}, ${view.report.params.toLocaleString('en-US')} parameters; input ${W}×${H} padded to ${size(padded)} (the nearest size the network accepts). Trained by scripts/train-blobs.ts: ${meta.training.iterations} iterations, ${meta.training.loss}, rows 0–${rows - 1} only, ${meta.training.seconds} s on '${meta.training.backend}'.`);
    root.append(
      h('div', { class: 'toggles' }, ...toggles.map((t) => t.el)), dice,
      h('div', { class: 'figures' }, figure('input', cIn), figure('ground truth (labels > 0)', cTruth), figure('predicted mask', cPred, 'pred-figure'), figure('errors: red = false positive, cyan = false negative', cErr)),
      h('h3', {}, 'Measured effect of each skip'), says, table);
    await update();
    // Every setting measured here, in this browser, on this backend; the training script's numbers beside them.
    await tf.nextFrame();
    const measured = skipAblation(model, patch, rows);
    const node = (skips: boolean[]) => meta.ablation.find((r) => r.skips.join() === skips.join());
    table.replaceChildren(
      h('thead', {}, h('tr', {}, ...['setting', 'Dice (whole image)', 'Δ vs all on', 'Dice (held-out rows)', `Dice in Node (${meta.training.backend}, training script)`].map((t) => h('th', {}, t)))),
      h('tbody', {}, ...measured.map((r) => h('tr', {}, h('td', {}, settingName(r.skips)), h('td', { class: 'num' }, fmt(r.dice)),
        h('td', { class: 'num' }, (r.dice - measured[0].dice).toFixed(4)), h('td', { class: 'num' }, fmt(r.heldOutDice)), h('td', { class: 'num' }, node(r.skips) ? fmt(node(r.skips)!.dice) : '—')))));
    says.replaceChildren(...findings(measured).map((t) => h('li', {}, t)));
    return () => model.setSkips(Array<boolean>(o.depth).fill(true));
  },
};
