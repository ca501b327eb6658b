/**
 * Readers on hand-built files (no ../shared needed): NIfTI header validation, streaming .nii.gz (gzip bomb, truncation,
 * multi-member), multi-page TIFF as a volume, and the size limit — each refusal naming the file, the value and the rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, deflateRawSync, gzipSync } from 'node:zlib';
import { readVolume } from './readers.js';

const cat = (...parts: Uint8Array[]) => { const o = new Uint8Array(parts.reduce((s, p) => s + p.length, 0)); let k = 0; for (const p of parts) { o.set(p, k); k += p.length; } return o; };

interface NiiSpec { dims: number[]; datatype?: number; bitpix?: number; voxOffset?: number; values?: number[]; slope?: number; inter?: number; magic?: string; sizeofHdr?: number; pixdim?: number[] }
const TYPES: Record<number, [number, (v: DataView, o: number, x: number) => void]> = {
  2: [1, (v, o, x) => v.setUint8(o, x)], 4: [2, (v, o, x) => v.setInt16(o, x, true)], 16: [4, (v, o, x) => v.setFloat32(o, x, true)], 64: [8, (v, o, x) => v.setFloat64(o, x, true)],
};
/** A little-endian single-file NIfTI-1: `dims` = dim[0…], values in file order (x fastest). */
function nii(s: NiiSpec): Uint8Array {
  const dt = s.datatype ?? 2, [bytes, set] = TYPES[dt] ?? [1, () => {}];
  const off = s.voxOffset ?? 352;
  const values = s.values ?? [];
  const out = new Uint8Array(Math.max(348, off) + values.length * bytes), v = new DataView(out.buffer);
  v.setInt32(0, s.sizeofHdr ?? 348, true);
  s.dims.forEach((d, k) => v.setInt16(40 + 2 * k, d, true));
  v.setInt16(70, dt, true);
  v.setInt16(72, s.bitpix ?? bytes * 8, true);
  (s.pixdim ?? [1, 1, 1, 1]).forEach((p, k) => v.setFloat32(76 + 4 * k, p, true));
  v.setFloat32(108, off, true);
  v.setFloat32(112, s.slope ?? 0, true);
  v.setFloat32(116, s.inter ?? 0, true);
  out.set(new TextEncoder().encode(s.magic ?? 'n+1\0'), 344);
  values.forEach((x, i) => set(v, Math.max(348, off) + i * bytes, x));
  return out;
}

/** gzip member framing around a raw deflate stream (CRC and size left 0: the reader must not rely on them). */
const gzFrame = (deflate: Uint8Array) => cat(Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), deflate, new Uint8Array(8));

/** `prefix` followed by `gib` GiB of zeros, as one gzip member of ≈ 1 MB per GiB (deflate's ≈ 1032:1 at most). */
function gzipBomb(prefix: Uint8Array, gib: number): Uint8Array {
  const flush = { finishFlush: constants.Z_FULL_FLUSH };
  const head = new Uint8Array(deflateRawSync(prefix, flush));
  const mib = new Uint8Array(deflateRawSync(new Uint8Array(1 << 20), flush)); // independent of the window: repeatable
  const body = new Uint8Array(mib.length * 1024 * gib);
  for (let k = 0; k < 1024 * gib; k++) body.set(mib, k * mib.length);
  return gzFrame(cat(head, body, Uint8Array.from([3, 0])));
}

const cube = Array.from({ length: 4 * 3 * 2 }, (_, i) => i);

test('NIfTI: values in file order → [z, y, x], scl_slope/inter applied, 4th dim → channels last', () => {
  const v = readVolume(nii({ dims: [3, 4, 3, 2, 1], datatype: 4, values: cube, slope: 2, inter: 1 }), 'a.nii');
  assert.deepEqual([v.shape, v.channels], [[2, 3, 4], 1]);
  assert.deepEqual(Array.from(v.data), cube.map((x) => 2 * x + 1));
  const c = readVolume(nii({ dims: [4, 2, 2, 1, 2], values: [1, 2, 3, 4, 10, 20, 30, 40] }), 'c.nii');
  assert.deepEqual([c.shape, c.channels, Array.from(c.data)], [[1, 2, 2], 2, [1, 10, 2, 20, 3, 30, 4, 40]]);
});

