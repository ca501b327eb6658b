/**
 * Train in the browser: a tiny U-Net (seed2d, base 4, depth 2) learns the blobs foreground for a few epochs with the
 * library's one training step (`trainStep`), BCE + Dice loss, Adam and learning-rate schedule (`TRAIN_DEFAULTS`), on
 * patches drawn by the library's sampler from the training rows; a live loss curve, and the prediction on the whole
 * image after every epoch.
 */
import { tf, Rng, createNet, presetSpec, bceDiceLoss, Adam, sampleBatch, trainStep, scheduledLr, TRAIN_DEFAULTS, type BatchConfig, type StepLoss } from '../../../src/index.js';
import { h, s, figure } from '../lib/ui.js';
import { trainBand, segment, foregroundDice } from '../lib/blobs-task.js';
import { loadBlobs, loadBlobsModel, drawMask, drawErrors } from '../lib/blobs-assets.js';
import { withTrainableBackend } from '../backend.js';
import type { Page } from '../lib/page.js';

/**
 * The in-browser run; epochs, iterations and learning rate are defaults the page's inputs can change. The optimiser
 * (Adam) and the schedule (`TRAIN_DEFAULTS.schedule`, poly) are the library's. The learning rate is the page's own:
 * the library's 1e-3 (`TRAIN_DEFAULTS.lr`, measured for full runs of thousands of iterations) barely moves this tiny
 * network in the page's 40 iterations — the last epoch's mean loss is 0.92× the first's, against 0.65–0.69× at 1e-2
 * (Node, tfjs CPU, seeds 0 and 1, same batches).
 */
const DEFAULTS = { base: 4, depth: 2, epochs: 4, itersPerEpoch: 10, batch: 2, patch: 48, lr: 1e-2, seed: 0 };

/** The library's BCE + Dice on one output (`trainStep` averages it over heads and crops targets where needed). */
const loss: StepLoss = (logits, target, weights) => bceDiceLoss({ logits, target, weights });

/** An SVG loss curve: per-iteration losses (thin), epoch means (dots). */
function curve(losses: number[], means: number[], perEpoch: number, total: number): SVGSVGElement {
  const W = 560, H = 220, L = 44, B = 28;
  const hi = Math.max(...losses, 0.1), lo = 0;
  const X = (i: number) => L + ((W - L - 10) * i) / Math.max(1, total);
  const Y = (v: number) => 10 + (H - B - 10) * (1 - (v - lo) / (hi - lo));
  const ticks = [0, hi / 2, hi];
  return s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'curve', 'data-testid': 'loss-curve' },
    s('line', { x1: L, y1: Y(0), x2: W - 10, y2: Y(0), class: 'axis' }), s('line', { x1: L, y1: 10, x2: L, y2: Y(0), class: 'axis' }),
    ...ticks.map((t) => s('text', { x: L - 6, y: Y(t) + 4, 'text-anchor': 'end', class: 'dims' }, t.toFixed(2))),
    s('text', { x: (W + L) / 2, y: H - 6, 'text-anchor': 'middle', class: 'dims' }, 'iteration'),
    s('polyline', { points: losses.map((v, i) => `${X(i + 1)},${Y(v)}`).join(' '), class: 'loss' }),
    ...means.map((m, e) => s('circle', { cx: X((e + 0.5) * perEpoch), cy: Y(m), r: 4, class: 'mean' })));
}

