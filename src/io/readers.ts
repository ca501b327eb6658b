/**
 * Image and volume readers, chosen by file extension (a `Registry`): PNG, GIF, TIFF (8/16/32-bit integer or float,
 * one or more samples per pixel) and NIfTI-1 (.nii, .nii.gz). Every reader takes the file's bytes and its name and
 * returns a `Volume`; nothing here touches the file system, so it runs in browsers too.
 *
 * Read correctly or refuse: every reader checks the size its header declares against `ReadLimits.maxVoxels` (default
 * 2^28 values) before it decodes or allocates, and errors read `${file}: ${what was found} — ${rule}`.
 * - PNG: 1/2/4/8/16-bit gray (values 0…2^depth − 1), palette (expanded to its colours), gray+alpha, RGB(A); see png.ts.
 * - TIFF: every page; pages of one size and sample type are read as a volume [D = pages, H, W] (a single page gives
 *   [H, W]); pages that differ are refused. Reduced-resolution pages (NewSubfileType bit 0, thumbnails) are skipped.
 *   The IFD chain is walked and checked (offsets inside the file, no loops) before the decoder sees it.
 * - NIfTI-1: `dim` (dim[0] 1…5, every used dim ≥ 1), datatype, `vox_offset` (≥ 352, whole, inside the file) and the
 *   byte count are validated; .nii.gz is inflated as a stream (fflate): the header first, then only the bytes the
 *   header says are needed (vox_offset + voxels × bytes), converting them as they come — a gzip bomb stops there, a
 *   short stream is refused as truncated, and the gzip size field (mod 2^32) is never trusted. Multi-member gzip is read.
 *
 * NIfTI axis convention (images and labels alike): NIfTI stores voxel (i, j, k) = (x, y, z) with x fastest. We keep the
 * bytes in that order and call the axes [D, H, W] = [z, y, x] (row-major, W fastest), so no transposition is needed;
 * `spacing` is [pixdim3, pixdim2, pixdim1] in the same order. `affine` is NIfTI's own 4×4 (sform if sform_code > 0,
 * else qform), mapping the column vector (x, y, z, 1) = (w, h, d, 1) — note the reversed order — to world mm.
 * A 4th NIfTI dimension (t or channels, dim[4] > 1) becomes the channel axis (moved last). 2-D NIfTI gives D = 1.
 */
import { GifReader } from 'omggif';
import UTIF from 'utif';
import * as nifti from 'nifti-reader-js';
import { Gunzip } from 'fflate';
import { Registry } from '../core/registry.js';
import type { Volume } from './volume.js';
import { decodePng } from './png.js';
import { checkSize, type ReadLimits } from './limits.js';

export { DEFAULT_MAX_VOXELS, type ReadLimits } from './limits.js';

/** A reader: bytes of a file (named `source` in errors) → Volume, refusing anything over `limits` before allocating. */
export type VolumeReader = (bytes: Uint8Array, source: string, limits?: ReadLimits) => Volume;

function fail(source: string, problem: string): never {
  throw new Error(`${source}: ${problem}`);
}

/** PNG (gray 1…16 bit, gray+alpha, RGB, RGBA, palette expanded to colours). */
export function readPng(bytes: Uint8Array, source: string, limits?: ReadLimits): Volume {
  const img = decodePng(bytes, source, limits);
  const v: Volume = { data: img.data, shape: [img.height, img.width], channels: img.channels, spacing: [1, 1], source };
  return img.channels === 2 || img.channels === 4 ? dropOpaqueAlpha(v, 2 ** img.bitDepth - 1) : v;
}

/** Gray+alpha / RGBA whose alpha is everywhere fully opaque carries no information: the colour channels alone. */
function dropOpaqueAlpha(v: Volume, opaque: number): Volume {
  const c = v.channels, n = v.data.length / c;
  for (let i = 0; i < n; i++) if (v.data[i * c + c - 1] !== opaque) return v;
  const data = new Float32Array(n * (c - 1));
  for (let i = 0; i < n; i++) for (let k = 0; k < c - 1; k++) data[i * (c - 1) + k] = v.data[i * c + k];
  return { ...v, data, channels: c - 1 };
}

