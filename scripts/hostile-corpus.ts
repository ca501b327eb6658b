/**
 * The hostile-input corpus: malformed files and arguments a hostile but honest user throws at `unet train`, `predict`
 * and `evaluate`, each with what must happen. Generated from code (seeded, no downloads, < 1 MB on disk) so that the
 * corpus is small in the repository and every case says how it was made.
 *
 *   node --import tsx scripts/hostile-corpus.ts OUT   writes the corpus's files to OUT and OUT/manifest.json
 *
 * The test `cli/hostile.test.ts` builds it in a temporary folder, trains the two tiny models the `predict` cases need,
 * and runs every case through the CLI in its own process with a time limit and a resident-memory guard.
 *
 * A case expects either
 *  - an error: exit status 1, one line `unet: error: …` naming the file (or the flag) and the offending value, no
 *    stack trace, and nothing left behind (no run folder, no output folder, no temporary file, inputs unchanged); or
 *  - a result: exit 0 and a check of what was written (e.g. a 1-bit PNG read as 0/1, not as packed bytes).
 */
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync, zlibSync } from 'fflate';
import { constants, createDeflateRaw } from 'node:zlib';
import { crc32, encodePng } from '../src/io/png.js';
import { concatBytes, packedPng } from '../src/io/png-testing.js';
import { encodeNifti } from '../src/io/nifti-write.js';
import { writeSafetensors } from '../src/io/safetensors.js';

