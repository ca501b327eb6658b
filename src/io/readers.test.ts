/**
 * Readers on real files: PNG, GIF, TIFF, NIfTI (.nii.gz and .nii), and their errors. ISBI and hippocampus cases come
 * from the copies in the repository's data/ (always checked); DSB-2018 and the blobs TIFF/GIF from ../shared/data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { repoRoot, noSharedData } from '../core/testing.js';
import { readVolume, stripExtension } from './readers.js';
import { encodePng } from './png.js';

const DATA = join(repoRoot, '..', 'shared', 'data');
const read = (p: string) => readVolume(new Uint8Array(readFileSync(join(DATA, p))), p);
const OWN = join(repoRoot, 'data');
const own = (p: string) => readVolume(new Uint8Array(readFileSync(join(OWN, p))), p);

test('PNG: isbi 512² gray 0/255 label', () => {
  const v = own('isbi2012/train/labels/0.png');
  assert.deepEqual([v.shape, v.channels], [[512, 512], 1]);
  assert.deepEqual([...new Set(v.data)].sort((a, b) => a - b), [0, 255]);
});

test('PNG: an opaque alpha channel is dropped (DSB-2018 RGBA → RGB); a real alpha is kept', { skip: noSharedData }, () => {
  const v = read('dsb2018-nuclei/images/077f026f4ab0f0bcc0856644d99cbf639e443ec4f067d7b708bc6cecac609424.png');
  assert.equal(v.channels, 3);
  const rgba = new Uint8Array([10, 20, 30, 255, 40, 50, 60, 255]);
  assert.deepEqual(Array.from(readVolume(encodePng(rgba, 2, 1, 4), 'a.png').data), [10, 20, 30, 40, 50, 60]);
  rgba[7] = 128;
  const kept = readVolume(encodePng(rgba, 2, 1, 4), 'b.png');
  assert.deepEqual([kept.channels, kept.data[7]], [4, 128]);
});

test('GIF: blobs.gif is one gray channel equal to 255 − the palette indices in blobs.png', { skip: noSharedData }, () => {
  const g = read('blobs/blobs.gif'), p = read('blobs/blobs.png');
  assert.deepEqual([g.shape, g.channels], [[254, 256], 1]);
  for (let i = 0; i < p.data.length; i++) assert.equal(g.data[i], 255 - p.data[i]);
});

test('TIFF: float32 labels equal the derived PNG', { skip: noSharedData }, () => {
  const t = read('blobs/source_tif/blobs_labels_otsu_cc.tif'), p = read('blobs/labels_otsu_cc.png');
  assert.deepEqual([t.shape, t.channels], [p.shape, 1]);
  assert.deepEqual(Array.from(t.data), Array.from(p.data));
});

test('NIfTI: .nii.gz image and label share shape [z,y,x], spacing, affine; .nii reads the same', () => {
  const im = own('hippocampus/images/hippocampus_004.nii.gz');
  const lb = own('hippocampus/labels/hippocampus_004.nii.gz');
  assert.equal(im.shape.length, 3);
  assert.deepEqual([lb.shape, lb.spacing, lb.affine], [im.shape, im.spacing, im.affine]);
  assert.deepEqual(im.spacing, [1, 1, 1]);
  assert.deepEqual([...new Set(lb.data)].sort(), [0, 1, 2]);
  const raw = new Uint8Array(gunzipSync(readFileSync(join(OWN, 'hippocampus/images/hippocampus_004.nii.gz'))));
  const plain = readVolume(raw, 'x.nii');
  assert.deepEqual(Array.from(plain.data), Array.from(im.data));
  // x fastest: the header's dim[1] is our W (last spatial axis).
  const dv = new DataView(raw.buffer, raw.byteOffset);
  assert.deepEqual(im.shape, [dv.getInt16(46, true), dv.getInt16(44, true), dv.getInt16(42, true)]);
});

test('NIfTI: the sform wins when sform_code > 0, even if qform_code is higher (nibabel\'s rule)', () => {
  const raw = new Uint8Array(gunzipSync(readFileSync(join(OWN, 'hippocampus/images/hippocampus_004.nii.gz'))));
  const dv = new DataView(raw.buffer, raw.byteOffset);
  dv.setInt16(252, 2, true); // qform_code (quaternion: identity rotation, pixdim 1, offsets from the file)
  dv.setInt16(254, 1, true); // sform_code
  const srow = [[0, 0, 2, -5], [0, 3, 0, 7], [4, 0, 0, 9]];
  srow.forEach((r, i) => r.forEach((v, j) => dv.setFloat32(280 + (i * 4 + j) * 4, v, true)));
  assert.deepEqual(readVolume(raw, 'x.nii').affine, [...srow, [0, 0, 0, 1]]);
  dv.setInt16(254, 0, true); // no sform: the qform
  assert.notDeepEqual(readVolume(raw, 'x.nii').affine, [...srow, [0, 0, 0, 1]]);
});

test('errors name the file and the problem', () => {
  const raw = new Uint8Array(readFileSync(join(OWN, 'hippocampus/images/hippocampus_004.nii.gz')));
  assert.throws(() => readVolume(raw.subarray(0, raw.length >> 1), 'cut.nii.gz'), /cut\.nii\.gz: .*(truncated|corrupt)/);
  const plain = new Uint8Array(gunzipSync(raw));
  assert.throws(() => readVolume(plain.subarray(0, 2000), 'cut.nii'), /cut\.nii: NIfTI truncated/);
  assert.throws(() => readVolume(new Uint8Array(10), 'bad.png'), /bad\.png: not a readable PNG/);
  assert.throws(() => readVolume(new Uint8Array(10), 'bad.gif'), /bad\.gif: not a readable GIF/);
  assert.throws(() => readVolume(new Uint8Array(10), 'bad.tif'), /bad\.tif: .*TIFF/);
  assert.throws(() => readVolume(new Uint8Array(10), 'x.bmp'), /x\.bmp: unsupported file extension; supported: \.png, \.gif, \.tif, \.tiff, \.nii, \.nii\.gz/);
  assert.equal(stripExtension('a.b.nii.gz'), 'a.b');
});
