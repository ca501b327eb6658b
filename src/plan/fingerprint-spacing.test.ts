/** Missing spacing: a NIfTI whose pixdim is 0 (read as 1 mm by the reader) is refused by the fingerprint, named. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeNifti } from '../io/nifti-write.js';
import { readVolume } from '../io/readers.js';
import { FingerprintBuilder, niftiPixdims } from './fingerprint.js';

test('fingerprint refuses a NIfTI without spacing (pixdim 0), naming the file and the rule', () => {
  const bytes = encodeNifti({ data: new Uint8Array(2 * 3 * 4).fill(1), shape: [2, 3, 4] }, { like: { spacing: [3, 2, 0.5], source: 'x' } });
  const ok = readVolume(bytes, 'ok.nii');
  assert.deepEqual(niftiPixdims(ok)!.slice(1, 4), [0.5, 2, 3]); // x, y, z
  const b = new FingerprintBuilder();
  b.add('ok', ok, readVolume(encodeNifti({ data: new Uint8Array(24), shape: [2, 3, 4] }), 'okl.nii'));
  const bad = bytes.slice();
  new DataView(bad.buffer).setFloat32(76 + 4 * 2, 0, true); // pixdim[2] (y) = 0
  const v = readVolume(bad, 'nospacing.nii');
  assert.deepEqual(v.spacing, [3, 1, 0.5]); // the reader's 0 → 1 mm
  assert.throws(() => b.add('bad', v, readVolume(encodeNifti({ data: new Uint8Array(24), shape: [2, 3, 4] }), 'badl.nii')),
    /^Error: nospacing\.nii: NIfTI pixdim\[1\.\.3\] = 0\.5, 0, 3 — missing spacing .*rule: the planner needs every case's voxel size/);
});