/** Placeholders in `args`: {corpus} = the corpus folder, {run2d} / {run3d} = the tiny trained run folders, {out} = a fresh output path. */
export interface HostileCase {
  name: string;
  /** What is wrong, in words. */
  what: string;
  args: string[];
  /** An error: every string must appear in the message (case-insensitive). */
  error?: string[];
  /** A result: exit 0; `check` names a check the test applies to {out}. */
  ok?: 'mask-binary' | 'mask-16cube' | 'evaluate-json' | 'train-ok';
  /** Slow cases (training): larger time limit. */
  seconds?: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Minimal hand-written encoders for what the library's writers (rightly) never produce.

const concat = (parts: Uint8Array[]) => concatBytes(...parts);

/** A PNG of colour type 0 (gray) or 3 (palette) with 1, 2, 4 or 8-bit samples, `values` row-major (width × height). */
export const lowBitPng = (width: number, height: number, depth: 1 | 2 | 4 | 8, values: ArrayLike<number>, palette?: [number, number, number][]): Uint8Array =>
  packedPng(Array.from(values), width, height, depth, { palette });

/** A PNG whose header declares width × height 8-bit gray but whose image data is 64 rows (a decompression bomb). */
const pngBomb = (width: number, height: number): Uint8Array =>
  packedPng([], width, height, 8, { idat: zlibSync(new Uint8Array(64 * (1 + width)), { level: 9 }) });

/** A baseline TIFF: `pages` pages of 8-bit gray, uncompressed, each with its own size. */
function tiff(pages: { width: number; height: number; fill: number }[]): Uint8Array {
  const entries = 8;
  const ifdSize = 2 + entries * 12 + 4;
  let offset = 8;
  const layout = pages.map((p) => {
    const ifd = offset;
    const data = ifd + ifdSize;
    offset = data + p.width * p.height;
    offset += offset & 1;
    return { ...p, ifd, data };
  });
  const out = new Uint8Array(offset);
  const v = new DataView(out.buffer);
  out.set([0x49, 0x49, 42, 0]);
  v.setUint32(4, layout[0].ifd, true);
  layout.forEach((p, i) => {
    let o = p.ifd;
    v.setUint16(o, entries, true);
    o += 2;
    const tag = (id: number, type: number, value: number) => {
      v.setUint16(o, id, true);
      v.setUint16(o + 2, type, true);
      v.setUint32(o + 4, 1, true);
      if (type === 3) v.setUint16(o + 8, value, true);
      else v.setUint32(o + 8, value, true);
      o += 12;
    };
    tag(256, 4, p.width);
    tag(257, 4, p.height);
    tag(258, 3, 8);
    tag(259, 3, 1);
    tag(262, 3, 1);
    tag(273, 4, p.data);
    tag(278, 4, p.height);
    tag(279, 4, p.width * p.height);
    v.setUint32(o, i + 1 < layout.length ? layout[i + 1].ifd : 0, true);
    out.fill(p.fill, p.data, p.data + p.width * p.height);
  });
  return out;
}

/** A valid NIfTI-1 volume (uint8), then `edit` may corrupt its header (DataView over the first 348 bytes, little-endian). */
function nifti(shape: [number, number, number], fill: (i: number) => number, edit?: (h: DataView) => void): Uint8Array {
  const n = shape[0] * shape[1] * shape[2];
  const bytes = encodeNifti({ data: Array.from({ length: n }, (_, i) => fill(i)), shape }, { datatype: 'uint8', like: { spacing: [1, 1, 1], source: 'corpus' } });
  if (edit) edit(new DataView(bytes.buffer, bytes.byteOffset, 348));
  return bytes;
}

/** zlib's crc32_combine: the CRC of A‖B from crc(A), crc(B) and len(B) (GF(2) matrix powers; len may exceed 2³²). */
function crc32Combine(crc1: number, crc2: number, len2: number): number {
  const times = (mat: Uint32Array, vec: number) => {
    let sum = 0;
    for (let i = 0; vec; i++, vec >>>= 1) if (vec & 1) sum ^= mat[i];
    return sum >>> 0;
  };
  const square = (sq: Uint32Array, mat: Uint32Array) => { for (let n = 0; n < 32; n++) sq[n] = times(mat, mat[n]); };
  const even = new Uint32Array(32), odd = new Uint32Array(32);
  odd[0] = 0xedb88320;
  for (let n = 1, row = 1; n < 32; n++, row <<= 1) odd[n] = row >>> 0;
  square(even, odd);
  square(odd, even);
  let crc = crc1;
  while (len2 > 0) {
    square(even, odd);
    if (len2 % 2) crc = times(even, crc);
    len2 = Math.floor(len2 / 2);
    if (!len2) break;
    square(odd, even);
    if (len2 % 2) crc = times(odd, crc);
    len2 = Math.floor(len2 / 2);
  }
  return (crc ^ crc2) >>> 0;
}

/**
 * A gzip file (a decompression bomb) of `head` followed by `zeros` zero bytes, built in milliseconds: deflate output
 * after a sync flush is byte-aligned, and once the window is all zeros every further 16 MiB of zeros compresses to the
 * same bytes, so the stream is head's block, that block repeated, and an empty final block — ~1 KB per MiB.
 */
export async function gzipZeros(head: Uint8Array, zeros: number): Promise<Uint8Array> {
  const CH = 16 << 20;
  if (zeros % CH !== 0 || zeros < 2 * CH) throw new Error('gzipZeros: a multiple of 16 MiB, at least 32 MiB');
  const zero = new Uint8Array(CH);
  const first = new Uint8Array(head.length + CH);
  first.set(head);
  const d = createDeflateRaw({ level: 9 });
  /** Writes `buf` and sync-flushes: the bytes deflate produced for it, ending on a byte boundary. */
  const piece = (buf: Uint8Array) => new Promise<Uint8Array>((resolve) => {
    const parts: Buffer[] = [];
    const on = (c: Buffer) => parts.push(c);
    d.on('data', on);
    d.write(buf);
    d.flush(constants.Z_SYNC_FLUSH, () => { d.off('data', on); resolve(new Uint8Array(Buffer.concat(parts))); });
  });
  const a = await piece(first);
  const b = await piece(zero);
  const c = await piece(zero);
  d.destroy();
  if (!Buffer.from(b).equals(Buffer.from(c))) throw new Error('gzipZeros: deflate did not repeat (zlib version?)');
  const reps = zeros / CH - 1;
  const total = head.length + zeros;
  const crc = crc32Combine(crc32(head), zeroCrc(zeros), zeros);
  const trailer = new Uint8Array(8);
  const tv = new DataView(trailer.buffer);
  tv.setUint32(0, crc, true);
  tv.setUint32(4, total % 2 ** 32, true);
  return concat([new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 255]), a, ...Array.from({ length: reps }, () => b), new Uint8Array([3, 0]), trailer]);
}

