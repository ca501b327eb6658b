/**
 * Paired image/label datasets: `dir/images/*` and `dir/labels/*` matched by name without extension, read through
 * `readVolume` (within `DatasetOptions.limits`), and validated completely before anything is returned: one file per
 * name (`0.png` beside `0.tif` is refused, naming both), a label per image, and each label on its image's grid — same
 * shape and, for NIfTI pairs, the same spacing and affine within `GEOMETRY_TOLERANCE`. File access goes through a
 * `FileSource` (Node's fs by default, loaded lazily; it follows symbolic links and refuses loops and dangling links),
 * so the validation itself runs anywhere.
 */
import type { Sample } from './types.js';
import type { Volume } from '../io/volume.js';
import { readVolume, stripExtension } from '../io/readers.js';
import type { ReadLimits } from '../io/limits.js';

export interface DatasetOptions {
  /** Number of classes; mapped label values must lie in [0, classes). */
  classes: number;
  /** Label value → class (e.g. {0: 0, 255: 1}); without it label values are the classes. */
  labelMap?: Record<number, number>;
  /** Raw label value marking unlabelled voxels; becomes −1 in `Sample.label`. */
  ignoreValue?: number;
  /** Required image channel count. Default: the first image's; every other image must have the same. */
  channels?: number;
  /** Size limits every file is checked against before it is decoded (default `DEFAULT_MAX_VOXELS` values per file). */
  limits?: ReadLimits;
}

/** The file access a dataset needs: list a folder's file names, read a file's bytes. */
export interface FileSource {
  list(dir: string): Promise<string[]>;
  read(path: string): Promise<Uint8Array>;
}

/**
 * Node's file system as a FileSource (imported lazily so browsers never load it). `list` gives the regular files of a
 * folder, hidden ones aside, following symbolic links (stat, not lstat): a link to a file counts as that file, a link
 * loop or a dangling link is refused with its path.
 */
export async function nodeFileSource(): Promise<FileSource> {
  const fs = await import('node:fs/promises');
  return {
    list: async (dir) => {
      const names = (await fs.readdir(dir)).filter((n) => !n.startsWith('.')).sort();
      const files: string[] = [];
      for (const n of names) {
        const p = `${dir.replace(/\/+$/, '')}/${n}`;
        const st = await fs.stat(p).catch((e: NodeJS.ErrnoException) => {
          if (e.code === 'ELOOP') throw new Error(`${p}: a symbolic link loop (ELOOP) — rule: every link in a dataset resolves to a file`);
          if (e.code === 'ENOENT') throw new Error(`${p}: a symbolic link to nothing (its target does not exist) — rule: every link in a dataset resolves to a file`);
          throw new Error(`${p}: cannot stat it (${e.code ?? e.message})`);
        });
        if (st.isFile()) files.push(n);
      }
      return files;
    },
    read: async (path) => new Uint8Array(await fs.readFile(path)),
  };
}

/**
 * Geometry tolerance: spacings and affine entries (mm) may differ by this fraction of the smallest voxel size of the
 * pair (a thousandth of a voxel: float32 header rounding passes, a real shift or rescaling does not).
 */
export const GEOMETRY_TOLERANCE = 1e-3;

/**
 * Throws unless `b` lies on `a`'s grid: the same shape, and when both carry an affine (NIfTI), spacing and affine equal
 * within `GEOMETRY_TOLERANCE` of a voxel. `what` names the pair's relation for the message (e.g. 'label' / 'image').
 */
