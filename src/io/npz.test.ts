/** `.npz` reading: an archive numpy wrote (compressed), and hand-laid `.npy` files of each dtype and each refusal. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zipSync } from 'fflate';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../core/testing.js';
import { readNpy, readNpz } from './npz.js';

/** A .npy file as numpy.save writes it (version 1.0 header padded to 64 bytes). */
function npy(descr: string, shape: number[], body: Uint8Array): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  const out = new Uint8Array(10 + header.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(new TextEncoder().encode(header), 10);
  out.set(body, 10 + header.length);
  return out;
}

test('reads float32, float64, float16 and int64 arrays of an npz archive, in C order', () => {
  const f32 = new Float32Array([1.5, -2, 3.25, 4, 5, 6]);
  const f64 = new Float64Array([0.1, 0.2]);
  const f16 = new Uint8Array([0x00, 0x3c, 0x00, 0xc0]); // 1.0, -2.0 as IEEE half
  const i64 = new BigInt64Array([7n, -3n]);
  const archive = zipSync({
    'Transformer/encoder_norm/scale.npy': npy('<f4', [2, 3], new Uint8Array(f32.buffer)),
    'b.npy': npy('<f8', [2], new Uint8Array(f64.buffer)),
    'h.npy': npy('<f2', [2], f16),
    'i.npy': npy('<i8', [2], new Uint8Array(i64.buffer)),
    'notes.txt': new TextEncoder().encode('ignored'),
  });
  const m = readNpz(archive, 'test.npz');
  assert.deepEqual([...m.keys()].sort(), ['Transformer/encoder_norm/scale', 'b', 'h', 'i']);
  const a = m.get('Transformer/encoder_norm/scale')!;
  assert.deepEqual(a.shape, [2, 3]);
  assert.deepEqual([...a.data], [...f32]);
  assert.ok(Math.abs(m.get('b')!.data[0] - 0.1) < 1e-7);
  assert.deepEqual([...m.get('h')!.data], [1, -2]);
  assert.deepEqual([...m.get('i')!.data], [7, -3]);
  assert.equal(m.get('i')!.dtype, 'I32');
});

test('bad archives and arrays are refused naming the file, the array and the rule', () => {
  assert.throws(() => readNpz(new Uint8Array([1, 2, 3]), 'x.npz'), /x\.npz: not a readable \.npz \(zip\) archive/);
  assert.throws(() => readNpy(new Uint8Array(20), 'y.npy'), /y\.npy: not a \.npy array/);
  const cut = npy('<f4', [4], new Uint8Array(8));
  assert.throws(() => readNpy(cut, 'z.npy'), /z\.npy: 4 values of '<f4' need 16 bytes, the array has 8 \(truncated\)/);
  assert.throws(() => readNpy(npy('>f4', [1], new Uint8Array(4)), 'be.npy'), /big-endian dtype '>f4'/);
  assert.throws(() => readNpy(npy('<c8', [1], new Uint8Array(8)), 'c.npy'), /dtype '<c8' is not supported/);
});

test('reads an archive written by numpy.savez_compressed (deflated entries, slashes in names)', () => {
  // /usr/bin/python3: np.savez_compressed(b, **{'Transformer/posembed_input/pos_embedding': np.arange(6, dtype=np.float32)
  //   .reshape(1, 2, 3) / 4, 'conv_root/kernel': np.array([[1.5, -2.0]], dtype=np.float64)}); base64 of the bytes:
  const bytes = Uint8Array.from(Buffer.from('UEsDBBQAAAAIAAAAIQDsCY2lWQAAAJgAAAAsABQAVHJhbnNmb3JtZXIvcG9zZW1iZWRfaW5wdXQvcG9zX2VtYmVkZGluZy5ucHkBABAAmAAAAAAAAABZAAAAAAAAAJvsF+obEMnIUMZQrZ6SWpxcpG6loG6TZqKuo6Cell9UUpSYF59flJIKEndLzClOBYoXZyQWpAL5GoY6CkY6CsaaOgq1CuQBLgYwaLADEvYMDA5A3ADEC+wBUEsDBBQAAAAIAAAAIQB12LF+TwAAAJAAAAAUABQAY29udl9yb290L2tlcm5lbC5ucHkBABAAkAAAAAAAAABPAAAAAAAAAJvsF+obEMnIUMZQrZ6SWpxcpG6loG6TZqGuo6Cell9UUpSYF59flJIKEndLzClOBYoXZyQWpAL5GoY6CkaaOgq1CmQDLgYw+GEPoRkOAABQSwECFAMUAAAACAAAACEA7AmNpVkAAACYAAAALAAAAAAAAAAAAAAAgAEAAAAAVHJhbnNmb3JtZXIvcG9zZW1iZWRfaW5wdXQvcG9zX2VtYmVkZGluZy5ucHlQSwECFAMUAAAACAAAACEAddixfk8AAACQAAAAFAAAAAAAAAAAAAAAgAG3AAAAY29udl9yb290L2tlcm5lbC5ucHlQSwUGAAAAAAIAAgCcAAAATAEAAAAA', 'base64'));
  const m = readNpz(bytes, 'numpy.npz');
  const pos = m.get('Transformer/posembed_input/pos_embedding')!;
  assert.deepEqual(pos.shape, [1, 2, 3]);
  assert.deepEqual([...pos.data], [0, 0.25, 0.5, 0.75, 1, 1.25]);
  const k = m.get('conv_root/kernel')!;
  assert.deepEqual(k.shape, [1, 2]);
  assert.deepEqual([...k.data], [1.5, -2]);
});

for (const file of ['sample.npz', 'sample-compressed.npz']) {
  test(`reads NumPy's ${file} (${file.includes('compressed') ? 'deflated' : 'stored, zip64 records'}): names, shapes, float32/64/16 values, a 0-d array`, () => {
    const npz = readNpz(new Uint8Array(readFileSync(join(repoRoot, 'fixtures', 'npz', file))), file);
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
