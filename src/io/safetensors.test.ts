/** safetensors layout checks (overlap, gap, out of bounds, trailing bytes) and NaN/Inf weights refused on load. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNet, presetSpec } from '../models/registry.js';
import { readSafetensors } from './safetensors.js';
import { decodeWeights, encodeWeights } from './weights.js';

/** A safetensors file from a literal header and `dataBytes` data bytes (F32 values 0, 1, 2, …). */
function raw(header: Record<string, unknown>, dataBytes: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataBytes), v = new DataView(out.buffer);
  v.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  for (let i = 0; i < dataBytes / 4; i++) v.setFloat32(8 + json.length + 4 * i, i, true);
  return out;
}
const f32 = (n: number, begin: number) => ({ dtype: 'F32', shape: [n], data_offsets: [begin, begin + 4 * n] });

test('tensors listed out of order but tiling the data read correctly', () => {
  const t = readSafetensors(raw({ b: f32(2, 8), a: f32(2, 0) }, 16), 'ok.safetensors').tensors;
  assert.deepEqual([Array.from(t.get('a')!.data), Array.from(t.get('b')!.data)], [[0, 1], [2, 3]]);
});

test('overlapping, gapped, out-of-bounds offsets and trailing bytes are refused naming file, tensors and rule', () => {
  assert.throws(() => readSafetensors(raw({ a: f32(2, 0), b: f32(2, 4) }, 12), 'o.safetensors'),
    /^Error: o\.safetensors: tensor 'b' data_offsets \[4, 12\] overlap tensor 'a' \[0, 8\] — rule: tensors' data do not overlap$/);
  assert.throws(() => readSafetensors(raw({ a: f32(2, 0), b: f32(2, 0) }, 8), 'same.safetensors'), /same\.safetensors: tensor 'b' data_offsets \[0, 8\] overlap tensor 'a'/);
  assert.throws(() => readSafetensors(raw({ a: f32(1, 0), b: f32(1, 8) }, 12), 'g.safetensors'),
    /^Error: g\.safetensors: tensor 'b' data_offsets \[8, 12\] leave bytes 4…7 unused after tensor 'a' — rule: tensors' data are contiguous, without gaps$/);
  assert.throws(() => readSafetensors(raw({ a: f32(1, 4) }, 8), 'first.safetensors'), /first\.safetensors: tensor 'a' data_offsets \[4, 8\] leave bytes 0…3 unused — rule/);
  assert.throws(() => readSafetensors(raw({ a: f32(2, 0) }, 12), 't.safetensors'), /^Error: t\.safetensors: the tensors' data end at byte 8 of 12 data bytes — rule/);
  assert.throws(() => readSafetensors(raw({ a: f32(4, 0) }, 8), 'b.safetensors'), /b\.safetensors: tensor 'a' \(F32 \[4\]\) needs 16 bytes but its offsets \[0,16\] give 16 within 8 data bytes/);
  assert.throws(() => readSafetensors(raw({ a: { dtype: 'F32', shape: [1], data_offsets: [-100, -96] } }, 8), 'n.safetensors'), /n\.safetensors: tensor 'a' .* offsets \[-100,-96\]/);
  assert.throws(() => readSafetensors(raw({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, 4), 's.safetensors'), /s\.safetensors: tensor 'a' has shape \[-1\] — rule/);
});

test('NaN or Inf weights are refused on load, naming the file and the tensor; nothing is assigned', async () => {
  const model = createNet(presetSpec('seed2d', { base: 4 }));
  const bytes = await encodeWeights(model);
  const st = readSafetensors(bytes).tensors;
  const name = 'inc.conv.0.weight';
  // Poison the second value of that tensor in the file bytes.
  const json = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true)))));
  const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  for (const bad of [NaN, -Infinity]) {
    const copy = bytes.slice();
    new DataView(copy.buffer).setFloat32(8 + headerLen + json[name].data_offsets[0] + 4, bad, true);
    const before = model.namedParameters()[0][1].dataSync().slice();
    assert.throws(() => decodeWeights(model, copy, 'nan.safetensors'),
      new RegExp(`^Error: nan\\.safetensors: tensor '${name.replace(/\./g, '\\.')}' holds ${bad} at index 1 \\(of ${st.get(name)!.data.length}\\) — rule: weights are finite`));
    assert.deepEqual(model.namedParameters()[0][1].dataSync(), before);
  }
  decodeWeights(model, bytes, 'ok.safetensors');
  model.dispose();
});