export function checkGeometry(a: Volume, b: Volume, what: [string, string] = ['label', 'image']): void {
  const [bn, an] = what;
  if (b.shape.join('x') !== a.shape.join('x')) {
    throw new Error(`${b.source}: ${bn} size ${b.shape.join('×')} differs from ${an} ${a.source} size ${a.shape.join('×')}; rule: a ${bn} has its ${an}'s size`);
  }
  if (!a.affine || !b.affine) return;
  const tol = GEOMETRY_TOLERANCE * Math.min(...a.spacing, ...b.spacing);
  const far = (x: number[], y: number[]) => x.some((v, i) => !(Math.abs(v - y[i]) <= tol));
  const fmt = (x: number[]) => `[${x.map((v) => +v.toPrecision(6)).join(', ')}]`;
  if (far(a.spacing, b.spacing)) {
    throw new Error(`${b.source}: ${bn} spacing ${fmt(b.spacing)} mm differs from ${an} ${a.source} spacing ${fmt(a.spacing)} mm — rule: a ${bn} has its ${an}'s voxel spacing (within ${tol.toPrecision(3)} mm)`);
  }
  for (let r = 0; r < 3; r++) {
    if (far(a.affine[r], b.affine[r])) {
      throw new Error(`${b.source}: ${bn} affine row ${r} ${fmt(b.affine[r])} differs from ${an} ${a.source} row ${r} ${fmt(a.affine[r])} — rule: a ${bn} has its ${an}'s affine (orientation and origin, within ${tol.toPrecision(3)} mm)`);
    }
  }
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

/** Pairs an image with its label Volume into a Sample, checking geometry (`checkGeometry`), channels and values. */
export function makeSample(image: Volume, label: Volume, name: string, options: DatasetOptions): Sample {
  checkImage(image, options);
  checkGeometry(image, label);
  return { image, label: mapLabel(label, options), name };
}

/** The image/label pairs of a dataset folder, by case name (sorted), without reading them; refuses what loadDataset does. */
export async function datasetPairs(dir: string, src: FileSource, labelsDir = 'labels'): Promise<{ name: string; image: string; label: string }[]> {
  const join = (a: string, b: string) => `${a.replace(/\/+$/, '')}/${b}`;
  const index = async (sub: string) => {
    const m = new Map<string, string>();
    const names = await src.list(join(dir, sub)).catch((e: Error) => {
      if (e.message.startsWith(`${join(dir, sub)}/`)) throw e; // a named problem with one entry (a link loop, …)
      throw new Error(`${join(dir, sub)}: cannot list it (${e.message.split(':')[0]}); rule: a dataset is a folder with images/ and labels/ holding files of matching names`);
    });
    for (const f of names) {
      const key = stripExtension(f);
      if (m.has(key)) throw new Error(`${join(join(dir, sub), f)}: name '${key}' also used by ${m.get(key)} — rule: one file per case name (extension aside)`);
      m.set(key, join(join(dir, sub), f));
    }
    return m;
  };
  const images = await index('images'), labels = await index(labelsDir);
  for (const [k, p] of images) if (!labels.has(k)) throw new Error(`${p}: image '${k}' has no label in ${join(dir, labelsDir)}; rule: every image has a label of the same name`);
  for (const [k, p] of labels) if (!images.has(k)) throw new Error(`${p}: label '${k}' has no image in ${join(dir, 'images')}; rule: every label has an image of the same name`);
  if (images.size === 0) throw new Error(`${dir}: no images in ${join(dir, 'images')}; rule: a dataset is not empty`);
  return [...images].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([name, image]) => ({ name, image, label: labels.get(name)! }));
}

/** Reads and validates `dir/images/*` + `dir/labels/*` paired by name; throws on the first problem found. */
export async function loadDataset(dir: string, options: DatasetOptions, files?: FileSource): Promise<Sample[]> {
  const src = files ?? (await nodeFileSource());
  if (!(Number.isInteger(options.classes) && options.classes >= 1)) throw new Error(`${dir}: classes = ${options.classes}; rule: classes is an integer ≥ 1`);
  const pairs = await datasetPairs(dir, src);
  const samples: Sample[] = [];
  for (const { name, image: ipath, label: lpath } of pairs) {
    const image = readVolume(await src.read(ipath), ipath, options.limits);
    const label = readVolume(await src.read(lpath), lpath, options.limits);
    samples.push(makeSample(image, label, name, { ...options, channels: options.channels ?? samples[0]?.image.channels }));
  }
  return samples;
}
