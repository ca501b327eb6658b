/** PNG images through fast-png: decode to channels-last float data, encode 8-bit gray or RGB(A). */
import { decode, encode } from 'fast-png';

export interface Image2D {
  width: number;
  height: number;
  channels: number;
  /** Row-major, channels-last values as stored (0…255 or 0…65535). */
  data: Float32Array;
  bitDepth: number;
}

/** Decodes a PNG; palette images are expanded to their RGB(A) colours. `where` names the file in errors. */
export function decodePng(bytes: Uint8Array, where: string): Image2D {
  let png;
  try {
    png = decode(bytes);
  } catch (e) {
    throw new Error(`${where}: not a readable PNG (${(e as Error).message})`);
  }
  const { width, height } = png;
  if (png.palette) {
    const pal = png.palette;
    const ch = pal[0].length;
    const data = new Float32Array(width * height * ch);
    const idx = png.data;
    for (let i = 0; i < width * height; i++) for (let c = 0; c < ch; c++) data[i * ch + c] = pal[idx[i]][c];
    return { width, height, channels: ch, data, bitDepth: 8 };
  }
  return { width, height, channels: png.channels, data: Float32Array.from(png.data), bitDepth: png.depth };
}

/** Encodes 8-bit data (values clamped to 0…255) as PNG. */
export function encodePng(data: ArrayLike<number>, width: number, height: number, channels: 1 | 3 | 4): Uint8Array {
  const px = new Uint8Array(width * height * channels);
  for (let i = 0; i < px.length; i++) px[i] = Math.max(0, Math.min(255, Math.round(data[i])));
  return encode({ width, height, data: px, channels, depth: 8 });
}