/** CRC-32 of n zero bytes, by doubling with crc32Combine. */
function zeroCrc(n: number): number {
  let result = 0, have = 0; // CRC of the empty string is 0
  let block = crc32(new Uint8Array(1)), size = 1;
  while (n > 0) {
    if (n % 2) { result = have === 0 ? block : crc32Combine(result, block, size); have += size; }
    block = crc32Combine(block, block, size);
    size *= 2;
    n = Math.floor(n / 2);
  }
  return result;
}

/** A .nii.gz whose header declares `dims` (uint8) and whose gzip stream inflates to the header and `zeros` zero bytes. */
function niftiGzipBomb(dims: [number, number, number], zeros: number): Promise<Uint8Array> {
  const header = nifti([1, 1, 1], () => 0, (h) => {
    h.setInt16(42, dims[2], true);
    h.setInt16(44, dims[1], true);
    h.setInt16(46, dims[0], true);
  }).subarray(0, 352);
  return gzipZeros(header, zeros);
}

// ---------------------------------------------------------------------------------------------------------------

/** A 64×64 pattern (a disc) for the valid files the corrupt ones sit beside. */
const disc = (w: number, h: number, fg = 255) => Array.from({ length: w * h }, (_, i) => ((i % w) - w / 2) ** 2 + (Math.floor(i / w) - h / 2) ** 2 < (w / 4) ** 2 ? fg : 0);

