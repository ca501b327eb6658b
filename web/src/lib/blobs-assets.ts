/**
 * Browser loading of the blobs task: the bundled image and labels (decoded by the library's PNG reader) and the
 * shipped model (`models/blobs.json` + `.safetensors`, written by scripts/train-blobs.ts), each fetched once.
 */
import blobsUrl from '../../../data/blobs/blobs.png?url';
import labelsUrl from '../../../data/blobs/labels_otsu_cc.png?url';
import { UNet, createNet, resolveSpec, decodePng, decodeWeights, type UNetOptions, type Image2D, type Patch } from '../../../src/index.js';
import { chooseBackend } from '../backend.js';
import { blobsPatch, type AblationRow } from './blobs-task.js';
import { drawPixels } from './ui.js';

/** What scripts/train-blobs.ts records beside the weights. */
export interface BlobsMeta {
  options: UNetOptions;
  training: { trainRows: number; iterations: number; seconds: number; backend: string; patch: number[]; batch: number; lr: number; loss: string; curve: { iter: number; loss: number }[] };
  ablation: AblationRow[];
}

const bytes = async (url: string): Promise<Uint8Array> => {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
};

let data: Promise<{ image: Image2D; labels: Image2D; patch: Patch }> | undefined;
/** The blobs image, its labels and the task's patch (z-scored image, foreground mask). */
export function loadBlobs(): Promise<{ image: Image2D; labels: Image2D; patch: Patch }> {
  data ??= (async () => {
    const image = decodePng(await bytes(blobsUrl), 'blobs.png');
    const labels = decodePng(await bytes(labelsUrl), 'labels_otsu_cc.png');
    return { image, labels, patch: blobsPatch(image, labels) };
  })();
  return data;
}

let model: Promise<{ model: UNet; meta: BlobsMeta }> | undefined;
/** The shipped blobs model on the chosen backend, in eval mode. */
export function loadBlobsModel(): Promise<{ model: UNet; meta: BlobsMeta }> {
  model ??= (async () => {
    await chooseBackend();
    const base = `${import.meta.env.BASE_URL}models/blobs`;
    const meta = JSON.parse(new TextDecoder().decode(await bytes(`${base}.json`))) as BlobsMeta;
    const m = createNet(resolveSpec('unet', meta.options as Record<string, unknown>));
    if (!(m instanceof UNet)) throw new Error('models/blobs.json: the skip playground needs a U-Net');
    decodeWeights(m, await bytes(`${base}.safetensors`), 'models/blobs.safetensors');
    m.eval();
    return { model: m, meta };
  })();
  return model;
}

/** Draws gray values (0…255) of an [H, W] image. */
export const drawGray = (c: HTMLCanvasElement, v: ArrayLike<number>, w: number, ht: number): void => drawPixels(c, w, ht, (i) => [v[i], v[i], v[i]]);

/** Draws a 0/1 mask: foreground white on black. */
export const drawMask = (c: HTMLCanvasElement, m: ArrayLike<number>, w: number, ht: number): void => drawPixels(c, w, ht, (i) => (m[i] ? [255, 255, 255] : [15, 23, 42]));

/** Prediction against truth: agreement white / dark, false positives red, false negatives cyan. */
export const drawErrors = (c: HTMLCanvasElement, pred: ArrayLike<number>, truth: ArrayLike<number>, w: number, ht: number): void =>
  drawPixels(c, w, ht, (i) => (pred[i] === truth[i] ? (pred[i] ? [241, 245, 249] : [15, 23, 42]) : pred[i] ? [239, 68, 68] : [34, 211, 238]));

/** Gray image with the predicted foreground tinted amber. */
export const drawOverlay = (c: HTMLCanvasElement, gray: ArrayLike<number>, m: ArrayLike<number>, w: number, ht: number): void =>
  drawPixels(c, w, ht, (i) => (m[i] ? [0.45 * gray[i] + 0.55 * 245, 0.45 * gray[i] + 0.55 * 158, 0.45 * gray[i] + 0.55 * 11] : [gray[i], gray[i], gray[i]]));
