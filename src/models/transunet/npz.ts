/**
 * A reader for NumPy's `.npz` files (a zip of `.npy` arrays, as `np.savez` / `np.savez_compressed` write them), enough
 * for the official `R50+ViT-B_16.npz`: stored or deflated entries, zip64 records (NumPy forces them), `.npy` versions
 * 1–3 with little-endian float32 / float64 / float16 arrays in C order, returned as float32 `SafeTensor`s by name
 * (the entry's name without `.npy`). No Node-only modules: deflated entries go through the web's
 * `DecompressionStream('deflate-raw')`, which Node ≥ 18 and browsers have.
 */
import type { SafeTensor } from '../../io/safetensors.js';

interface Entry { name: string; method: number; compressedSize: number; localOffset: number }

function fail(where: string, why: string): never {
  throw new Error(`${where}: ${why}`);
}

/** The zip's central directory (zip64 where the 32-bit fields overflow). */
function centralDirectory(bytes: Uint8Array, where: string): Entry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) fail(where, 'not a zip file (no end-of-central-directory record); an .npz is a zip of .npy files');
  let count = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || offset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || view.getUint32(loc, true) !== 0x07064b50) fail(where, 'zip64 end-of-central-directory locator missing');
    const z = Number(view.getBigUint64(loc + 8, true));
    if (view.getUint32(z, true) !== 0x06064b50) fail(where, 'zip64 end-of-central-directory record missing');
    count = Number(view.getBigUint64(z + 32, true));
    offset = Number(view.getBigUint64(z + 48, true));
  }
  const entries: Entry[] = [];
  let p = offset;
  for (let k = 0; k < count; k++) {
    if (view.getUint32(p, true) !== 0x02014b50) fail(where, `central directory entry ${k} is damaged`);
    const method = view.getUint16(p + 10, true);
    let compressedSize = view.getUint32(p + 20, true);
    let size = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true), extraLen = view.getUint16(p + 30, true), commentLen = view.getUint16(p + 32, true);
    let localOffset = view.getUint32(p + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLen));
    // zip64 extra field: the 64-bit values of exactly the fields that read 0xFFFFFFFF, in this order
    for (let e = p + 46 + nameLen; e < p + 46 + nameLen + extraLen;) {
      const id = view.getUint16(e, true), len = view.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        if (size === 0xffffffff) { size = Number(view.getBigUint64(q, true)); q += 8; }
        if (compressedSize === 0xffffffff) { compressedSize = Number(view.getBigUint64(q, true)); q += 8; }
        if (localOffset === 0xffffffff) localOffset = Number(view.getBigUint64(q, true));
      }
      e += 4 + len;
    }
    entries.push({ name, method, compressedSize, localOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

async function inflateRaw(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data.slice()]).stream().pipeThrough(new DecompressionStream('deflate-raw')); // a copy: an ArrayBuffer-backed BlobPart
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function f16(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** One `.npy` array as float32. */
export function parseNpy(bytes: Uint8Array, where: string): SafeTensor {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[0] !== 0x93 || new TextDecoder().decode(bytes.subarray(1, 6)) !== 'NUMPY') fail(where, 'not a .npy array (no \\x93NUMPY magic)');
  const major = bytes[6]!;
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLen));
  const descr = header.match(/'descr':\s*'([^']+)'/)?.[1];
  const fortran = header.match(/'fortran_order':\s*(True|False)/)?.[1];
  const shapeText = header.match(/'shape':\s*\(([^)]*)\)/)?.[1];
  if (!descr || !fortran || shapeText === undefined) fail(where, `unreadable .npy header ${JSON.stringify(header)}`);
  if (fortran === 'True') fail(where, 'Fortran-ordered arrays are not read (save with C order)');
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  const n = shape.reduce((a, b) => a * b, 1);
  const off = start + headerLen;
  const data = new Float32Array(n);
  switch (descr) {
    case '<f4': for (let i = 0; i < n; i++) data[i] = view.getFloat32(off + 4 * i, true); break;
    case '<f8': for (let i = 0; i < n; i++) data[i] = view.getFloat64(off + 8 * i, true); break;
    case '<f2': for (let i = 0; i < n; i++) data[i] = f16(view.getUint16(off + 2 * i, true)); break;
    default: fail(where, `dtype ${descr} is not read (little-endian float16/32/64 only)`);
  }
  return { dtype: 'F32', shape, data };
}

/** Every array of an `.npz` file's bytes, by name. */
export async function readNpz(bytes: Uint8Array, where = 'npz'): Promise<Map<string, SafeTensor>> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Map<string, SafeTensor>();
  for (const e of centralDirectory(bytes, where)) {
    if (!e.name.endsWith('.npy')) continue;
    const p = e.localOffset;
    if (view.getUint32(p, true) !== 0x04034b50) fail(where, `local header of ${e.name} is damaged`);
    const begin = p + 30 + view.getUint16(p + 26, true) + view.getUint16(p + 28, true);
    const raw = bytes.subarray(begin, begin + e.compressedSize);
    const npy = e.method === 0 ? raw : e.method === 8 ? await inflateRaw(raw) : fail(where, `${e.name}: zip method ${e.method} is not read (stored or deflated only)`);
    out.set(e.name.slice(0, -4), parseNpy(npy, `${where}:${e.name}`));
  }
  return out;
}