export const trainPage: Page = {
  id: 'train',
  title: 'Train in the browser',
  async mount(root) {
    const fields = Object.fromEntries((['epochs', 'itersPerEpoch', 'lr'] as const).map((k) => [k, h('input', { size: 6, value: String(DEFAULTS[k]), 'data-testid': `train-${k}` })])) as Record<'epochs' | 'itersPerEpoch' | 'lr', HTMLInputElement>;
    const start = h('button', { type: 'button', 'data-testid': 'train-start' }, 'Train'), stop = h('button', { type: 'button', disabled: true }, 'Stop');
    const status = h('p', { class: 'dice', 'data-testid': 'train-status' }, 'Press Train.');
    const epochsOut = h('ol', { class: 'epochs', 'data-testid': 'epoch-losses' });
    const plot = h('div', { class: 'plot' }, curve([], [], 1, 1));
    const cPred = h('canvas', { class: 'px', 'data-testid': 'train-pred' }), cErr = h('canvas', { class: 'px' }), cTruth = h('canvas', { class: 'px' });
    root.append(
      h('p', { class: 'lead' }, `A tiny U-Net (seed2d, base ${DEFAULTS.base}, depth ${DEFAULTS.depth}) trained here, in this browser, on ${DEFAULTS.patch}×${DEFAULTS.patch} patches of the blobs image's training rows, with the library's training step, BCE + Dice loss, Adam and ${TRAIN_DEFAULTS.schedule} learning-rate schedule (from the learning rate below; the page's 1e-2 learns within a few dozen iterations where the library's default ${TRAIN_DEFAULTS.lr} does not). The prediction on the whole image updates after every epoch.`),
      h('div', { class: 'controls' }, h('label', {}, 'epochs ', fields.epochs), h('label', {}, 'iterations / epoch ', fields.itersPerEpoch), h('label', {}, 'learning rate ', fields.lr), start, stop),
      status, h('div', { class: 'split' }, plot, epochsOut),
      h('div', { class: 'figures' }, figure('prediction (whole image)', cPred), figure('errors: red = FP, cyan = FN', cErr), figure('ground truth', cTruth)));
    await loadBlobsModel(); // the backend is chosen; the shipped model is not used here
    const { patch } = await loadBlobs();
    const [Hh, Ww] = patch.shape;
    drawMask(cTruth, patch.label, Ww, Hh);
    let stopping = false;
    stop.addEventListener('click', () => { stopping = true; });
    start.addEventListener('click', () => void withTrainableBackend(async (backend) => {
      const epochs = Number(fields.epochs.value), perEpoch = Number(fields.itersPerEpoch.value), lr = Number(fields.lr.value);
      start.disabled = true; stop.disabled = false; stopping = false;
      epochsOut.replaceChildren();
      const model = createNet(presetSpec('seed2d', { base: DEFAULTS.base, depth: DEFAULTS.depth, classes: 1, seed: DEFAULTS.seed }));
      const opt = new Adam({ lr });
      const total = epochs * perEpoch, schedule = { name: TRAIN_DEFAULTS.schedule };
      const rng = new Rng(DEFAULTS.seed);
      const band = trainBand(patch, (await loadBlobsModel()).meta.training.trainRows);
      const cfg: BatchConfig = { batchSize: DEFAULTS.batch, patch: { size: [DEFAULTS.patch, DEFAULTS.patch] }, augment: {} };
      const losses: number[] = [], means: number[] = [];
      const t0 = performance.now();
      try {
        for (let e = 0; e < epochs && !stopping; e++) {
          model.train();
          for (let i = 0; i < perEpoch && !stopping; i++) {
            const b = sampleBatch([band], cfg, rng);
            const x = tf.tensor(b.x, b.shape), y = tf.tensor(Float32Array.from(b.y), b.shape.slice(0, -1));
            const it = e * perEpoch + i, rate = scheduledLr(lr, it, total, schedule);
            const value = trainStep(model, opt, loss, { x, y }, rate);
            losses.push((await value.data())[0]);
            tf.dispose([x, y, value]);
            status.textContent = `epoch ${e + 1}/${epochs}, iteration ${i + 1}/${perEpoch}: loss ${losses[losses.length - 1].toFixed(4)}, lr ${rate.toExponential(2)} (backend ${backend}, ${((performance.now() - t0) / 1000).toFixed(1)} s)`;
            plot.replaceChildren(curve(losses, means, perEpoch, epochs * perEpoch));
            await tf.nextFrame();
          }
          const m = losses.slice(-perEpoch).reduce((a, v) => a + v, 0) / Math.min(perEpoch, losses.length);
          means.push(m);
          const pred = segment(model, patch.image, patch.shape);
          drawMask(cPred, pred, Ww, Hh);
          drawErrors(cErr, pred, patch.label, Ww, Hh);
          epochsOut.append(h('li', { 'data-loss': m }, `epoch ${e + 1}: mean loss ${m.toFixed(4)}, Dice ${foregroundDice(pred, patch.label, Ww).toFixed(4)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`));
          plot.replaceChildren(curve(losses, means, perEpoch, epochs * perEpoch));
          await tf.nextFrame();
        }
        status.textContent = `${stopping ? 'stopped' : 'done'}: ${losses.length} iterations in ${((performance.now() - t0) / 1000).toFixed(1)} s on backend ${backend}; mean loss ${means[0]?.toFixed(4)} → ${means[means.length - 1]?.toFixed(4)}`;
        status.dataset.done = 'true';
      } finally {
        opt.dispose();
        model.dispose();
        start.disabled = false; stop.disabled = true;
      }
    }));
    return () => { stopping = true; };
  },
};