/**
 * GIF (first frame): decoded through the palette to RGBA; when every pixel has R = G = B and full opacity the result is
 * one gray channel, else four channels. Note ImageJ's blobs.gif has an inverting palette: gray = 255 − index.
 * The size check counts the 4 RGBA values per pixel it decodes to.
 */
export function readGif(bytes: Uint8Array, source: string, limits?: ReadLimits): Volume {
  let reader: GifReader;
  try {
    reader = new GifReader(bytes);
  } catch (e) {
    return fail(source, `not a readable GIF (${(e as Error).message})`);
  }
  checkSize(source, [reader.width, reader.height], 4, limits, 'image (width×height, decoded as RGBA)');
  const rgba = (() => {
    try {
      const px = new Uint8Array(reader.width * reader.height * 4);
      reader.decodeAndBlitFrameRGBA(0, px);
      return px;
    } catch (e) {
      return fail(source, `not a readable GIF (${(e as Error).message})`);
    }
  })();
  const { width, height } = reader;
  const n = width * height;
  let gray = true;
  for (let i = 0; i < n && gray; i++) {
    const r = rgba[4 * i];
    gray = rgba[4 * i + 1] === r && rgba[4 * i + 2] === r && rgba[4 * i + 3] === 255;
  }
  const data = gray ? Float32Array.from({ length: n }, (_, i) => rgba[4 * i]) : Float32Array.from(rgba);
  return { data, shape: [height, width], channels: gray ? 1 : 4, spacing: [1, 1], source };
}

/** One TIFF page (IFD) as its tags declare it. */
interface TiffPage { index: number; width: number; height: number; spp: number; bits: number; format: number; reduced: boolean }

const TIFF_TYPE_BYTES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4 };

/**
 * Walks the IFD chain of a classic TIFF without decoding: every IFD and every tag's values must lie inside the file and
 * the chain must not loop (the decoder, UTIF, would loop forever or read past the end). Returns each page's geometry.
 */
function tiffPages(bytes: Uint8Array, source: string): TiffPage[] {
  if (bytes.length < 8) fail(source, `not a readable TIFF (${bytes.length} bytes) — rule: a TIFF starts with an 8-byte header`);
  const order = String.fromCharCode(bytes[0], bytes[1]);
  if (order !== 'II' && order !== 'MM') fail(source, `not a readable TIFF (byte order '${order}') — rule: a TIFF starts with II or MM`);
  const le = order === 'II';
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = v.getUint16(2, le);
  if (version === 43) fail(source, 'a BigTIFF — rule: classic TIFF only (version 42); save it as a classic TIFF');
  if (version !== 42) fail(source, `not a readable TIFF (version ${version}) — rule: version 42`);
  const pages: TiffPage[] = [];
  const seen = new Set<number>();
  for (let off = v.getUint32(4, le); off !== 0;) {
    if (seen.has(off)) fail(source, `the IFD chain loops back to offset ${off} after ${pages.length} pages — rule: each page (IFD) appears once`);
    seen.add(off);
    if (off + 2 > bytes.length) fail(source, `IFD ${pages.length} at offset ${off} lies past the file's ${bytes.length} bytes — rule: IFDs lie inside the file (truncated?)`);
    const count = v.getUint16(off, le);
    const end = off + 2 + 12 * count;
    if (end + 4 > bytes.length) fail(source, `IFD ${pages.length} at offset ${off} has ${count} entries, ending past the file's ${bytes.length} bytes — rule: IFDs lie inside the file (truncated?)`);
    const tags = new Map<number, number>();
    for (let e = off + 2; e < end; e += 12) {
      const tag = v.getUint16(e, le), type = v.getUint16(e + 2, le), num = v.getUint32(e + 4, le);
      const size = (TIFF_TYPE_BYTES[type] ?? 0) * num;
      const at = size <= 4 ? e + 8 : v.getUint32(e + 8, le);
      if (size > 4 && at + size > bytes.length) {
        fail(source, `page ${pages.length}: tag ${tag} declares ${num} values (${size} bytes at offset ${at}), past the file's ${bytes.length} bytes — rule: tag values lie inside the file`);
      }
      if (num >= 1 && (type === 3 || type === 4)) tags.set(tag, type === 3 ? v.getUint16(at, le) : v.getUint32(at, le));
    }
    pages.push({
      index: pages.length, width: tags.get(256) ?? 0, height: tags.get(257) ?? 0, spp: tags.get(277) ?? 1,
      bits: tags.get(258) ?? 1, format: tags.get(339) ?? 1, reduced: ((tags.get(254) ?? 0) & 1) === 1,
    });
    off = v.getUint32(end, le);
  }
  return pages;
}

