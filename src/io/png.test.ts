/** PNG decoding of every bit depth from hand-built files (a tiny encoder below), the size limit and the inflate cap. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { decodePng } from './png.js';
import { readVolume } from './readers.js';
import { packedPng } from './png-testing.js';


// 5×3: widths that do not fill the last byte of a row at depths 1, 2 and 4.
const W = 5, H = 3;
const pattern = (max: number) => Array.from({ length: W * H }, (_, i) => (i * 7 + 3) % (max + 1));

for (const depth of [1, 2, 4]) {
  test(`gray ${depth}-bit: every pixel unpacked to 0…${2 ** depth - 1}, bitDepth kept`, () => {
    const want = pattern(2 ** depth - 1);
    const img = decodePng(packedPng(want, W, H, depth), 'g.png');
    assert.deepEqual([img.width, img.height, img.channels, img.bitDepth], [W, H, 1, depth]);
    assert.deepEqual(Array.from(img.data), want);
    const v = readVolume(packedPng(want, W, H, depth), 'g.png');
    assert.deepEqual([v.shape, v.channels, Array.from(v.data)], [[H, W], 1, want]);
  });

  test(`palette ${depth}-bit: index → colour (RGB; RGBA with tRNS)`, () => {
    const entries = 2 ** depth;
    const palette = Array.from({ length: entries }, (_, k) => [k * 10, 100 + k, 255 - k]);
    const idx = pattern(entries - 1);
    const rgb = readVolume(packedPng(idx, W, H, depth, { palette }), 'p.png');
    assert.deepEqual([rgb.shape, rgb.channels], [[H, W], 3]);
    assert.deepEqual(Array.from(rgb.data), idx.flatMap((k) => palette[k]));
    const trns = Array.from({ length: entries }, (_, k) => (k === 1 ? 0 : 255));
    const rgba = readVolume(packedPng(idx, W, H, depth, { palette, trns }), 'p.png');
    assert.equal(rgba.channels, 4);
    assert.deepEqual(Array.from(rgba.data), idx.flatMap((k) => [...palette[k], trns[k]]));
  });
}

test('palette index beyond the palette is refused naming the pixel', () => {
  const bytes = packedPng([0, 1, 3, 0], 2, 2, 2, { palette: [[1, 2, 3], [4, 5, 6]] });
  assert.throws(() => decodePng(bytes, 'p.png'), /^Error: p\.png: pixel 2 \(x 0, y 1\) has palette index 3 — rule: indices < the palette's 2 entries$/);
});

test('size limit: refused from the header before decoding; raisable', () => {
  // A 30000×30000 header over a tiny IDAT: refused at the header, never inflated.
  const bomb = packedPng([0], 1, 1, 8, { declare: [30000, 30000] });
  const t = Date.now();
  assert.throws(() => readVolume(bomb, 'bomb.png'), /^Error: bomb\.png: the header declares a 30000×30000 image \(width×height\) × 1 channel = 900000000 values — rule: at most 268435456 values per file \(maxVoxels\); raise it with --max-voxels N/);
  assert.ok(Date.now() - t < 200);
  const small = packedPng(pattern(255), W, H, 8);
  assert.throws(() => readVolume(small, 's.png', { maxVoxels: 14 }), /s\.png: the header declares a 5×3 image .* = 15 values — rule: at most 14 values/);
  assert.equal(readVolume(small, 's.png', { maxVoxels: 15 }).data.length, 15);
  assert.throws(() => readVolume(small, 's.png', { maxVoxels: 0 }), /maxVoxels = 0 — rule: maxVoxels is a positive integer/);
});

test('pixel data that inflates past or short of the header\'s size is refused (deflate bomb, truncation)', () => {
  // 4×4 gray 8-bit needs 4·(1+4) = 20 bytes; give it 10 MB of zeros (a deflate bomb) or 10 bytes.
  const bomb = packedPng([], 4, 4, 8, { idat: new Uint8Array(deflateSync(new Uint8Array(10 << 20))) });
  assert.throws(() => readVolume(bomb, 'b.png'), /^Error: b\.png: the pixel data inflates past the 20 bytes its 4×4 header needs — rule: a PNG holds exactly its declared pixels/);
  const short = packedPng([], 4, 4, 8, { idat: new Uint8Array(deflateSync(new Uint8Array(10))) });
  assert.throws(() => readVolume(short, 's.png'), /^Error: s\.png: the pixel data inflates to 10 bytes, the 4×4 header needs 20 — rule/);
  assert.throws(() => readVolume(new Uint8Array(10), 'x.png'), /x\.png: not a readable PNG \(10 bytes, no PNG signature/);
});

test('damaged chunks are refused: a flipped byte (CRC), a missing or cut IEND', () => {
  const good = packedPng(pattern(255), W, H, 8);
  assert.equal(readVolume(good, 'g.png').data.length, 15);
  const flipped = good.slice();
  flipped[30] ^= 0xff; // inside IHDR's CRC
  assert.throws(() => readVolume(flipped, 'f.png'), /^Error: f\.png: PNG chunk 'IHDR' at offset 8 fails its CRC .* — rule: every chunk's CRC matches/);
  const data = good.slice();
  data[45] ^= 0x01; // inside IDAT's compressed bytes: caught by the CRC before any inflating
  assert.throws(() => readVolume(data, 'd.png'), /d\.png: PNG chunk 'IDAT' at offset \d+ fails its CRC/);
  assert.throws(() => readVolume(good.subarray(0, good.length - 12), 'noend.png'), /^Error: noend\.png: PNG truncated: no IEND chunk/);
  assert.throws(() => readVolume(good.subarray(0, good.length - 1), 'cut.png'), /^Error: cut\.png: PNG truncated: 11 bytes at offset \d+ are too few for a chunk/);
});

test('a gray palette (every entry R = G = B, opaque) reads as one gray channel; a coloured one as RGB', () => {
  const gray = Array.from({ length: 16 }, (_, k) => [k * 17, k * 17, k * 17]);
  const idx = pattern(15);
  const v = readVolume(packedPng(idx, W, H, 4, { palette: gray }), 'g.png');
  assert.deepEqual([v.channels, Array.from(v.data)], [1, idx.map((k) => k * 17)]);
  const tinted = gray.map((c, k) => (k === 3 ? [c[0], c[1], c[2] + 1] : c));
  assert.equal(readVolume(packedPng(idx, W, H, 4, { palette: tinted }), 't.png').channels, 3);
});
