/**
 * NIfTI-1 writing (.nii bytes; .nii.gz through the platform's gzip `CompressionStream`), browser-safe: the atomic
 * file write is `writeNifti` in files.ts.
 *
 * A mask written for a volume read from NIfTI keeps that file's header (`Volume.niftiHeader`): dimensions' metadata,
 * pixdim, units, qform and sform are copied byte for byte, so the mask overlays the input in any viewer. Only what
 * describes the new data changes: dim[0] and dim[4…7] (channels), datatype and bitpix, vox_offset 352 (no
 * extensions), scl_slope 1 / scl_inter 0, cal_min/max and glmin/max 0, intent (NIFTI_INTENT_LABEL for integer types,
 * none for float32), descrip, magic 'n+1'. Without a header (PNG input, resampled volumes) a fresh one is made from
 * the volume's spacing (pixdim, mm) and affine (sform, code 2 'aligned'; both codes 0 without an affine).
 *
 * Axis order is the readers': data [D, H, W] (+ channels last) is NIfTI's (x, y, z) = (W, H, D) with x fastest, so
 * the voxels are written in their memory order; channels become NIfTI's 4th dimension (one volume after the other).
 */
import type { Volume } from './volume.js';
import { lookUpOption } from '../core/registry.js';

export type NiftiDatatype = 'uint8' | 'int16' | 'float32';

/** Voxels to write: channels-last [...shape, channels]; shape [D, H, W] (or [H, W], written with D = 1). */
export interface NiftiImage {
  data: ArrayLike<number>;
  shape: readonly number[];
  /** Default 1. */
  channels?: number;
}

export interface NiftiWriteOptions {
  /** Voxel type: 'uint8' / 'int16' (label maps; values must be integers in range) or 'float32' (probabilities). Default 'uint8'. */
  datatype?: NiftiDatatype;
  /** The volume the image belongs to: its NIfTI header is kept, or else its spacing and affine. Default none (1 mm, no affine). */
  like?: Pick<Volume, 'spacing' | 'affine' | 'niftiHeader' | 'source'>;
  /** Text for the header's descrip field (≤ 79 ASCII characters kept). Default 'unet-ts'. */
  description?: string;
}

const TYPES: Record<NiftiDatatype, { code: number; bits: number; min: number; max: number; integer: boolean }> = {
  uint8: { code: 2, bits: 8, min: 0, max: 255, integer: true },
  int16: { code: 4, bits: 16, min: -32768, max: 32767, integer: true },
  float32: { code: 16, bits: 32, min: -Infinity, max: Infinity, integer: false },
};

const HEADER = 348, VOX_OFFSET = 352, INTENT_LABEL = 1002;

/** Little-endian unless the header's sizeof_hdr only reads 348 big-endian. */
const littleEndian = (h: Uint8Array) => new DataView(h.buffer, h.byteOffset, HEADER).getInt32(0, true) === HEADER;

