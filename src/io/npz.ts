/**
 * NumPy `.npz` archives (a zip of `.npy` arrays, as `numpy.savez` writes them; JAX/flax checkpoints such as
 * TransUNet's `R50+ViT-B_16.npz`) read as safetensors-style entries: float16/32/64 → F32, integers → I32. Browser-safe
 * (fflate unzips). Every error names the file, the array and the rule.
 */
import { unzipSync, zipSync } from 'fflate';
import type { SafeTensor } from './safetensors.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** One `.npy` array (version 1–3 header; little-endian, C order). */
export function readNpy(bytes: Uint8Array, where: string): SafeTensor {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new Error(`${where}: not a .npy array (no \\x93NUMPY magic)`);
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = header.match(/'descr':\s*'([^']+)'/)?.[1];
  const fortran = header.match(/'fortran_order':\s*(True|False)/)?.[1];
  const shapeText = header.match(/'shape':\s*\(([^)]*)\)/)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new Error(`${where}: unreadable .npy header '${header.trim()}'`);
  if (fortran === 'True') throw new Error(`${where}: Fortran-ordered arrays are not supported; save with numpy.ascontiguousarray`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  const n = shape.reduce((a, b) => a * b, 1);
  const body = bytes.subarray(start + headerLen);
  const kind = descr.replace(/^[<|=]/, '');
  if (descr.startsWith('>')) throw new Error(`${where}: big-endian dtype '${descr}'; rule: little-endian arrays only`);
  const size: Record<string, number> = { f2: 2, f4: 4, f8: 8, i1: 1, i2: 2, i4: 4, i8: 8, u1: 1, b1: 1 };
  const bytesPer = size[kind];
  if (!bytesPer) throw new Error(`${where}: dtype '${descr}' is not supported (float16/32/64, int8/16/32/64, uint8, bool)`);
  if (body.length < n * bytesPer) throw new Error(`${where}: ${n} values of '${descr}' need ${n * bytesPer} bytes, the array has ${body.length} (truncated)`);
  const dv = new DataView(body.buffer, body.byteOffset, n * bytesPer);
  if (kind[0] === 'f') {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = kind === 'f4' ? dv.getFloat32(4 * i, true) : kind === 'f8' ? dv.getFloat64(8 * i, true) : halfToFloat(dv.getUint16(2 * i, true));
    return { dtype: 'F32', shape, data: out };
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = kind === 'i4' ? dv.getInt32(4 * i, true) : kind === 'i8' ? Number(dv.getBigInt64(8 * i, true)) : kind === 'i2' ? dv.getInt16(2 * i, true) : kind === 'i1' ? dv.getInt8(i) : dv.getUint8(i);
  }
  return { dtype: 'I32', shape, data: out };
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Every array of an `.npz` archive by name (the `.npy` suffix dropped). */
export function readNpz(bytes: Uint8Array, where: string): Map<string, SafeTensor> {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (e) {
    throw new Error(`${where}: not a readable .npz (zip) archive (${(e as Error).message})`);
  }
  const out = new Map<string, SafeTensor>();
  for (const [name, data] of Object.entries(files)) {
    if (!name.endsWith('.npy')) continue;
    out.set(name.slice(0, -4), readNpy(data, `${where}: ${name}`));
  }
  if (out.size === 0) throw new Error(`${where}: the archive holds no .npy arrays`);
  return out;
}

/** An `.npz` archive (stored, as `numpy.savez` writes) of float32 arrays: the inverse of `readNpz` for F32 entries. */
export function encodeNpz(arrays: ReadonlyMap<string, { shape: readonly number[]; data: ArrayLike<number> }>): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (const [name, t] of arrays) {
    let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${t.shape.join(', ')}${t.shape.length === 1 ? ',' : ''}), }`;
    header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n'; // numpy pads the header to a multiple of 64 bytes
    const body = new Uint8Array(Float32Array.from(t.data).buffer);
    const out = new Uint8Array(10 + header.length + body.length);
    out.set([...MAGIC, 1, 0, header.length & 0xff, header.length >> 8]);
    out.set(new TextEncoder().encode(header), 10);
    out.set(body, 10 + header.length);
    files[`${name}.npy`] = out;
  }
  return zipSync(files, { level: 0 });
}
