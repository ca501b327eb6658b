/**
 * PNG images through fast-png: decode to channels-last float data, encode 8-bit gray or RGB(A).
 *
 * Before decoding, the header (IHDR) is read and checked against `ReadLimits` (no allocation for a "PNG bomb"), and the
 * pixel data (IDAT) is inflated as a stream with a cap at the size the header implies — a stream that inflates past it
 * (a deflate bomb) or short of it (truncated) is refused. Bit depths 1, 2 and 4 (gray or palette) are unpacked here:
 * fast-png returns them as packed bytes. Adam7-interlaced images at those depths are refused (fast-png mis-decodes them).
 */
import { decode, encode } from 'fast-png';
import { Unzlib } from 'fflate';
import { checkSize, type ReadLimits } from './limits.js';

export interface Image2D {
  width: number;
  height: number;
  channels: number;
  /** Row-major, channels-last values as stored: 0…2^bitDepth − 1 (gray 1/2/4/8/16 bit), palette colours 0…255. */
  data: Float32Array;
  /** Bits per value of `data`: the file's depth for gray and colour images; 8 for palette images (their colours). */
  bitDepth: number;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The IHDR fields and where the IDAT data lies (chunk walk; no decoding). */
interface PngHeader {
  width: number; height: number; depth: number; colorType: number; interlace: number;
  hasTrns: boolean; idat: Uint8Array[];
}

function readHeader(bytes: Uint8Array, where: string): PngHeader {
  if (bytes.length < 33 || SIGNATURE.some((b, i) => bytes[i] !== b)) throw new Error(`${where}: not a readable PNG (${bytes.length} bytes, no PNG signature and IHDR)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = (o: number) => String.fromCharCode(bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]);
  if (type(12) !== 'IHDR' || view.getUint32(8) !== 13) throw new Error(`${where}: not a readable PNG (the first chunk is not a 13-byte IHDR)`);
  const h: PngHeader = {
    width: view.getUint32(16), height: view.getUint32(20), depth: bytes[24], colorType: bytes[25], interlace: bytes[28], hasTrns: false, idat: [],
  };
  // Every chunk whole and its CRC right (critical chunks as libpng checks them; ancillary ones too: a flipped byte
  // anywhere is a damaged file), up to a complete IEND.
  let ended = false;
  for (let o = 8; o < bytes.length;) {
    if (o + 12 > bytes.length) throw new Error(`${where}: PNG truncated: ${bytes.length - o} bytes at offset ${o} are too few for a chunk — rule: a PNG ends with a complete IEND chunk`);
    const len = view.getUint32(o), t = type(o + 4);
    if (o + 12 + len > bytes.length) throw new Error(`${where}: PNG truncated: chunk '${t}' at offset ${o} declares ${len} bytes, the file has ${bytes.length - o - 12} left — rule: a PNG ends with a complete IEND chunk`);
    const crc = crc32(bytes.subarray(o + 4, o + 8 + len));
    if (crc !== view.getUint32(o + 8 + len)) throw new Error(`${where}: PNG chunk '${t}' at offset ${o} fails its CRC (stored ${view.getUint32(o + 8 + len).toString(16)}, computed ${crc.toString(16)}) — rule: every chunk's CRC matches (the file is damaged)`);
    if (t === 'tRNS') h.hasTrns = true;
    else if (t === 'IDAT') h.idat.push(bytes.subarray(o + 8, o + 8 + len));
    else if (t === 'IEND') { ended = true; break; }
    o += 12 + len;
  }
  if (!ended) throw new Error(`${where}: PNG truncated: no IEND chunk — rule: a PNG ends with a complete IEND chunk`);
  return h;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (ISO 3309, as PNG chunks and gzip members carry it). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];

/** Bytes the inflated IDAT stream must hold: per (pass) row, a filter byte and the packed row. */
function expectedBytes(h: PngHeader): number {
  const bits = CHANNELS[h.colorType] * h.depth;
  const rows = (w: number, n: number) => (w > 0 && n > 0 ? n * (1 + Math.ceil((w * bits) / 8)) : 0);
  if (h.interlace === 0) return rows(h.width, h.height);
  return ADAM7.reduce((s, [x, y, dx, dy]) => s + rows(Math.ceil((h.width - x) / dx), Math.ceil((h.height - y) / dy)), 0);
}

/** Inflates the IDAT data as a stream, refusing as soon as it passes `expected` bytes, and when it ends short. */
function checkIdat(h: PngHeader, expected: number, where: string): void {
  let got = 0;
  const z = new Unzlib((chunk) => {
    got += chunk.length;
    if (got > expected) throw new Error(`${where}: the pixel data inflates past the ${expected} bytes its ${h.width}×${h.height} header needs — rule: a PNG holds exactly its declared pixels (a deflate bomb or corrupt file)`);
  });
  const STEP = 16384;
  try {
    for (const part of h.idat) for (let o = 0; o < part.length; o += STEP) z.push(part.subarray(o, o + STEP), false);
    z.push(new Uint8Array(0), true);
  } catch (e) {
    const m = (e as Error).message;
    if (m.startsWith(where)) throw e;
    throw new Error(`${where}: not a readable PNG (pixel data: ${m}, after ${got} of ${expected} bytes) — rule: a PNG holds exactly its declared pixels`);
  }
  if (got < expected) throw new Error(`${where}: the pixel data inflates to ${got} bytes, the ${h.width}×${h.height} header needs ${expected} — rule: a PNG holds exactly its declared pixels (truncated)`);
}

/**
 * Decodes a PNG; palette images are expanded to their RGB(A) colours (one gray channel when every palette entry is an
 * opaque gray), gray images of 1, 2 or 4 bits unpacked to
 * 0…2^depth − 1. `where` names the file in errors; `limits` caps the decoded size (checked from the header first).
 */
export function decodePng(bytes: Uint8Array, where: string, limits?: ReadLimits): Image2D {
  const h = readHeader(bytes, where);
  if (!(h.colorType in CHANNELS)) throw new Error(`${where}: not a readable PNG (colour type ${h.colorType}) — rule: colour type 0, 2, 3, 4 or 6`);
  if (![1, 2, 4, 8, 16].includes(h.depth)) throw new Error(`${where}: not a readable PNG (bit depth ${h.depth}) — rule: 1, 2, 4, 8 or 16`);
  if (h.width < 1 || h.height < 1) throw new Error(`${where}: not a readable PNG (size ${h.width}×${h.height}) — rule: width and height ≥ 1`);
  const outChannels = h.colorType === 3 ? (h.hasTrns ? 4 : 3) : CHANNELS[h.colorType];
  checkSize(where, [h.width, h.height], outChannels, limits, 'image (width×height)');
  if (h.interlace === 1 && h.depth < 8) throw new Error(`${where}: an Adam7-interlaced PNG of bit depth ${h.depth} — rule: interlaced PNGs must have 8 or 16 bits; save it without interlacing`);
  checkIdat(h, expectedBytes(h), where);
  let png;
  try {
    png = decode(bytes);
  } catch (e) {
    throw new Error(`${where}: not a readable PNG (${(e as Error).message})`);
  }
  const { width, height } = png;
  const n = width * height;
  const d = png.depth;
  // Depths below 8 come packed, each row starting on a byte, most significant bits first.
  const indices = d >= 8 ? png.data : unpack(png.data as Uint8Array, width, height, d);
  if (png.palette) {
    const pal = png.palette;
    // A gray palette (every entry R = G = B, opaque) gives one gray channel, as GIF's readers do.
    const grayPalette = pal.every((c) => c[0] === c[1] && c[1] === c[2] && (c.length === 3 || c[3] === 255));
    const ch = grayPalette ? 1 : pal[0].length;
    const data = new Float32Array(n * ch);
    for (let i = 0; i < n; i++) {
      const colour = pal[indices[i]];
      if (!colour) throw new Error(`${where}: pixel ${i} (x ${i % width}, y ${Math.floor(i / width)}) has palette index ${indices[i]} — rule: indices < the palette's ${pal.length} entries`);
      for (let c = 0; c < ch; c++) data[i * ch + c] = colour[c];
    }
    return { width, height, channels: ch, data, bitDepth: 8 };
  }
  return { width, height, channels: png.channels, data: Float32Array.from(indices), bitDepth: d };
}

/** Unpacks 1/2/4-bit samples (one channel: gray or palette index): rows of ceil(width·depth/8) bytes, MSB first. */
function unpack(packed: Uint8Array, width: number, height: number, depth: number): Uint8Array {
  const rowBytes = Math.ceil((width * depth) / 8), mask = (1 << depth) - 1, perByte = 8 / depth;
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = y * rowBytes;
    for (let x = 0; x < width; x++) {
      out[y * width + x] = (packed[row + Math.floor(x / perByte)] >> (8 - depth * ((x % perByte) + 1))) & mask;
    }
  }
  return out;
}

/** Encodes 8-bit data (values clamped to 0…255) as PNG. */
export function encodePng(data: ArrayLike<number>, width: number, height: number, channels: 1 | 3 | 4): Uint8Array {
  const px = new Uint8Array(width * height * channels);
  for (let i = 0; i < px.length; i++) px[i] = Math.max(0, Math.min(255, Math.round(data[i])));
  return encode({ width, height, data: px, channels, depth: 8 });
}
