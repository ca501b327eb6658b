/**
 * Your image: the blobs model segments an image the user drops or picks (decoded by the browser through a canvas,
 * made gray, z-scored like the training data, padded to the nearest size the network accepts by the library's
 * whole-image prediction).
 */
import { zScore } from '../../../src/index.js';
import { h, figure } from '../lib/ui.js';
import { grayOf, segment } from '../lib/blobs-task.js';
import { loadBlobs, loadBlobsModel, drawGray, drawMask, drawOverlay } from '../lib/blobs-assets.js';
import type { Page } from '../lib/page.js';

/** Longest side images are scaled down to before segmenting. Default 512. */
const MAX_SIDE = 512;

/** Gray values (0…255, mean of R, G, B) of a decoded image, scaled down to at most MAX_SIDE pixels a side. */
async function grayFromFile(file: Blob): Promise<{ gray: Float32Array; width: number; height: number }> {
  const bitmap = await createImageBitmap(file);
  const k = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * k)), height = Math.max(1, Math.round(bitmap.height * k));
  const c = document.createElement('canvas');
  c.width = width; c.height = height;
  const ctx = c.getContext('2d')!;
  ctx.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const px = ctx.getImageData(0, 0, width, height).data;
  const gray = new Float32Array(width * height);
  for (let i = 0; i < gray.length; i++) gray[i] = (px[4 * i] + px[4 * i + 1] + px[4 * i + 2]) / 3;
  return { gray, width, height };
}

export const segmentPage: Page = {
  id: 'segment',
  title: 'Your image',
  async mount(root) {
    const file = h('input', { type: 'file', accept: 'image/*', 'data-testid': 'file-input' });
    const invert = h('input', { type: 'checkbox', 'data-testid': 'invert' });
    const zone = h('div', { class: 'dropzone', 'data-testid': 'dropzone' }, 'Drop an image here, or ', h('label', { class: 'button' }, 'choose a file', file), h('label', { class: 'toggle' }, invert, ' dark objects on a light background (invert)'));
    const cIn = h('canvas', { class: 'px' }), cMask = h('canvas', { class: 'px' }), cOver = h('canvas', { class: 'px', 'data-testid': 'seg-overlay' });
    const result = h('p', { class: 'dice', 'data-testid': 'seg-result' }, 'Loading the blobs model …');
    root.append(h('p', { class: 'lead' }, 'The blobs model (trained on bright blobs on a dark background) segments an image of yours. Everything runs in this browser; nothing is uploaded.'),
      zone, result, h('div', { class: 'figures' }, figure('your image (gray)', cIn), figure('predicted mask', cMask), figure('overlay (foreground in amber)', cOver)));
    const { model } = await loadBlobsModel();
    let last: { gray: Float32Array; width: number; height: number; name: string } | undefined;
    const run = () => {
      if (!last) return;
      const { width, height, name } = last;
      const gray = invert.checked ? last.gray.map((v) => 255 - v) : last.gray;
      model.setSkips(Array<boolean>(model.options.depth).fill(true));
      const t0 = performance.now();
      const mask = segment(model, zScore(gray, 1), [height, width]);
      const ms = performance.now() - t0;
      drawGray(cIn, gray, width, height);
      drawMask(cMask, mask, width, height);
      drawOverlay(cOver, gray, mask, width, height);
      const fg = mask.reduce((a, v) => a + v, 0) / mask.length;
      result.textContent = `${name}: ${width}×${height}, ${(100 * fg).toFixed(1)}% foreground, segmented in ${ms.toFixed(0)} ms.`;
    };
    const take = async (blob: Blob, name: string) => {
      try {
        last = { ...(await grayFromFile(blob)), name };
        run();
      } catch (e) {
        result.textContent = `${name}: cannot decode this file as an image (${(e as Error).message})`;
      }
    };
    file.addEventListener('change', () => { const f = file.files?.[0]; if (f) void take(f, f.name); });
    invert.addEventListener('change', run);
    zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
    zone.addEventListener('dragleave', () => zone.classList.remove('over'));
    zone.addEventListener('drop', (e) => {
      e.preventDefault();
      zone.classList.remove('over');
      const f = e.dataTransfer?.files[0];
      if (f) void take(f, f.name);
    });
    // Start with the blobs image itself so the page shows a result before anything is dropped.
    const { image } = await loadBlobs();
    last = { gray: grayOf(image), width: image.width, height: image.height, name: 'blobs.png (sample)' };
    run();
    return () => undefined;
  },
};