/**
 * TIFF: unsigned/signed integers of 8, 16 or 32 bits or floats of 32/64 bits, any samples per pixel. One page gives an
 * image [H, W]; several pages of the same size and sample type a volume [D = pages, H, W] (spacing 1); pages that differ
 * are refused. Reduced-resolution pages (thumbnails, NewSubfileType bit 0) are skipped.
 */
export function readTiff(bytes: Uint8Array, source: string, limits?: ReadLimits): Volume {
  const pages = tiffPages(bytes, source).filter((p) => !p.reduced);
  if (pages.length === 0) fail(source, 'TIFF holds no image — rule: at least one full-resolution page');
  const first = pages[0];
  const desc = (p: TiffPage) => `${p.width}×${p.height} pixels × ${p.spp} samples of ${p.bits} bit (format ${p.format})`;
  for (const p of pages) {
    if (p.width < 1 || p.height < 1) fail(source, `page ${p.index} is ${p.width}×${p.height} — rule: width and height ≥ 1`);
    if (p.width !== first.width || p.height !== first.height || p.spp !== first.spp || p.bits !== first.bits || p.format !== first.format) {
      fail(source, `page ${p.index} is ${desc(p)}, page ${first.index} ${desc(first)} — rule: a multi-page TIFF is read as a volume [pages, H, W], so every page has the same size and sample type`);
    }
  }
  const { width, height, spp, bits, format } = first;
  const depth = pages.length;
  checkSize(source, depth > 1 ? [width, height, depth] : [width, height], spp, limits, depth > 1 ? 'volume (width×height×pages)' : 'image (width×height)');
  if (![8, 16, 32, 64].includes(bits) || (format === 3 && bits < 32) || (format !== 3 && bits === 64)) {
    fail(source, `TIFF with ${bits}-bit samples (format ${format}) is not supported; supported: 8/16/32-bit integer, 32/64-bit float`);
  }
  const n = width * height * spp;
  const bytesPer = bits / 8;
  const data = new Float32Array(n * depth);
  let ifds: ReturnType<typeof UTIF.decode>;
  try {
    ifds = UTIF.decode(bytes);
  } catch (e) {
    return fail(source, `not a readable TIFF (${(e as Error).message})`);
  }
  for (const [k, p] of pages.entries()) {
    const ifd = ifds[p.index];
    // Every strip or tile inside the file: UTIF copies what is there and leaves the rest zero, so a cut file would read.
    const offsets = (ifd.t273 ?? ifd.t324) as number[] | undefined, counts = (ifd.t279 ?? ifd.t325) as number[] | undefined;
    if (!offsets || !counts || offsets.length !== counts.length) fail(source, `TIFF page ${p.index} lacks strip (or tile) offsets and byte counts of equal length — rule: tags 273/279 or 324/325`);
    for (let j = 0; j < offsets.length; j++) {
      if (!(offsets[j] >= 0 && counts[j] >= 0 && offsets[j] + counts[j] <= bytes.length)) {
        fail(source, `TIFF truncated: page ${p.index}'s strip ${j} lies at bytes ${offsets[j]}…${offsets[j] + counts[j]}, the file has ${bytes.length} — rule: every strip or tile lies inside the file`);
      }
    }
    try {
      UTIF.decodeImage(bytes, ifd, ifds);
    } catch (e) {
      fail(source, `not a readable TIFF (page ${p.index}: ${(e as Error).message})`);
    }
    const raw = ifd.data;
    if (!raw) fail(source, `TIFF page ${p.index} has no decodable pixel data`);
    if (raw.length < n * bytesPer) fail(source, `TIFF truncated: page ${p.index} has ${raw.length} bytes of pixel data, need ${n * bytesPer} for ${width}×${height}×${spp} × ${bits} bit`);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const le = ifd.isLE ?? true;
    const base = k * n;
    for (let i = 0; i < n; i++) {
      const o = i * bytesPer;
      data[base + i] = format === 3
        ? (bits === 32 ? view.getFloat32(o, le) : view.getFloat64(o, le))
        : format === 2
          ? (bits === 8 ? view.getInt8(o) : bits === 16 ? view.getInt16(o, le) : view.getInt32(o, le))
          : (bits === 8 ? view.getUint8(o) : bits === 16 ? view.getUint16(o, le) : view.getUint32(o, le));
    }
    ifd.data = new Uint8Array(0); // the decoded page is copied; let it go
  }
  return depth > 1
    ? { data, shape: [depth, height, width], channels: spp, spacing: [1, 1, 1], source }
    : { data, shape: [height, width], channels: spp, spacing: [1, 1], source };
}

