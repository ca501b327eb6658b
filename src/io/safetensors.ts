/**
 * The safetensors format (Hugging Face): 8-byte little-endian header length N, N bytes of JSON
 * `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?: {string: string}}`, then the raw little-endian
 * data. Pure TypeScript on Uint8Array, so it runs in Node and in the browser alike.
 * Reading checks the layout as the format requires: offsets inside the data, sized to dtype × shape, the tensors tiling
 * the data exactly (no overlap, no gap, nothing after). Values are not checked here (see `loadStateDict` for NaN/Inf).
 */

export type SafeDType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

export interface SafeTensor {
  dtype: SafeDType;
  shape: number[];
  /** Values: Float32Array for float dtypes, Int32Array for integer ones (I64 must fit in 32 bits), Uint8Array for U8/BOOL. */
  data: Float32Array | Int32Array | Uint8Array;
}

export interface SafeFile {
  tensors: Map<string, SafeTensor>;
  metadata: Record<string, string>;
}

const BYTES: Record<SafeDType, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

function decode(dtype: SafeDType, bytes: Uint8Array, name: string, where: string): SafeTensor['data'] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.byteLength / BYTES[dtype];
  switch (dtype) {
    case 'F32': { const o = new Float32Array(n); for (let i = 0; i < n; i++) o[i] = view.getFloat32(4 * i, true); return o; }
    case 'F64': { const o = new Float32Array(n); for (let i = 0; i < n; i++) o[i] = view.getFloat64(8 * i, true); return o; }
    case 'F16': { const o = new Float32Array(n); for (let i = 0; i < n; i++) o[i] = f16ToF32(view.getUint16(2 * i, true)); return o; }
    case 'BF16': { const o = new Float32Array(n); const u = new Uint32Array(o.buffer); for (let i = 0; i < n; i++) u[i] = view.getUint16(2 * i, true) << 16; return o; }
    case 'I64': {
      const o = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = view.getBigInt64(8 * i, true);
        if (v > 2147483647n || v < -2147483648n) throw new Error(`${where}: tensor '${name}' holds the int64 value ${v}, outside the 32-bit range this reader supports`);
        o[i] = Number(v);
      }
      return o;
    }
    case 'I32': { const o = new Int32Array(n); for (let i = 0; i < n; i++) o[i] = view.getInt32(4 * i, true); return o; }
    case 'I16': { const o = new Int32Array(n); for (let i = 0; i < n; i++) o[i] = view.getInt16(2 * i, true); return o; }
    case 'I8': { const o = new Int32Array(n); for (let i = 0; i < n; i++) o[i] = view.getInt8(i); return o; }
    case 'U8': case 'BOOL': return bytes.slice();
  }
}

/** Parses a safetensors buffer; `where` (a file name) prefixes every error. */
export function readSafetensors(buf: Uint8Array, where = 'safetensors'): SafeFile {
  if (buf.byteLength < 8) throw new Error(`${where}: ${buf.byteLength} bytes is too short for a safetensors file (an 8-byte header length comes first)`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > buf.byteLength - 8) throw new Error(`${where}: header length ${n} exceeds the file's ${buf.byteLength - 8} remaining bytes (truncated or not safetensors)`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(buf.subarray(8, 8 + n)));
  } catch (e) {
    throw new Error(`${where}: the header is not valid JSON (${(e as Error).message})`);
  }
  const data = buf.subarray(8 + n);
  const tensors = new Map<string, SafeTensor>();
  let metadata: Record<string, string> = {};
  const spans: { name: string; begin: number; end: number; dtype: SafeDType; shape: number[] }[] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') { metadata = entry as Record<string, string>; continue; }
    const { dtype, shape, data_offsets: off } = (entry ?? {}) as { dtype: SafeDType; shape: number[]; data_offsets: [number, number] };
    if (!(dtype in BYTES)) throw new Error(`${where}: tensor '${name}' has dtype '${dtype}'; supported: ${Object.keys(BYTES).join(', ')}`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new Error(`${where}: tensor '${name}' has shape ${JSON.stringify(shape)} — rule: a list of integers ≥ 0`);
    const count = shape.reduce((a, b) => a * b, 1);
    if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isSafeInteger(o)) || off[0] < 0 || off[1] < off[0] || off[1] > data.byteLength || off[1] - off[0] !== count * BYTES[dtype]) {
      throw new Error(`${where}: tensor '${name}' (${dtype} [${shape}]) needs ${count * BYTES[dtype]} bytes but its offsets [${off}] give ${Array.isArray(off) ? off[1] - off[0] : 0} within ${data.byteLength} data bytes — rule: offsets [begin, end] inside the data, end − begin = the tensor's bytes (truncated or corrupt)`);
    }
    spans.push({ name, begin: off[0], end: off[1], dtype, shape });
  }
  // As the format requires (and the reference implementation checks): the tensors tile the data exactly — sorted by
  // offset, each begins where the previous ends, the first at 0, the last at the end. No overlaps, no gaps.
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const [k, s] of spans.entries()) {
    if (s.begin < at) throw new Error(`${where}: tensor '${s.name}' data_offsets [${s.begin}, ${s.end}] overlap tensor '${spans[k - 1].name}' [${spans[k - 1].begin}, ${spans[k - 1].end}] — rule: tensors' data do not overlap`);
    if (s.begin > at) throw new Error(`${where}: tensor '${s.name}' data_offsets [${s.begin}, ${s.end}] leave bytes ${at}…${s.begin - 1} unused${k ? ` after tensor '${spans[k - 1].name}'` : ''} — rule: tensors' data are contiguous, without gaps`);
    at = s.end;
  }
  if (at !== data.byteLength) throw new Error(`${where}: the tensors' data end at byte ${at} of ${data.byteLength} data bytes — rule: the data holds the tensors and nothing else (corrupt or truncated header)`);
  for (const s of spans) tensors.set(s.name, { dtype: s.dtype, shape: s.shape, data: decode(s.dtype, data.subarray(s.begin, s.end), s.name, where) });
  return { tensors, metadata };
}

/** Serialises tensors (F32, I32, I64, U8) in insertion order, with optional string metadata. */
export function writeSafetensors(tensors: Map<string, SafeTensor>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (size !== t.data.length) throw new Error(`writeSafetensors: tensor '${name}' has shape [${t.shape}] (${size} values) but ${t.data.length} values`);
    const bytes = size * BYTES[t.dtype];
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = JSON.stringify(header);
  const pad = (8 - ((8 + new TextEncoder().encode(json).byteLength) % 8)) % 8; // align the data to 8 bytes
  const head = new TextEncoder().encode(json + ' '.repeat(pad));
  const out = new Uint8Array(8 + head.byteLength + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(head.byteLength), true);
  out.set(head, 8);
  let p = 8 + head.byteLength;
  for (const [name, t] of tensors) {
    switch (t.dtype) {
      case 'F32': for (const v of t.data) { view.setFloat32(p, v, true); p += 4; } break;
      case 'I32': for (const v of t.data) { view.setInt32(p, v, true); p += 4; } break;
      case 'I64': for (const v of t.data) { view.setBigInt64(p, BigInt(Math.trunc(v)), true); p += 8; } break;
      case 'U8': for (const v of t.data) { view.setUint8(p, v); p += 1; } break;
      default: throw new Error(`writeSafetensors: tensor '${name}': writing dtype ${t.dtype} is not supported (F32, I32, I64, U8 are)`);
    }
  }
  return out;
}
