/** NIfTI-1 writing: round trips through the readers keep the input's header (affine, dims, spacing) and the voxels. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, noSharedData } from '../core/testing.js';
import { readVolume } from './readers.js';
import { encodeNifti, encodeNiftiFile } from './nifti-write.js';
import { writeNifti } from './files.js';
import type { Volume } from './volume.js';

const DATA = join(repoRoot, '..', 'shared', 'data');
const read = (p: string) => readVolume(new Uint8Array(readFileSync(join(DATA, p))), p);
/** The hippocampus cases copied into the repository (data/hippocampus), so these tests run on every clone. */
const own = (p: string) => readVolume(new Uint8Array(readFileSync(join(repoRoot, 'data', p))), p);
const same = (a: Volume, b: Volume) => assert.deepEqual([a.shape, a.spacing, a.affine], [b.shape, b.spacing, b.affine]);

test('a label map written for a hippocampus image (.nii.gz and .nii) keeps its header: affine, dims, spacing, voxels', async () => {
  const image = own('hippocampus/images/hippocampus_004.nii.gz'); // [38, 52, 36]: odd, non-cubic
  const label = own('hippocampus/labels/hippocampus_004.nii.gz');
  const mask = { data: Int32Array.from(label.data), shape: image.shape };
  for (const name of ['mask.nii.gz', 'mask.nii']) {
    const bytes = await encodeNiftiFile(name, mask, { like: image });
    const back = readVolume(bytes, name);
    same(back, image);
    assert.deepEqual([back.channels, [...back.data]], [1, [...label.data]]);
    const h = back.niftiHeader!, src = image.niftiHeader!;
    const dv = new DataView(h.buffer, h.byteOffset);
    assert.deepEqual([dv.getInt16(70, true), dv.getInt16(72, true), dv.getFloat32(108, true), dv.getInt16(68, true)], [2, 8, 352, 1002], 'uint8, vox_offset 352, label intent');
    assert.deepEqual([...h.subarray(76, 108)], [...src.subarray(76, 108)], 'pixdim byte for byte');
    assert.deepEqual([...h.subarray(252, 328)], [...src.subarray(252, 328)], 'qform and sform byte for byte');
    assert.equal(bytes.length < 352 + image.data.length, name.endsWith('.gz'), 'gzip only for .gz');
  }
  // float32 probabilities with 3 channels: a 4-D file whose channels read back in place
  const probs = Float32Array.from({ length: image.data.length * 3 }, (_, i) => (i % 3) / 3 + (i % 7) * 1e-3);
  const back = readVolume(await encodeNiftiFile('p.nii.gz', { data: probs, shape: image.shape, channels: 3 }, { like: image, datatype: 'float32' }), 'p.nii.gz');
  same(back, image);
  assert.deepEqual([back.channels, [...back.data]], [3, [...probs]]);
});

test('a FreeSurfer volume (LIA, rotated affine, 256³): the mask read back has the same affine and grid', { skip: noSharedData }, () => {
  const image = read('brain-mri-niivue/freesurfer/norm.nii.gz');
  assert.notDeepEqual(image.affine!.map((r) => r.slice(0, 3)), [[1, 0, 0], [0, 1, 0], [0, 0, 1]], 'not a diagonal affine');
  const mask = new Uint8Array(image.data.length).map((_, i) => (image.data[i] > 60 ? 1 : 0));
  const back = readVolume(encodeNifti({ data: mask, shape: image.shape }, { like: image }), 'mask.nii');
  same(back, image);
  assert.ok(back.data.every((v, i) => v === mask[i]));
});

test('without a header: an odd volume 37×51×29 keeps spacing and affine (sform), int16 values; 2-D gets D = 1', async () => {
  // LIA-like axes, origin and spacings exact in float32
  const affine = [[-2.5, 0, 0, 90.5], [0, 0, 1.25, -126], [0, -0.75, 0, 72.25], [0, 0, 0, 1]];
  const v = { spacing: [1.25, 0.75, 2.5], affine, source: 'odd' };
  const data = Int16Array.from({ length: 37 * 51 * 29 }, (_, i) => (i % 1001) - 500);
  const dir = mkdtempSync(join(tmpdir(), 'unet-nifti-'));
  try {
    const path = join(dir, 'odd.nii.gz');
    await writeNifti(path, { data, shape: [37, 51, 29] }, { like: v, datatype: 'int16' });
    const back = readVolume(new Uint8Array(readFileSync(path)), path);
    assert.deepEqual([back.shape, back.spacing, back.affine], [[37, 51, 29], v.spacing, affine]);
    assert.deepEqual([...back.data], [...data]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const flat = readVolume(encodeNifti({ data: [0, 1, 2, 3, 4, 5], shape: [2, 3] }), 'flat.nii');
  assert.deepEqual([flat.shape, flat.spacing, [...flat.data]], [[1, 2, 3], [1, 1, 1], [0, 1, 2, 3, 4, 5]]);
});

test('writing errors name the value and the rule', async () => {
  const image = own('hippocampus/images/hippocampus_004.nii.gz');
  assert.throws(() => encodeNifti({ data: new Uint8Array(10 * 10 * 10), shape: [10, 10, 10] }, { like: image }), /image \[10,10,10\] \(D, H, W\) does not match the grid \[38,52,36\] of hippocampus\/images\/hippocampus_004\.nii\.gz's header; resample back/);
  assert.throws(() => encodeNifti({ data: [0, 300], shape: [1, 2] }), /value 300 at voxel 1 does not fit uint8 \(integers 0…255\)/);
  assert.throws(() => encodeNifti({ data: [0.5, 1], shape: [1, 2] }, { datatype: 'int16' }), /value 0\.5 at voxel 0 does not fit int16/);
  assert.throws(() => encodeNifti({ data: [0, 1, 2], shape: [1, 2] }), /data length 3 must equal \[1,2\] × 1 channels = 2/);
  assert.throws(() => encodeNifti({ data: [0], shape: [1] }), /shape \[1\] must be \[H, W\] or \[D, H, W\]/);
  assert.throws(() => encodeNifti({ data: [0], shape: [1, 1] }, { datatype: 'int64' as never }), /NIfTI datatype/);
  await assert.rejects(encodeNiftiFile('mask.png', { data: [0], shape: [1, 1] }), /'mask\.png' must end in \.nii or \.nii\.gz/);
});