const NIFTI_TYPES: Record<number, { bytes: number; get: (v: DataView, o: number, le: boolean) => number }> = {
  2: { bytes: 1, get: (v, o) => v.getUint8(o) },
  4: { bytes: 2, get: (v, o, le) => v.getInt16(o, le) },
  8: { bytes: 4, get: (v, o, le) => v.getInt32(o, le) },
  16: { bytes: 4, get: (v, o, le) => v.getFloat32(o, le) },
  64: { bytes: 8, get: (v, o, le) => v.getFloat64(o, le) },
  256: { bytes: 1, get: (v, o) => v.getInt8(o) },
  512: { bytes: 2, get: (v, o, le) => v.getUint16(o, le) },
  768: { bytes: 4, get: (v, o, le) => v.getUint32(o, le) },
};

const NIFTI_HEADER = 348;

/** A validated NIfTI-1 header and what reading its voxels takes. */
interface NiftiLayout {
  h: nifti.NIFTI1; header: Uint8Array; type: (typeof NIFTI_TYPES)[number];
  nx: number; ny: number; nz: number; nc: number; voxOffset: number; need: number;
}

/** Parses and validates the 348-byte header: magic, dim, datatype, vox_offset, the size limit. */
function niftiLayout(header: Uint8Array, source: string, limits: ReadLimits | undefined): NiftiLayout {
  const magic = String.fromCharCode(header[344], header[345], header[346]);
  const hv = new DataView(header.buffer, header.byteOffset, NIFTI_HEADER);
  const sizeofHdr = hv.getInt32(0, true);
  if (sizeofHdr === 540 || hv.getInt32(0, false) === 540) fail(source, `a NIfTI-2 file (sizeof_hdr 540) — rule: NIfTI-1 only (sizeof_hdr 348, magic 'n+1')`);
  if (magic === 'ni1') fail(source, `a NIfTI-1 header whose voxels are in a separate .img file (magic 'ni1') — rule: single-file NIfTI-1 (magic 'n+1')`);
  if (magic !== 'n+1') fail(source, `not a NIfTI-1 file (no 'n+1' magic at byte 344) — rule: single-file NIfTI-1`);
  let h: nifti.NIFTI1;
  try {
    h = new nifti.NIFTI1();
    h.readHeader(header.slice().buffer as ArrayBuffer);
  } catch (e) {
    return fail(source, `unreadable NIfTI header (${(e as Error).message})`);
  }
  const nd = h.dims[0];
  if (!(nd >= 1 && nd <= 5)) fail(source, `NIfTI dim[0] = ${nd}, must be 1…5 — rule: 1-D to 5-D (x, y, z, t/channels, vector)`);
  for (let k = 1; k <= nd; k++) {
    if (!(h.dims[k] >= 1)) fail(source, `NIfTI dim[${k}] = ${h.dims[k]} (dim[0] = ${nd}) — rule: every used dimension dim[1…dim[0]] is ≥ 1`);
  }
  const dim = (k: number) => (k <= nd ? h.dims[k] : 1);
  const [nx, ny, nz, nc] = [dim(1), dim(2), dim(3), dim(4) * dim(5)];
  const type = NIFTI_TYPES[h.datatypeCode];
  if (!type) fail(source, `NIfTI datatype ${h.datatypeCode} is not supported; supported: ${Object.keys(NIFTI_TYPES).join(', ')}`);
  const voxOffset = h.vox_offset;
  if (!(Number.isInteger(voxOffset) && voxOffset >= 352)) {
    fail(source, `NIfTI vox_offset = ${voxOffset} — rule: a single-file NIfTI-1 stores its voxels after the header and extension flag, at a whole byte offset ≥ 352`);
  }
  checkSize(source, [nx, ny, nz], nc, limits, 'volume (x×y×z)');
  const need = voxOffset + nx * ny * nz * nc * type.bytes;
  return { h, header, type, nx, ny, nz, nc, voxOffset, need };
}

