import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../core/testing.js';
import { parseNpy, readNpz } from './npz.js';

for (const file of ['sample.npz', 'sample-compressed.npz']) {
  test(`readNpz: NumPy's ${file} (${file.includes('compressed') ? 'deflated' : 'stored, zip64'}): names, shapes and values of float32/64/16 arrays`, async () => {
    const npz = await readNpz(new Uint8Array(readFileSync(join(repoRoot, 'fixtures', 'transunet', file))), file);
    assert.deepEqual([...npz.keys()].sort(), ['Transformer/encoderblock_0/MultiHeadDotProductAttention_1/query/kernel', 'conv_root/kernel', 'gn_root/scale', 'scalar']);
    const q = npz.get('Transformer/encoderblock_0/MultiHeadDotProductAttention_1/query/kernel')!;
    assert.deepEqual(q.shape, [4, 2, 3]);
    assert.deepEqual(Array.from(q.data), Array.from({ length: 24 }, (_, i) => Math.fround(Math.fround(i) / 7)));
    const k = npz.get('conv_root/kernel')!;
    assert.deepEqual(k.shape, [2, 2, 3, 2]);
    assert.deepEqual(Array.from(k.data), Array.from({ length: 24 }, (_, i) => Math.fround((i - 5) / 3)));
    assert.deepEqual(Array.from(npz.get('gn_root/scale')!.data), [1.5, -2.25]);
    assert.deepEqual(npz.get('scalar')!.shape, []);
    assert.deepEqual(Array.from(npz.get('scalar')!.data), [3.25]);
  });
}

test('readNpz and parseNpy refuse what they cannot read, saying what it is', async () => {
  await assert.rejects(readNpz(new Uint8Array(100), 'x.npz'), /x\.npz: not a zip file/);
  const header = "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }";
  const npy = new Uint8Array([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0, header.length, 0, ...new TextEncoder().encode(header), ...new Uint8Array(16)]);
  assert.throws(() => parseNpy(npy, 'a.npy'), /a\.npy: dtype <i8 is not read/);
  const fortran = header.replace("'<i8', 'fortran_order': False", "'<f4', 'fortran_order': True");
  assert.throws(() => parseNpy(new Uint8Array([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0, fortran.length, 0, ...new TextEncoder().encode(fortran), ...new Uint8Array(8)]), 'b.npy'), /Fortran-ordered/);
});
