/**
 * Paired image/label datasets: `dir/images/*` and `dir/labels/*` matched by name without extension, read through
 * `readVolume`, and validated completely before anything is returned. File access goes through a `FileSource`
 * (Node's fs by default, loaded lazily), so the validation itself runs anywhere.
 */
import type { Sample } from './types.js';
import type { Volume } from '../io/volume.js';
import { readVolume, stripExtension } from '../io/readers.js';

export interface DatasetOptions {
  /** Number of classes; mapped label values must lie in [0, classes). */
  classes: number;
  /** Label value → class (e.g. {0: 0, 255: 1}); without it label values are the classes. */
  labelMap?: Record<number, number>;
  /** Raw label value marking unlabelled voxels; becomes −1 in `Sample.label`. */
  ignoreValue?: number;
  /** Required image channel count. Default: the first image's; every other image must have the same. */
  channels?: number;
}

/** The file access a dataset needs: list a folder's file names, read a file's bytes. */
export interface FileSource {
  list(dir: string): Promise<string[]>;
  read(path: string): Promise<Uint8Array>;
}

/** Node's file system as a FileSource (imported lazily so browsers never load it). */
export async function nodeFileSource(): Promise<FileSource> {
  const fs = await import('node:fs/promises');
  return {
    list: async (dir) => (await fs.readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => e.name).sort(),
    read: async (path) => new Uint8Array(await fs.readFile(path)),
  };
}

/** Maps raw label values to classes (ignore → −1) and checks each against the rules; errors name file, value, rule. */
export function mapLabel(label: Volume, options: DatasetOptions): Int32Array {
  const { classes, labelMap, ignoreValue } = options;
  if (label.channels !== 1) throw new Error(`${label.source}: label has ${label.channels} channels; rule: labels have exactly 1 channel`);
  const out = new Int32Array(label.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = label.data[i];
    if (!Number.isFinite(v)) throw new Error(`${label.source}: label value ${v} at voxel ${i}; rule: label values must be finite`);
    if (ignoreValue !== undefined && v === ignoreValue) { out[i] = -1; continue; }
    let c: number;
    if (labelMap) {
      if (!Object.prototype.hasOwnProperty.call(labelMap, v)) {
        throw new Error(`${label.source}: label value ${v} at voxel ${i} is not in labelMap (keys ${Object.keys(labelMap).join(', ')}${ignoreValue !== undefined ? `; ignoreValue ${ignoreValue}` : ''})`);
      }
      c = labelMap[v];
    } else c = v;
    if (!Number.isInteger(c) || c < 0 || c >= classes) {
      throw new Error(`${label.source}: label value ${v} at voxel ${i} maps to class ${c}; rule: classes are integers in [0, ${classes})`);
    }
    out[i] = c;
  }
  return out;
}

/** Checks one image against the options (channels, finite values); errors name the file, the value and the rule. */
export function checkImage(image: Volume, options: DatasetOptions): void {
  if (options.channels !== undefined && image.channels !== options.channels) {
    throw new Error(`${image.source}: image has ${image.channels} channels; rule: channels must be ${options.channels}`);
  }
  for (let i = 0; i < image.data.length; i++) {
    if (!Number.isFinite(image.data[i])) throw new Error(`${image.source}: image value ${image.data[i]} at index ${i}; rule: image values must be finite`);
  }
}

/** Pairs an image with its label Volume into a Sample, checking sizes, channels and values. */
export function makeSample(image: Volume, label: Volume, name: string, options: DatasetOptions): Sample {
  checkImage(image, options);
  if (label.shape.join('x') !== image.shape.join('x')) {
    throw new Error(`${label.source}: label size ${label.shape.join('×')} differs from image ${image.source} size ${image.shape.join('×')}; rule: a label has its image's size`);
  }
  return { image, label: mapLabel(label, options), name };
}

/** Reads and validates `dir/images/*` + `dir/labels/*` paired by name; throws on the first problem found. */
export async function loadDataset(dir: string, options: DatasetOptions, files?: FileSource): Promise<Sample[]> {
  const src = files ?? (await nodeFileSource());
  if (!(Number.isInteger(options.classes) && options.classes >= 1)) throw new Error(`${dir}: classes = ${options.classes}; rule: classes is an integer ≥ 1`);
  const join = (a: string, b: string) => `${a.replace(/\/+$/, '')}/${b}`;
  const index = async (sub: string) => {
    const m = new Map<string, string>();
    const names = await src.list(join(dir, sub)).catch((e: Error) => {
      throw new Error(`${join(dir, sub)}: cannot list it (${e.message.split(':')[0]}); rule: a dataset is a folder with images/ and labels/ holding files of matching names`);
    });
    for (const f of names) {
      const key = stripExtension(f);
      if (m.has(key)) throw new Error(`${join(join(dir, sub), f)}: name '${key}' also used by ${m.get(key)}; rule: one file per name`);
      m.set(key, join(join(dir, sub), f));
    }
    return m;
  };
  const images = await index('images'), labels = await index('labels');
  for (const [k, p] of images) if (!labels.has(k)) throw new Error(`${p}: image '${k}' has no label in ${join(dir, 'labels')}; rule: every image has a label of the same name`);
  for (const [k, p] of labels) if (!images.has(k)) throw new Error(`${p}: label '${k}' has no image in ${join(dir, 'images')}; rule: every label has an image of the same name`);
  if (images.size === 0) throw new Error(`${dir}: no images in ${join(dir, 'images')}; rule: a dataset is not empty`);
  const samples: Sample[] = [];
  for (const [name, ipath] of [...images].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const lpath = labels.get(name)!;
    const image = readVolume(await src.read(ipath), ipath);
    const label = readVolume(await src.read(lpath), lpath);
    samples.push(makeSample(image, label, name, { ...options, channels: options.channels ?? samples[0]?.image.channels }));
  }
  return samples;
}