/**
 * Converts voxel bytes to the float32 Volume data as they arrive, in chunks at increasing absolute file positions
 * (file order: channel-major, x fastest → channels-last). Bytes before vox_offset and past `need` are ignored.
 */
function voxelSink(l: NiftiLayout): { data: Float32Array; write: (chunk: Uint8Array, pos: number) => void } {
  const { type, nc, voxOffset, need, h } = l;
  const nvox = l.nx * l.ny * l.nz, B = type.bytes, le = h.littleEndian;
  const slope = h.scl_slope && Number.isFinite(h.scl_slope) ? h.scl_slope : 1;
  const inter = h.scl_slope && Number.isFinite(h.scl_inter) ? h.scl_inter : 0;
  const data = new Float32Array(nvox * nc);
  const carry = new Uint8Array(8), carryView = new DataView(carry.buffer);
  let carried = 0, i = 0, c = 0;
  const put = (view: DataView, o: number) => {
    data[i * nc + c] = type.get(view, o, le) * slope + inter;
    if (++i === nvox) { i = 0; c++; }
  };
  const write = (chunk: Uint8Array, pos: number) => {
    let k = Math.max(0, voxOffset - pos);
    const end = Math.min(chunk.length, need - pos);
    if (k >= end) return;
    while (carried > 0 && k < end) {
      carry[carried++] = chunk[k++];
      if (carried === B) { put(carryView, 0); carried = 0; }
    }
    const full = Math.floor((end - k) / B);
    const view = new DataView(chunk.buffer, chunk.byteOffset + k, full * B);
    for (let j = 0; j < full; j++) put(view, j * B);
    k += full * B;
    while (k < end) carry[carried++] = chunk[k++];
  };
  return { data, write };
}

/**
 * Inflates a .nii.gz as a stream: the header first (validated, size-checked), then only up to the bytes it says are
 * needed, converted as they come. Input is pushed in small pieces so that one push inflates at most ~4–66 MB (deflate
 * expands at most ~1032×); pushing stops once `need` bytes have come out.
 */
function inflateNifti(bytes: Uint8Array, source: string, limits: ReadLimits | undefined): { layout: NiftiLayout; data: Float32Array } {
  const head = new Uint8Array(NIFTI_HEADER);
  let pos = 0, layout: NiftiLayout | undefined, sink: ReturnType<typeof voxelSink> | undefined;
  const gz = new Gunzip((chunk) => {
    if (pos < NIFTI_HEADER) {
      head.set(chunk.subarray(0, NIFTI_HEADER - pos), pos);
      if (pos + chunk.length >= NIFTI_HEADER) {
        layout = niftiLayout(head, source, limits);
        sink = voxelSink(layout);
      }
    }
    sink?.write(chunk, pos);
    pos += chunk.length;
  });
  const done = () => layout !== undefined && pos >= layout.need;
  try {
    for (let o = 0; o < bytes.length && !done();) {
      const before = pos;
      const step = o === 0 ? 1024 : 65536;
      gz.push(bytes.subarray(o, o + step), false);
      o += step;
      // After a highly compressed piece, go on in small pieces so that each push stays a few MB.
      if (pos - before > 4 << 20) {
        for (; o < bytes.length && !done(); o += 4096) gz.push(bytes.subarray(o, o + 4096), false);
      }
    }
    if (!done()) gz.push(new Uint8Array(0), true);
  } catch (e) {
    const m = (e as Error).message;
    if (m.startsWith(`${source}: `)) throw e;
    fail(source, `gzip data is truncated or corrupt (${m} after ${pos} inflated bytes${layout ? ` of the ${layout.need} the header needs` : ''}) — rule: a .nii.gz inflates to its header's voxels`);
  }
  if (!layout) {
    fail(source, `not a NIfTI-1 file (the gzip data inflates to ${pos} bytes, less than a 348-byte header) — rule: a .nii.gz holds a NIfTI-1 file`);
  }
  if (pos < layout.need) {
    fail(source, `NIfTI truncated: the gzip data inflates to ${pos} bytes, need ${layout.need} for ${layout.nx}×${layout.ny}×${layout.nz}×${layout.nc} of datatype ${layout.h.datatypeCode} at vox_offset ${layout.voxOffset} — rule: the file holds every voxel its header declares`);
  }
  return { layout, data: sink!.data };
}

