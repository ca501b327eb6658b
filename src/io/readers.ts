/**
 * Image and volume readers, chosen by file extension (a `Registry`): PNG, GIF, TIFF (8/16/32-bit integer or float,
 * one or more samples per pixel) and NIfTI-1 (.nii, .nii.gz). Every reader takes the file's bytes and its name and
 * returns a `Volume`; nothing here touches the file system, so it runs in browsers too.
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
import { Registry } from '../core/registry.js';
import type { Volume } from './volume.js';
import { decodePng } from './png.js';

/** A reader: bytes of a file (named `source` in errors) → Volume. */
export type VolumeReader = (bytes: Uint8Array, source: string) => Volume;

function fail(source: string, problem: string): never {
  throw new Error(`${source}: ${problem}`);
}

/** PNG (gray, gray+alpha, RGB, RGBA, palette expanded to colours; 8 or 16 bit). */
export function readPng(bytes: Uint8Array, source: string): Volume {
  const img = decodePng(bytes, source);
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
 */
export function readGif(bytes: Uint8Array, source: string): Volume {
  let reader: GifReader;
  const rgba = (() => {
    try {
      reader = new GifReader(bytes);
      const px = new Uint8Array(reader.width * reader.height * 4);
      reader.decodeAndBlitFrameRGBA(0, px);
      return px;
    } catch (e) {
      return fail(source, `not a readable GIF (${(e as Error).message})`);
    }
  })();
  const { width, height } = reader!;
  const n = width * height;
  let gray = true;
  for (let i = 0; i < n && gray; i++) {
    const r = rgba[4 * i];
    gray = rgba[4 * i + 1] === r && rgba[4 * i + 2] === r && rgba[4 * i + 3] === 255;
  }
  const data = gray ? Float32Array.from({ length: n }, (_, i) => rgba[4 * i]) : Float32Array.from(rgba);
  return { data, shape: [height, width], channels: gray ? 1 : 4, spacing: [1, 1], source };
}

/** TIFF (first page): unsigned/signed integers of 8, 16 or 32 bits or floats of 32/64 bits, any samples per pixel. */
export function readTiff(bytes: Uint8Array, source: string): Volume {
  let ifd: ReturnType<typeof UTIF.decode>[number];
  try {
    const ifds = UTIF.decode(bytes);
    if (ifds.length === 0) fail(source, 'TIFF holds no image');
    ifd = ifds[0];
    UTIF.decodeImage(bytes, ifd, ifds);
  } catch (e) {
    return fail(source, `not a readable TIFF (${(e as Error).message})`);
  }
  const tag = (t: number, dflt: number) => ((ifd[`t${t}`] as number[] | undefined)?.[0] ?? dflt);
  const width = ifd.width ?? 0, height = ifd.height ?? 0;
  const bits = tag(258, 1), spp = tag(277, 1), format = tag(339, 1);
  const raw = ifd.data;
  if (!raw || width <= 0 || height <= 0) fail(source, 'TIFF has no decodable pixel data');
  const n = width * height * spp;
  const bytesPer = bits / 8;
  if (![8, 16, 32, 64].includes(bits) || (format === 3 && bits < 32) || (format !== 3 && bits === 64)) {
    fail(source, `TIFF with ${bits}-bit samples (format ${format}) is not supported; supported: 8/16/32-bit integer, 32/64-bit float`);
  }
  if (raw.length < n * bytesPer) fail(source, `TIFF truncated: ${raw.length} bytes of pixel data, need ${n * bytesPer} for ${width}×${height}×${spp} × ${bits} bit`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const le = ifd.isLE ?? true;
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * bytesPer;
    data[i] = format === 3
      ? (bits === 32 ? view.getFloat32(o, le) : view.getFloat64(o, le))
      : format === 2
        ? (bits === 8 ? view.getInt8(o) : bits === 16 ? view.getInt16(o, le) : view.getInt32(o, le))
        : (bits === 8 ? view.getUint8(o) : bits === 16 ? view.getUint16(o, le) : view.getUint32(o, le));
  }
  return { data, shape: [height, width], channels: spp, spacing: [1, 1], source };
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

/** NIfTI-1 (.nii or gzip-compressed .nii.gz), scaled by scl_slope/scl_inter when set; axis order in the file header. */
export function readNifti(bytes: Uint8Array, source: string): Volume {
  let buf: ArrayBuffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  try {
    if (nifti.isCompressed(buf)) buf = nifti.decompress(buf) as ArrayBuffer;
  } catch (e) {
    fail(source, `gzip data is truncated or corrupt (${(e as Error).message})`);
  }
  if (buf.byteLength < 348 || !nifti.isNIFTI1(buf)) fail(source, `not a NIfTI-1 file (${buf.byteLength} bytes, no 'n+1' magic)`);
  let h: nifti.NIFTI1;
  try {
    h = nifti.readHeader(buf) as nifti.NIFTI1;
  } catch (e) {
    return fail(source, `unreadable NIfTI header (${(e as Error).message})`);
  }
  const type = NIFTI_TYPES[h.datatypeCode];
  if (!type) fail(source, `NIfTI datatype ${h.datatypeCode} is not supported; supported: ${Object.keys(NIFTI_TYPES).join(', ')}`);
  const nd = h.dims[0];
  if (nd < 1 || nd > 5) fail(source, `NIfTI dim[0] = ${nd}, must be 1…5`);
  const dim = (k: number) => (k <= nd ? Math.max(1, h.dims[k]) : 1);
  const [nx, ny, nz, nc] = [dim(1), dim(2), dim(3), dim(4) * dim(5)];
  const nvox = nx * ny * nz;
  const need = h.vox_offset + nvox * nc * type.bytes;
  if (buf.byteLength < need) fail(source, `NIfTI truncated: ${buf.byteLength} bytes, need ${need} for ${nx}×${ny}×${nz}×${nc} of datatype ${h.datatypeCode}`);
  const view = new DataView(buf, h.vox_offset);
  const slope = h.scl_slope && Number.isFinite(h.scl_slope) ? h.scl_slope : 1;
  const inter = h.scl_slope && Number.isFinite(h.scl_inter) ? h.scl_inter : 0;
  const data = new Float32Array(nvox * nc);
  for (let c = 0; c < nc; c++) {
    for (let i = 0; i < nvox; i++) data[i * nc + c] = type.get(view, (c * nvox + i) * type.bytes, h.littleEndian) * slope + inter;
  }
  const pd = (k: number) => (h.pixDims[k] > 0 && Number.isFinite(h.pixDims[k]) ? h.pixDims[k] : 1);
  // The sform (srow_x/y/z at bytes 280…327) when sform_code > 0, as nibabel and ITK read it — nifti-reader-js's
  // `affine` holds the qform when qform_code > sform_code > 0 — else the qform, else its pixdim diagonal.
  const hv = new DataView(buf, 0, 348);
  const srow = () => [0, 1, 2].map((r) => [0, 1, 2, 3].map((c) => hv.getFloat32(280 + (r * 4 + c) * 4, h.littleEndian))).concat([[0, 0, 0, 1]]);
  const affine = h.sform_code > 0 ? srow() : h.qform_code > 0 ? h.getQformMat().map((r) => [...r]) : h.affine.map((r) => [...r]);
  const niftiHeader = new Uint8Array(buf.slice(0, 348));
  return { data, shape: [nz, ny, nx], channels: nc, spacing: [pd(3), pd(2), pd(1)], affine, niftiHeader, source };
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

/** Reads `bytes` with the reader for `source`'s extension; errors name the file and list supported extensions. */
export function readVolume(bytes: Uint8Array, source: string): Volume {
  const ext = fileExtension(source);
  if (!ext) throw new Error(`${source}: unsupported file extension; supported: ${readers.names().join(', ')}`);
  return readers.get(ext)(bytes, source);
}