/** Writes the corpus's files under `dir` and returns its cases. */
export async function buildCorpus(dir: string, repoRoot: string): Promise<HostileCase[]> {
  const put = (rel: string, bytes: Uint8Array | string) => {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, bytes);
    return p;
  };
  const cases: HostileCase[] = [];
  const img2d = encodePng(disc(64, 64, 200), 64, 64, 1);
  const lab2d = encodePng(disc(64, 64), 64, 64, 1);

  // --- images given to `predict` (2-D model): each file alone in its folder -------------------------------------
  const predictFile = (name: string, file: string, bytes: Uint8Array, what: string, error: string[] | undefined, ok?: HostileCase['ok']) => {
    put(`predict/${name}/${file}`, bytes);
    cases.push({ name: `predict-${name}`, what, args: ['predict', '--model', '{run2d}', '--input', `{corpus}/predict/${name}`, '--out', '{out}', '--quiet'], error, ok });
  };
  const good = readRepo(repoRoot, 'data/isbi2012/test/images/7.png');
  for (const cut of [0, 7, 8, 16, 33, 60, 200, Math.floor(good.length / 2), good.length - 12, good.length - 1]) {
    predictFile(`png-cut-${cut}`, 'slice.png', good.subarray(0, cut), `a PNG cut after ${cut} of ${good.length} bytes`, ['slice.png']);
  }
  predictFile('png-bad-crc', 'slice.png', (() => { const b = good.slice(); b[30] ^= 0xff; return b; })(), 'a PNG with a corrupted IHDR (CRC mismatch)', ['slice.png']);
  predictFile('png-is-text', 'slice.png', new TextEncoder().encode('not an image\n'), 'a text file named .png', ['slice.png']);
  predictFile('png-is-tiff', 'slice.png', tiff([{ width: 8, height: 8, fill: 3 }]), 'a TIFF named .png', ['slice.png']);
  predictFile('png-bomb', 'bomb.png', pngBomb(30000, 30000), 'a 0.1 MB PNG declaring 30000×30000 pixels', ['bomb.png', '30000']);
  predictFile('tif-zero', 'slice.tif', new Uint8Array(0), 'a zero-byte TIFF', ['slice.tif']);
  predictFile('tif-cut', 'slice.tif', tiff([{ width: 64, height: 64, fill: 9 }]).subarray(0, 200), 'a TIFF cut inside its pixel data', ['slice.tif']);
  predictFile('tif-pages-differ', 'stack.tif', tiff([{ width: 64, height: 64, fill: 1 }, { width: 32, height: 64, fill: 2 }]), 'a two-page TIFF whose pages differ in size', ['stack.tif', 'page']);
  predictFile('gif-garbage', 'x.gif', new TextEncoder().encode('GIF89a garbage'), 'a GIF header and nothing else', ['x.gif']);
  predictFile('unknown-ext', 'x.jpg', img2d, 'an extension no reader handles', ['x.jpg', 'extension']);
  // Valid files that were once read wrongly: must give a mask of the image's size.
  predictFile('png-1bit', 'one.png', lowBitPng(64, 64, 1, disc(64, 64, 1)), 'a valid 1-bit gray PNG', undefined, 'mask-binary');
  predictFile('png-2bit', 'two.png', lowBitPng(64, 64, 2, disc(64, 64, 3)), 'a valid 2-bit gray PNG', undefined, 'mask-binary');
  predictFile('png-4bit-palette', 'pal.png', lowBitPng(64, 64, 4, disc(64, 64, 5), Array.from({ length: 16 }, (_, k) => [k * 16, k * 16, k * 16] as [number, number, number])), 'a valid 4-bit palette PNG', undefined, 'mask-binary');

  // --- volumes given to `predict` (3-D model) ---------------------------------------------------------------------
  const predictVol = (name: string, bytes: Uint8Array, what: string, error: string[]) => {
    put(`predict3d/${name}/vol.nii.gz`, bytes);
    cases.push({ name: `predict3d-${name}`, what, args: ['predict', '--model', '{run3d}', '--input', `{corpus}/predict3d/${name}`, '--out', '{out}', '--quiet'], error });
  };
  const vol = () => nifti([16, 16, 16], (i) => (i * 7) % 251);
  predictVol('gzip-bomb', await niftiGzipBomb([1600, 1600, 1600], 1 << 30), 'a 1 MB .nii.gz declaring 1600³ voxels (4.1 GB) and inflating to 1 GiB', ['vol.nii.gz', '1600']);
  put('predict3d/gzip-tail-bomb/vol.nii.gz', await niftiGzipBomb([16, 16, 16], 5 * 2 ** 30));
  cases.push({ name: 'predict3d-gzip-tail-bomb', what: 'a 5 MB .nii.gz declaring 16³ voxels whose gzip stream goes on to 5 GiB (more than 2³² bytes): read what the header needs, stop', args: ['predict', '--model', '{run3d}', '--input', '{corpus}/predict3d/gzip-tail-bomb', '--out', '{out}', '--quiet'], ok: 'mask-16cube' });
  predictVol('gzip-cut', gzipSync(vol()).subarray(0, 300), 'a .nii.gz cut inside its gzip stream', ['vol.nii.gz']);
  predictVol('bad-magic', gzipSync(nifti([16, 16, 16], () => 1, (h) => h.setUint8(344, 0x78))), 'NIfTI magic "x+1"', ['vol.nii.gz']);
  predictVol('negative-dim', gzipSync(nifti([16, 16, 16], () => 1, (h) => h.setInt16(44, -16, true))), 'dim[2] = −16', ['vol.nii.gz', '-16']);
  predictVol('zero-dim', gzipSync(nifti([16, 16, 16], () => 1, (h) => h.setInt16(42, 0, true))), 'dim[1] = 0', ['vol.nii.gz', 'dim']);
  predictVol('dim0-9', gzipSync(nifti([16, 16, 16], () => 1, (h) => h.setInt16(40, 9, true))), 'dim[0] = 9', ['vol.nii.gz', '9']);
  predictVol('vox-offset-0', gzipSync(nifti([16, 16, 16], () => 1, (h) => h.setFloat32(108, 0, true))), 'vox_offset 0 (the voxels would start inside the header)', ['vol.nii.gz', 'vox_offset']);
  predictVol('vox-offset-past-end', gzipSync(nifti([16, 16, 16], () => 1, (h) => h.setFloat32(108, 1e6, true))), 'vox_offset past the end of the file', ['vol.nii.gz', 'vox_offset']);
  predictVol('datatype-rgb', gzipSync(nifti([16, 16, 16], () => 1, (h) => h.setInt16(70, 128, true))), 'datatype 128 (RGB24), unsupported', ['vol.nii.gz', '128']);
  predictVol('huge-header', gzipSync(nifti([16, 16, 16], () => 1, (h) => { h.setInt16(42, 30000, true); h.setInt16(44, 30000, true); h.setInt16(46, 30000, true); })), 'a header claiming 30000³ voxels', ['vol.nii.gz', '30000']);
  predictVol('truncated', gzipSync(vol().subarray(0, 352 + 1000)), 'voxels missing (1000 of 4096 bytes)', ['vol.nii.gz']);
  predictVol('huge-pixdim', gzipSync(nifti([16, 16, 16], () => 1, (h) => h.setFloat32(80, 1e6, true))), 'pixdim[1] = 1e6 mm (resampling to the training spacing would need 10^12 voxels)', ['vol.nii.gz']);
  predictVol('nan-pixdim', gzipSync(nifti([16, 16, 16], () => 1, (h) => h.setFloat32(80, NaN, true))), 'pixdim[1] = NaN', ['vol.nii.gz']);

  // --- training data ------------------------------------------------------------------------------------------------
  const trainSet = (name: string, files: Record<string, Uint8Array | { link: string }>, what: string, error: string[] | undefined, extra: string[] = []) => {
    for (const [rel, bytes] of Object.entries(files)) {
      const p = join(dir, 'train', name, rel);
      mkdirSync(dirname(p), { recursive: true });
      if (bytes instanceof Uint8Array) writeFileSync(p, bytes);
      else symlinkSync(bytes.link, p);
    }
    cases.push({
      name: `train-${name}`, what, error, ok: error ? undefined : 'train-ok', seconds: error ? undefined : 120,
      args: ['train', '--data', `{corpus}/train/${name}`, '--out', '{out}', '--base', '2', '--patch', '32x32', '--batch', '1', '--iterations', '2', '--val-fraction', '0', '--label-map', '0:0,255:1', '--quiet', ...extra],
    });
  };
  const pair = (k: string, img = img2d, lab = lab2d) => ({ [`images/${k}.png`]: img, [`labels/${k}.png`]: lab });
  trainSet('duplicate-case', { ...pair('a'), ...pair('b'), 'images/a.tif': tiff([{ width: 64, height: 64, fill: 5 }]) }, 'two images named a (a.png and a.tif)', ['a.png', 'a.tif']);
  trainSet('label-size-differs', { ...pair('a'), ...pair('b', img2d, encodePng(disc(32, 64), 32, 64, 1)) }, 'label 64×32 for an image 64×64', ['b.png', '64']);
  trainSet('label-unmapped-value', { ...pair('a'), ...pair('b', img2d, encodePng(disc(64, 64, 7), 64, 64, 1)) }, 'label value 7 not in --label-map 0:0,255:1', ['b.png', '7']);
  trainSet('no-labels', { 'images/a.png': img2d }, 'images without any labels', ['a']);
  trainSet('corrupt-label', { ...pair('a'), 'images/b.png': img2d, 'labels/b.png': lab2d.subarray(0, 40) }, 'a truncated label PNG', ['b.png']);
  // Symlinked pairs are followed (a dataset assembled from links must train).
  const real = put('train-targets/a.png', img2d);
  const realLab = put('train-targets/a-label.png', lab2d);
  trainSet('symlinked', { 'images/a.png': { link: real }, 'labels/a.png': { link: realLab }, ...pair('b') }, 'images and labels that are symbolic links', undefined);
  trainSet('symlink-loop', { ...pair('a'), 'images/b.png': { link: 'c.png' }, 'images/c.png': { link: 'b.png' }, 'labels/b.png': lab2d }, 'a symbolic-link loop', ['b.png']);

  // --- arguments ------------------------------------------------------------------------------------------------
  const isbi = join(repoRoot, 'data/isbi2012/train');
  const trainArgs = (extra: string[]) => ['train', '--data', isbi, '--out', '{out}', '--base', '2', '--patch', '32x32', '--batch', '1', '--iterations', '2', '--val-fraction', '0', '--label-map', '0:0,255:1', '--quiet', ...extra];
  const badTrain = (name: string, extra: string[], error: string[], what: string) => cases.push({ name: `args-${name}`, what, args: trainArgs(extra), error });
  badTrain('seed-abc', ['--seed', 'abc'], ['--seed', 'abc'], '--seed abc');
  badTrain('val-fraction-abc', ['--val-fraction', 'abc'], ['--val-fraction', 'abc'], '--val-fraction abc (once silently disabled validation)');
  badTrain('val-fraction-1.5', ['--val-fraction', '1.5'], ['--val-fraction', '1.5'], '--val-fraction 1.5');
  badTrain('ignore-abc', ['--ignore', 'abc'], ['--ignore', 'abc'], '--ignore abc');
  badTrain('elastic-negative', ['--elastic', '-1'], ['--elastic', '-1'], '--elastic −1');
  badTrain('schedule-typo', ['--schedule', 'polyy'], ['polyy', 'poly'], '--schedule polyy (names the nearest: poly)');
  badTrain('label-map-duplicate', ['--label-map', '0:0,255:1,255:0'], ['255'], 'a label map with the key 255 twice');
  badTrain('batch-huge', ['--batch', '100000'], ['memory'], '--batch 100000: cannot fit in memory');
  badTrain('patch-huge', ['--patch', '16384x16384', '--batch', '4', '--base', '16'], ['memory'], 'a 16384² patch at base 16: cannot fit in memory');
  badTrain('resume-no-checkpoint', ['--resume'], ['checkpoint'], '--resume into a folder with no checkpoint');
  badTrain('arch-typo', ['--arch', 'unte'], ['unte', 'unet'], '--arch unte (names the nearest)');
  const badPredict = (name: string, extra: string[], error: string[], what: string) => cases.push({ name: `args-${name}`, what, args: ['predict', '--model', '{run2d}', '--input', join(repoRoot, 'data/isbi2012/test/images'), '--out', '{out}', '--quiet', ...extra], error });
  badPredict('overlap-0.99', ['--overlap', '0.99'], ['--overlap', '0.99'], '--overlap 0.99 (≈ 10^4 windows per image)');
  badPredict('window-huge', ['--window', '65536x65536'], ['65536'], 'a 65536² window');
  badPredict('model-missing', ['--model', '{corpus}/no-such-run'], ['no-such-run'], 'a run folder that does not exist');
  const evalArgs = (pred: string, truth: string, extra: string[] = []) => ['evaluate', '--pred', pred, '--truth', truth, '--json', ...extra];
  put('evaluate/pred/a.png', lab2d);
  put('evaluate/truth/a.png', lab2d);
  put('evaluate/truth-bad/a.png', encodePng(disc(64, 64, 3), 64, 64, 1));
  put('evaluate/dup/a.png', lab2d);
  put('evaluate/dup/a.tif', tiff([{ width: 64, height: 64, fill: 0 }]));
  cases.push({ name: 'evaluate-classes-empty', what: "evaluate --classes ''", args: evalArgs('{corpus}/evaluate/pred', '{corpus}/evaluate/truth', ['--classes', '']), error: ['--classes'] });
  cases.push({ name: 'evaluate-duplicate-case', what: 'a prediction folder with a.png and a.tif', args: evalArgs('{corpus}/evaluate/dup', '{corpus}/evaluate/truth'), error: ['a.png', 'a.tif'] });
  cases.push({ name: 'evaluate-label-outside', what: 'truth value 3 in files declared to hold --labels 0,255', args: evalArgs('{corpus}/evaluate/pred', '{corpus}/evaluate/truth-bad', ['--labels', '0,255']), error: ['a.png', '3', '--labels'] });
  cases.push({ name: 'evaluate-class-not-label', what: '--classes 1 with --labels 0,255', args: evalArgs('{corpus}/evaluate/pred', '{corpus}/evaluate/truth', ['--labels', '0,255', '--classes', '1']), error: ['--classes', '1'] });
  cases.push({ name: 'evaluate-ok', what: 'a prediction equal to its truth', args: evalArgs('{corpus}/evaluate/pred', '{corpus}/evaluate/truth'), ok: 'evaluate-json' });
  return cases;
}