/** NIfTI-1 single-file bytes (.nii) of `image` (see the file comment and `NiftiWriteOptions`). */
export function encodeNifti(image: NiftiImage, options: NiftiWriteOptions = {}): Uint8Array {
  const type = TYPES[lookUpOption('NIfTI datatype', options.datatype ?? 'uint8', ['uint8', 'int16', 'float32'] as const)];
  const channels = image.channels ?? 1;
  const shape = image.shape.length === 2 ? [1, ...image.shape] : [...image.shape];
  if (shape.length !== 3 || !shape.every((s) => Number.isInteger(s) && s >= 1 && s <= 32767)) {
    throw new Error(`encodeNifti: shape [${image.shape}] must be [H, W] or [D, H, W] of integers in 1…32767`);
  }
  const voxels = shape[0] * shape[1] * shape[2];
  if (image.data.length !== voxels * channels) throw new Error(`encodeNifti: data length ${image.data.length} must equal [${image.shape}] × ${channels} channels = ${voxels * channels}`);
  const [nz, ny, nx] = shape;
  const like = options.like;
  const out = new Uint8Array(VOX_OFFSET + voxels * channels * (type.bits / 8));
  const view = new DataView(out.buffer);
  let le = true;
  if (like?.niftiHeader) {
    out.set(like.niftiHeader.subarray(0, HEADER));
    le = littleEndian(like.niftiHeader);
    const nd = view.getInt16(40, le);
    const dim = (k: number) => (k <= nd ? Math.max(1, view.getInt16(40 + 2 * k, le)) : 1); // as readNifti counts
    const had = [dim(3), dim(2), dim(1)];
    if (had.join() !== shape.join()) throw new Error(`encodeNifti: image [${shape}] (D, H, W) does not match the grid [${had}] of ${like.source}'s header; resample back to the original grid first`);
    for (let k = 0; k < 12; k++) view.setUint8(56 + k, 0); // intent_p1…p3
    for (let k = 0; k < 16; k++) view.setUint8(328 + k, 0); // intent_name
  } else {
    view.setInt32(0, HEADER, le);
    const spacing = like?.spacing ?? [];
    const sp = (a: number) => spacing[spacing.length - 1 - a] ?? 1; // pixdim[1 + a] for x, y, z = W, H, D
    view.setFloat32(76, 1, le); // qfac
    for (let a = 0; a < 3; a++) view.setFloat32(80 + 4 * a, sp(a), le);
    view.setUint8(123, 2 | 8); // mm, s
    if (like?.affine) {
      view.setInt16(254, 2, le); // sform_code: aligned
      for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) view.setFloat32(280 + 16 * r + 4 * c, like.affine[r][c], le);
    }
  }
  view.setInt16(40, channels > 1 ? 4 : 3, le);
  [nx, ny, nz, channels, 1, 1, 1].forEach((d, k) => view.setInt16(42 + 2 * k, d, le));
  view.setInt16(68, type.integer ? INTENT_LABEL : 0, le);
  view.setInt16(70, type.code, le);
  view.setInt16(72, type.bits, le);
  view.setFloat32(108, VOX_OFFSET, le);
  view.setFloat32(112, 1, le); // scl_slope
  view.setFloat32(116, 0, le); // scl_inter
  for (const at of [124, 128]) view.setFloat32(at, 0, le); // cal_max, cal_min
  for (const at of [140, 144]) view.setInt32(at, 0, le); // glmax, glmin
  const text = (options.description ?? 'unet-ts').replace(/[^\x20-\x7e]/g, '?').slice(0, 79);
  for (let k = 0; k < 80; k++) view.setUint8(148 + k, k < text.length ? text.charCodeAt(k) : 0);
  [0x6e, 0x2b, 0x31, 0].forEach((b, k) => view.setUint8(344 + k, b)); // 'n+1\0'
  // bytes 348…351: no extensions (zero)
  const put = type.code === 2 ? (o: number, v: number) => view.setUint8(o, v)
    : type.code === 4 ? (o: number, v: number) => view.setInt16(o, v, le)
      : (o: number, v: number) => view.setFloat32(o, v, le);
  const bytes = type.bits / 8;
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < voxels; i++) {
      const v = image.data[i * channels + c];
      if (type.integer && !(Number.isInteger(v) && v >= type.min && v <= type.max)) {
        throw new Error(`encodeNifti: value ${v} at voxel ${i}${channels > 1 ? `, channel ${c}` : ''} does not fit ${options.datatype ?? 'uint8'} (integers ${type.min}…${type.max}); use a wider type or 'float32'`);
      }
      put(VOX_OFFSET + (c * voxels + i) * bytes, v);
    }
  }
  return out;
}

/** gzip through the platform's CompressionStream (browsers; Node ≥ 18). */
export async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The file's bytes for `name`: gzip-compressed when it ends in .gz (.nii.gz), plain .nii otherwise. */
export async function encodeNiftiFile(name: string, image: NiftiImage, options: NiftiWriteOptions = {}): Promise<Uint8Array> {
  const lower = name.toLowerCase();
  if (!lower.endsWith('.nii') && !lower.endsWith('.nii.gz')) throw new Error(`encodeNiftiFile: '${name}' must end in .nii or .nii.gz`);
  const bytes = encodeNifti(image, options);
  return lower.endsWith('.gz') ? gzip(bytes) : bytes;
}