test('NIfTI: dim, datatype, vox_offset and byte count are validated, naming file, value and rule', () => {
  const bad = (s: NiiSpec, re: RegExp, bytes?: Uint8Array) => assert.throws(() => readVolume(bytes ?? nii(s), 'x.nii'), re);
  bad({ dims: [3, 4, -3, 2], values: cube }, /^Error: x\.nii: NIfTI dim\[2\] = -3 \(dim\[0\] = 3\) — rule: every used dimension dim\[1…dim\[0\]\] is ≥ 1$/);
  bad({ dims: [3, 4, 0, 2], values: cube }, /x\.nii: NIfTI dim\[2\] = 0 /);
  bad({ dims: [0, 4, 3, 2], values: cube }, /x\.nii: NIfTI dim\[0\] = 0, must be 1…5/);
  bad({ dims: [8, 4, 3, 2, 1, 1, 1, 1], values: cube }, /x\.nii: NIfTI dim\[0\] = 8, must be 1…5/);
  bad({ dims: [3, 4, 3, 2], values: cube, voxOffset: 0 }, /^Error: x\.nii: NIfTI vox_offset = 0 — rule: .* ≥ 352$/);
  bad({ dims: [3, 4, 3, 2], values: cube, voxOffset: 348 }, /x\.nii: NIfTI vox_offset = 348 — rule/);
  bad({ dims: [3, 4, 3, 2], values: cube, voxOffset: 352.5 }, /x\.nii: NIfTI vox_offset = 352\.5 — rule: .*whole byte offset/);
  bad({ dims: [3, 4, 3, 2], datatype: 128 }, /x\.nii: NIfTI datatype 128 is not supported; supported: 2, 4, 8, 16, 64, 256, 512, 768/);
  bad({ dims: [3, 4, 3, 2], values: cube.slice(1) }, /^Error: x\.nii: NIfTI truncated: 375 bytes, need 376 for 4×3×2×1 of datatype 2 at vox_offset 352 — rule/);
  bad({ dims: [3, 4, 3, 2] }, /^Error: x\.nii: NIfTI truncated: 400 bytes, need 100024 for 4×3×2×1 of datatype 2 at vox_offset 100000 — rule/, nii({ dims: [3, 4, 3, 2], voxOffset: 100000 }).subarray(0, 400));
  bad({ dims: [3, 4, 3, 2], values: cube, magic: 'ni1\0' }, /x\.nii: a NIfTI-1 header whose voxels are in a separate \.img file \(magic 'ni1'\)/);
  bad({ dims: [3, 4, 3, 2], values: cube, sizeofHdr: 540 }, /x\.nii: a NIfTI-2 file/);
  bad({ dims: [3, 4, 3, 2] }, /x\.nii: not a NIfTI-1 file \(100 bytes/, new Uint8Array(100));
  bad({ dims: [3, 4, 3, 2], values: cube, pixdim: [1, NaN, 1, 1] }, /^Error: x\.nii: NIfTI pixdim\[1\] = NaN — rule: voxel sizes are finite numbers/);
  bad({ dims: [3, 4, 3, 2], values: cube, pixdim: [1, 1, Infinity, 1] }, /x\.nii: NIfTI pixdim\[2\] = Infinity/);
  // pixdim 0 reads as 1 mm; a negative one as its size (nibabel's fix); an unused one (pixdim[4] of a 3-D file) is ignored
  assert.deepEqual(readVolume(nii({ dims: [3, 4, 3, 2], values: cube, pixdim: [1, 0, -2, 3, NaN] }), 'x.nii').spacing, [3, 2, 1]);
});

test('NIfTI: the size limit is checked from the header (30000³ refused at once) and raisable', () => {
  const t = Date.now();
  assert.throws(() => readVolume(nii({ dims: [3, 30000, 30000, 30000] }), 'big.nii'),
    /^Error: big\.nii: the header declares a 30000×30000×30000 volume \(x×y×z\) × 1 channel = 27000000000000 values — rule: at most 268435456 values per file \(maxVoxels\); raise it with --max-voxels N/);
  assert.ok(Date.now() - t < 100);
  const bytes = nii({ dims: [3, 4, 3, 2], values: cube });
  assert.throws(() => readVolume(bytes, 'a.nii', { maxVoxels: 23 }), /a\.nii: the header declares a 4×3×2 volume .* = 24 values — rule: at most 23 values/);
  assert.equal(readVolume(bytes, 'a.nii', { maxVoxels: 24 }).data.length, 24);
});

test('NIfTI .nii.gz: a gzip bomb inflating to 4 GiB is read up to what its header needs, fast and in bounded memory', () => {
  const values = Array.from({ length: 8 * 8 * 8 }, (_, i) => (i * 13) % 251);
  const small = nii({ dims: [3, 8, 8, 8], values });
  const bomb = gzipBomb(small, 4);
  assert.ok(bomb.length < 6e6);
  const rss0 = process.memoryUsage().rss, t = Date.now();
  const v = readVolume(bomb, 'bomb.nii.gz');
  assert.ok(Date.now() - t < 2000, `took ${Date.now() - t} ms`);
  assert.ok(process.memoryUsage().rss - rss0 < 300e6);
  assert.deepEqual([v.shape, Array.from(v.data)], [[8, 8, 8], values]);
  // The same bomb whose header claims 2048³ uint8 (> 2^28 values): refused from the header.
  const t2 = Date.now();
  assert.throws(() => readVolume(gzipBomb(nii({ dims: [3, 2048, 2048, 2048] }), 1), 'bomb2.nii.gz'), /^Error: bomb2\.nii\.gz: the header declares a 2048×2048×2048 volume/);
  assert.ok(Date.now() - t2 < 2000);
});

test('NIfTI .nii.gz: truncated or corrupt streams refused; multi-member gzip and voxels split across members read', () => {
  const values = Array.from({ length: 4 * 3 * 2 }, (_, i) => i * 1.5 - 7);
  const plain = nii({ dims: [3, 4, 3, 2], datatype: 64, values });
  const gz = new Uint8Array(gzipSync(plain));
  assert.deepEqual(Array.from(readVolume(gz, 'a.nii.gz').data), values);
  // Two members split inside a float64 voxel (and inside the header): the carry across chunks must join them.
  for (const cut of [200, 352 + 8 * 5 + 3]) {
    const two = cat(new Uint8Array(gzipSync(plain.subarray(0, cut))), new Uint8Array(gzipSync(plain.subarray(cut))));
    assert.deepEqual(Array.from(readVolume(two, 'm.nii.gz').data), values, `cut at ${cut}`);
  }
  // A clean stream that ends early: truncated, with both sizes.
  assert.throws(() => readVolume(new Uint8Array(gzipSync(plain.subarray(0, 400))), 't.nii.gz'),
    /^Error: t\.nii\.gz: NIfTI truncated: the gzip data inflates to 400 bytes, need 544 for 4×3×2×1 of datatype 64 at vox_offset 352 — rule/);
  // A cut gzip stream.
  assert.throws(() => readVolume(gz.subarray(0, gz.length >> 1), 'c.nii.gz'), /^Error: c\.nii\.gz: gzip data is truncated or corrupt/);
  // Less than a header.
  assert.throws(() => readVolume(new Uint8Array(gzipSync(new Uint8Array(100))), 'h.nii.gz'), /h\.nii\.gz: not a NIfTI-1 file \(the gzip data inflates to 100 bytes/);
});

/** A little-endian classic TIFF: one uncompressed strip per page; `next` overrides the last page's next-IFD offset. */
function tiff(pages: { w: number; h: number; bits?: number; values: number[] }[], opts: { next?: number; subfile?: number[] } = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  let pos = 8;
  const header = new Uint8Array(8), hv = new DataView(header.buffer);
  header.set([0x49, 0x49]); hv.setUint16(2, 42, true); hv.setUint32(4, 8, true);
  parts.push(header);
  pages.forEach((p, k) => {
    const bits = p.bits ?? 8, bytes = bits / 8;
    const tags: [number, number, number][] = [[254, 4, opts.subfile?.[k] ?? 0], [256, 3, p.w], [257, 3, p.h], [258, 3, bits], [259, 3, 1], [262, 3, 1], [273, 4, 0], [277, 3, 1], [278, 3, p.h], [279, 4, p.w * p.h * bytes]];
    const ifdSize = 2 + 12 * tags.length + 4;
    const dataAt = pos + ifdSize;
    const ifd = new Uint8Array(ifdSize + p.w * p.h * bytes), v = new DataView(ifd.buffer);
    v.setUint16(0, tags.length, true);
    tags.forEach(([tag, type, val], i) => {
      const e = 2 + 12 * i;
      v.setUint16(e, tag, true); v.setUint16(e + 2, type, true); v.setUint32(e + 4, 1, true);
      if (type === 3) v.setUint16(e + 8, val, true); else v.setUint32(e + 8, tag === 273 ? dataAt : val, true);
    });
    const end = pos + ifd.length;
    v.setUint32(ifdSize - 4, k === pages.length - 1 ? (opts.next ?? 0) : end, true);
    p.values.forEach((x, i) => (bits === 8 ? v.setUint8(ifdSize + i, x) : v.setUint16(ifdSize + 2 * i, x, true)));
    parts.push(ifd);
    pos = end;
  });
  return cat(...parts);
}

const page = (k: number, w = 4, h = 3) => ({ w, h, values: Array.from({ length: w * h }, (_, i) => k * 100 + i) });

test('TIFF: one page → [H, W]; pages of one size → a volume [pages, H, W]; thumbnails skipped', () => {
  const one = readVolume(tiff([page(0)]), 'one.tif');
  assert.deepEqual([one.shape, Array.from(one.data)], [[3, 4], page(0).values]);
  const vol = readVolume(tiff([page(0), page(1), page(2)]), 'vol.tif');
  assert.deepEqual([vol.shape, vol.channels, vol.spacing], [[3, 3, 4], 1, [1, 1, 1]]);
  assert.deepEqual(Array.from(vol.data), [0, 1, 2].flatMap((k) => page(k).values));
  const thumb = readVolume(tiff([page(0), page(1, 2, 2), page(2)], { subfile: [0, 1, 0] }), 'thumb.tif');
  assert.deepEqual(Array.from(thumb.data), [0, 2].flatMap((k) => page(k).values));
});

test('TIFF: differing pages, IFD loops, tags past the end and the size limit refused, naming file, value and rule', () => {
  assert.throws(() => readVolume(tiff([page(0), page(1, 5, 3)]), 'd.tif'),
    /^Error: d\.tif: page 1 is 5×3 pixels × 1 samples of 8 bit \(format 1\), page 0 4×3 pixels × 1 samples of 8 bit \(format 1\) — rule: a multi-page TIFF is read as a volume \[pages, H, W\], so every page has the same size and sample type$/);
  assert.throws(() => readVolume(tiff([page(0), { ...page(1), bits: 16 }]), 'b.tif'), /b\.tif: page 1 is 4×3 pixels × 1 samples of 16 bit/);
  assert.throws(() => readVolume(tiff([page(0), page(1)], { next: 8 }), 'loop.tif'), /^Error: loop\.tif: the IFD chain loops back to offset 8 after 2 pages — rule: each page \(IFD\) appears once$/);
  const cut = tiff([page(0), page(1)]);
  assert.throws(() => readVolume(cut.subarray(0, 150), 'cut.tif'), /^Error: cut\.tif: IFD 1 at offset \d+ has|^Error: cut\.tif: IFD 1 at offset \d+ lies past/);
  assert.throws(() => readVolume(tiff([page(0), page(1), page(2)]), 'big.tif', { maxVoxels: 35 }),
    /^Error: big\.tif: the header declares a 4×3×3 volume \(width×height×pages\) × 1 channel = 36 values — rule: at most 35 values per file \(maxVoxels\)/);
  assert.throws(() => readVolume(new Uint8Array(10), 'bad.tif'), /bad\.tif: not a readable TIFF/);
  // One page cut inside its pixel data: the strip lies past the end (UTIF alone would read zeros for the rest).
  const one = tiff([page(0, 40, 30)]);
  assert.throws(() => readVolume(one.subarray(0, one.length - 100), 'short.tif'), /^Error: short\.tif: TIFF truncated: page 0's strip 0 lies at bytes \d+…\d+, the file has \d+ — rule: every strip or tile lies inside the file$/);
});