const readRepo = (root: string, rel: string) => new Uint8Array(readFileSync(join(root, rel)));

/**
 * Corrupted copies of a trained 2-D run folder under `dir/runs/` (made once the test has trained `run2d`), and the
 * `predict` cases that use them.
 */
export function corruptRuns(dir: string, run2d: string, repoRoot: string): HostileCase[] {
  const cases: HostileCase[] = [];
  const images = join(repoRoot, 'data/isbi2012/test/images');
  const make = (name: string, what: string, error: string[], edit: (run: string) => void) => {
    const run = join(dir, 'runs', name);
    cpSync(run2d, run, { recursive: true });
    edit(run);
    cases.push({ name: `run-${name}`, what, args: ['predict', '--model', run, '--input', images, '--out', '{out}', '--quiet'], error });
  };
  const weights = (run: string) => join(run, 'model.safetensors');
  /** The safetensors header (JSON) and data of the run's weights, to edit and write back. */
  const editWeights = (run: string, f: (header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>, data: Uint8Array) => void) => {
    const buf = readFileSync(weights(run));
    const n = Number(buf.readBigUInt64LE(0));
    const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
    const data = new Uint8Array(buf.subarray(8 + n));
    f(header, data);
    const head = Buffer.from(JSON.stringify(header));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(head.length));
    writeFileSync(weights(run), Buffer.concat([len, head, data]));
  };
  const firstTensor = (h: Record<string, unknown>) => Object.keys(h).filter((k) => k !== '__metadata__').sort()[0];
  make('nan-weights', 'a weight that is NaN', ['model.safetensors', 'NaN'], (run) => editWeights(run, (h, d) => {
    const t = h[firstTensor(h)];
    new DataView(d.buffer, d.byteOffset).setFloat32(t.data_offsets[0], NaN, true);
  }));
  make('inf-weights', 'a weight that is +Inf', ['model.safetensors', 'inf'], (run) => editWeights(run, (h, d) => {
    const t = h[firstTensor(h)];
    new DataView(d.buffer, d.byteOffset).setFloat32(t.data_offsets[0], Infinity, true);
  }));
  make('overlapping-offsets', 'two tensors sharing bytes (overlapping data_offsets)', ['model.safetensors', 'overlap'], (run) => editWeights(run, (h) => {
    const names = Object.keys(h).filter((k) => k !== '__metadata__').sort((a, b) => h[a].data_offsets[0] - h[b].data_offsets[0]);
    const [a, b] = names.filter((k, i) => i + 1 < names.length && h[k].data_offsets[1] - h[k].data_offsets[0] === h[names[i + 1]].data_offsets[1] - h[names[i + 1]].data_offsets[0]);
    h[b ?? names[1]].data_offsets = [...h[a ?? names[0]].data_offsets];
  }));
  make('negative-offset', 'a tensor at data offset −100', ['model.safetensors', '-100'], (run) => editWeights(run, (h) => {
    const t = h[firstTensor(h)];
    t.data_offsets = [-100, t.data_offsets[1] - t.data_offsets[0] - 100];
  }));
  make('truncated-weights', 'model.safetensors cut in half', ['model.safetensors'], (run) => {
    const b = readFileSync(weights(run));
    writeFileSync(weights(run), b.subarray(0, b.length >> 1));
  });
  make('no-config', 'a run folder without config.json (its normalisation and label map)', ['config.json'], (run) => rmSync(join(run, 'config.json')));
  make('config-not-json', 'config.json that is not JSON', ['config.json'], (run) => writeFileSync(join(run, 'config.json'), '{"normalize": "zscore", oops}'));
  make('no-model-json', 'model.json missing', ['model.json'], (run) => rmSync(join(run, 'model.json')));
  // Outputs that would destroy inputs.
  const io = join(dir, 'predict-io', 'images');
  mkdirSync(io, { recursive: true });
  writeFileSync(join(io, '7.png'), readFileSync(join(images, '7.png')));
  const predictIo = (name: string, out: string, what: string) => cases.push({ name: `out-${name}`, what, args: ['predict', '--model', run2d, '--input', io, '--out', out, '--quiet'], error: ['--out'] });
  predictIo('equals-input', io, '--out equal to --input');
  predictIo('inside-input', join(io, 'masks'), '--out inside the --input folder');
  predictIo('contains-input', join(dir, 'predict-io'), '--out containing the --input folder');
  return cases;
}

/** `node --import tsx scripts/hostile-corpus.ts OUT`: writes the corpus and its manifest. */
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!) && process.argv[2]) {
  const root = join(dirname(new URL(import.meta.url).pathname), '..');
  const out = process.argv[2];
  const cases = await buildCorpus(out, root);
  writeFileSync(join(out, 'manifest.json'), JSON.stringify(cases, null, 1) + '\n');
  console.log(`${cases.length} cases in ${out} (the run-folder cases need a trained run: see cli/hostile.test.ts)`);
}
