/** Dataset listing on a real folder (symbolic links followed, loops and dangling links refused) and geometry checks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePng } from '../io/png.js';
import { encodeNifti } from '../io/nifti-write.js';
import { readVolume } from '../io/readers.js';
import { checkGeometry, loadDataset } from './dataset.js';

const opts = { classes: 2, labelMap: { 0: 0, 255: 1 }, channels: 1 };

function folder(): string {
  const d = mkdtempSync(join(tmpdir(), 'unet-ds-'));
  mkdirSync(join(d, 'images')); mkdirSync(join(d, 'labels')); mkdirSync(join(d, 'store'));
  return d;
}

test('symbolic links to files are followed (an all-symlink dataset loads)', async () => {
  const d = folder();
  writeFileSync(join(d, 'store', 'i.png'), encodePng([1, 2, 3, 4], 2, 2, 1));
  writeFileSync(join(d, 'store', 'l.png'), encodePng([0, 255, 0, 255], 2, 2, 1));
  symlinkSync(join(d, 'store', 'i.png'), join(d, 'images', 'a.png'));
  symlinkSync('../store/l.png', join(d, 'labels', 'a.png'));
  const s = await loadDataset(d, opts);
  assert.deepEqual([s.length, s[0].name, Array.from(s[0].label)], [1, 'a', [0, 1, 0, 1]]);
});

test('a symbolic link loop or a dangling link is refused naming the path', async () => {
  const d = folder();
  writeFileSync(join(d, 'images', 'a.png'), encodePng([1, 2, 3, 4], 2, 2, 1));
  symlinkSync(join(d, 'labels', 'a.png'), join(d, 'labels', 'a.png'));
  await assert.rejects(loadDataset(d, opts), new RegExp(`^Error: ${d}/labels/a\\.png: a symbolic link loop \\(ELOOP\\) — rule: every link in a dataset resolves to a file$`));
  const e = folder();
  symlinkSync(join(e, 'store', 'gone.png'), join(e, 'images', 'a.png'));
  await assert.rejects(loadDataset(e, opts), new RegExp(`^Error: ${e}/images/a\\.png: a symbolic link to nothing`));
});

test('duplicate case names are refused naming both files; the size limit reaches every file', async () => {
  const d = folder();
  const img = encodePng([1, 2, 3, 4], 2, 2, 1);
  writeFileSync(join(d, 'images', '0.png'), img);
  writeFileSync(join(d, 'images', '0.tif'), img);
  writeFileSync(join(d, 'labels', '0.png'), encodePng([0, 255, 0, 255], 2, 2, 1));
  await assert.rejects(loadDataset(d, opts), new RegExp(`^Error: ${d}/images/0\\.tif: name '0' also used by ${d}/images/0\\.png — rule: one file per case name`));
  const e = folder();
  writeFileSync(join(e, 'images', '0.png'), img);
  writeFileSync(join(e, 'labels', '0.png'), encodePng([0, 255, 0, 255], 2, 2, 1));
  await assert.rejects(loadDataset(e, { ...opts, limits: { maxVoxels: 3 } }), /images\/0\.png: the header declares a 2×2 image .* = 4 values — rule: at most 3 values/);
});

const I4 = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
const nii = (spacing: number[], affine?: number[][]) => readVolume(encodeNifti({ data: new Float32Array(8), shape: [2, 2, 2] }, { like: { spacing, affine: affine ?? I4.map((r, i) => r.map((v, j) => (i < 3 && j === i ? spacing[2 - i] : v))), source: 'like' } }), 'x.nii');

test('NIfTI image/label geometry: spacing or affine beyond a thousandth of a voxel refused with both files and values', () => {
  const a = { ...nii([1, 1, 1]), source: 'img.nii' };
  checkGeometry(a, { ...nii([1, 1, 1]), source: 'lab.nii' });
  checkGeometry(a, { ...nii([1, 1, 1.0005]), source: 'lab.nii' }); // within tolerance
  assert.throws(() => checkGeometry(a, { ...nii([1, 1, 1.5]), source: 'lab.nii' }),
    /^Error: lab\.nii: label spacing \[1, 1, 1\.5\] mm differs from image img\.nii spacing \[1, 1, 1\] mm — rule: a label has its image's voxel spacing \(within 0\.00100 mm\)$/);
  const moved = nii([1, 1, 1], [[1, 0, 0, 5], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]);
  assert.throws(() => checkGeometry(a, { ...moved, source: 'lab.nii' }), /^Error: lab\.nii: label affine row 0 \[1, 0, 0, 5\] differs from image img\.nii row 0 \[1, 0, 0, 0\] — rule: a label has its image's affine/);
  assert.throws(() => checkGeometry(a, { ...nii([1, 1, 1]), shape: [2, 2, 3], source: 'lab.nii' }), /lab\.nii: label size 2×2×3 differs from image img\.nii size 2×2×2/);
});