/**
 * NIfTI-1 (.nii or gzip-compressed .nii.gz), scaled by scl_slope/scl_inter when set; axis order in the file header.
 * Header fields are validated and the size is checked against `limits` before any voxel is read (see the file comment).
 */
export function readNifti(bytes: Uint8Array, source: string, limits?: ReadLimits): Volume {
  let layout: NiftiLayout, data: Float32Array;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    ({ layout, data } = inflateNifti(bytes, source, limits));
  } else {
    if (bytes.length < NIFTI_HEADER) fail(source, `not a NIfTI-1 file (${bytes.length} bytes, less than a 348-byte header)`);
    layout = niftiLayout(bytes.slice(0, NIFTI_HEADER), source, limits);
    if (bytes.length < layout.need) {
      fail(source, `NIfTI truncated: ${bytes.length} bytes, need ${layout.need} for ${layout.nx}×${layout.ny}×${layout.nz}×${layout.nc} of datatype ${layout.h.datatypeCode} at vox_offset ${layout.voxOffset} — rule: the file holds every voxel its header declares`);
    }
    const sink = voxelSink(layout);
    sink.write(bytes, 0);
    data = sink.data;
  }
  const { h, header, nx, ny, nz, nc } = layout;
  for (let k = 1; k <= Math.min(3, h.dims[0]); k++) {
    if (!Number.isFinite(h.pixDims[k])) fail(source, `NIfTI pixdim[${k}] = ${h.pixDims[k]} — rule: voxel sizes are finite numbers (0 is read as 1 mm)`);
  }
  const pd = (k: number) => (h.pixDims[k] !== 0 && Number.isFinite(h.pixDims[k]) ? Math.abs(h.pixDims[k]) : 1); // negative: its size (nibabel's fix)
  // The sform (srow_x/y/z at bytes 280…327) when sform_code > 0, as nibabel and ITK read it — nifti-reader-js's
  // `affine` holds the qform when qform_code > sform_code > 0 — else the qform, else its pixdim diagonal.
  const hv = new DataView(header.buffer, header.byteOffset, NIFTI_HEADER);
  const srow = () => [0, 1, 2].map((r) => [0, 1, 2, 3].map((c) => hv.getFloat32(280 + (r * 4 + c) * 4, h.littleEndian))).concat([[0, 0, 0, 1]]);
  const affine = h.sform_code > 0 ? srow() : h.qform_code > 0 ? h.getQformMat().map((r) => [...r]) : h.affine.map((r) => [...r]);
  return { data, shape: [nz, ny, nx], channels: nc, spacing: [pd(3), pd(2), pd(1)], affine, niftiHeader: header.slice(), source };
}

/** Readers by lower-case extension (with the dot; `.nii.gz` is one extension). */
export const readers = new Registry<VolumeReader>('image file extension')
  .register('.png', readPng)
  .register('.gif', readGif)
  .register('.tif', readTiff)
  .register('.tiff', readTiff)
  .register('.nii', readNifti)
  .register('.nii.gz', readNifti);

/** The registered extension a file name ends with (longest match), or undefined. */
export function fileExtension(name: string): string | undefined {
  const lower = name.toLowerCase();
  return readers.names().filter((e) => lower.endsWith(e)).sort((a, b) => b.length - a.length)[0];
}

/** The file name without its registered extension (`case_1.nii.gz` → `case_1`). */
export function stripExtension(name: string): string {
  const ext = fileExtension(name);
  return ext ? name.slice(0, name.length - ext.length) : name;
}

/** Reads `bytes` with the reader for `source`'s extension (within `limits`); errors name the file and list supported extensions. */
export function readVolume(bytes: Uint8Array, source: string, limits?: ReadLimits): Volume {
  const ext = fileExtension(source);
  if (!ext) throw new Error(`${source}: unsupported file extension; supported: ${readers.names().join(', ')}`);
  return readers.get(ext)(bytes, source, limits);
}
