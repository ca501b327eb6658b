/** Test helper (used by *.test.ts and the hostile corpus only): PNGs built by hand, at any bit depth, header or data. */
import { deflateSync } from 'node:zlib';
import { crc32 } from './png.js';

/** One PNG chunk: length, type, body, CRC. */
export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length), v = new DataView(out.buffer);
  v.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  v.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}
/** The parts one after the other. */
export const concatBytes = (...parts: Uint8Array[]) => { const o = new Uint8Array(parts.reduce((s, p) => s + p.length, 0)); let k = 0; for (const p of parts) { o.set(p, k); k += p.length; } return o; };

/** A PNG of `values` (one sample per pixel: gray or palette index) packed at `depth` bits, filter 0 on every row. */
export function packedPng(values: number[], width: number, height: number, depth: number, opts: { palette?: number[][]; trns?: number[]; idat?: Uint8Array; declare?: [number, number] } = {}): Uint8Array {
  const rowBytes = Math.ceil((width * depth) / 8);
  const raw = new Uint8Array(opts.idat ? 0 : height * (1 + rowBytes)); // given image data: no pixels to pack
  for (let y = 0; y < (opts.idat ? 0 : height); y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      raw[y * (1 + rowBytes) + 1 + (bit >> 3)] |= values[y * width + x] << (8 - depth - (bit & 7));
    }
  }
  const ihdr = new Uint8Array(13), v = new DataView(ihdr.buffer);
  v.setUint32(0, opts.declare?.[0] ?? width);
  v.setUint32(4, opts.declare?.[1] ?? height);
  ihdr[8] = depth;
  ihdr[9] = opts.palette ? 3 : 0;
  const parts = [Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr)];
  if (opts.palette) parts.push(pngChunk('PLTE', Uint8Array.from(opts.palette.flat())));
  if (opts.trns) parts.push(pngChunk('tRNS', Uint8Array.from(opts.trns)));
  parts.push(pngChunk('IDAT', opts.idat ?? new Uint8Array(deflateSync(raw))), pngChunk('IEND', new Uint8Array(0)));
  return concatBytes(...parts);
}
