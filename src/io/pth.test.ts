/**
 * PyTorch checkpoints made by Debian's torch 1.13 (`scripts/make_pth_fixtures.py`, fixtures/pth/): every dtype and
 * view layout decodes to the values PyTorch computed; the checkpoint forms (bare, `{'model': …}`, `{'state_dict': …}`,
 * DataParallel, channels-last, float16, nnU-Net's trainer checkpoint) give the same state dict; the legacy format, a
 * whole pickled module, a TorchScript archive, a malicious `__reduce__` and corrupt archives are refused by name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { fixtureMetadata, readFixture, repoRoot } from '../core/testing.js';
import { decodeTensor, looksLikePth, MAX_REPEATED_VIEW, readPth, readPthStateDict, type PthTensorRef } from './pth.js';
import { PyDict, PyObject, PyTuple } from './pickle.js';

const path = (name: string) => join(repoRoot, 'fixtures', 'pth', name);
const bytesOf = (name: string) => new Uint8Array(readFileSync(path(name)));

test('tensors.pth: float16, bfloat16, float64, int64/32, uint8, bool; transposed, sliced (offset), permuted, shared, expanded, 0-d and empty views equal PyTorch\'s values', () => {
  const ckpt = readPth(bytesOf('tensors.pth'), 'tensors.pth');
  assert.ok(ckpt.root instanceof PyDict);
  const want = readFixture('pth/tensors.io.safetensors');
  const layout = fixtureMetadata('pth/tensors.io.safetensors');
  const refs = new Map<string, PthTensorRef>();
  for (const [k, v] of ckpt.root.map) if (v instanceof PyObject && v.type === 'torch.Tensor') refs.set(k as string, v.value as PthTensorRef);
  assert.equal(refs.size, want.size, 'every top-level tensor');
  const got = ckpt.tensors(refs);
  for (const [name, w] of want) {
    const g = got.get(name)!;
    const meta = JSON.parse(layout[name]) as { dtype: string; shape: number[]; stride: number[]; offset: number };
    assert.deepEqual(g.shape, w.shape, `${name}: shape`);
    assert.deepEqual(refs.get(name)!.stride, meta.stride, `${name}: the view's strides as PyTorch has them`);
    assert.equal(refs.get(name)!.offset, meta.offset, `${name}: storage offset`);
    assert.deepEqual([...g.data], [...w.data], `${name} (${meta.dtype}, stride [${meta.stride}], offset ${meta.offset}): values`);
  }
  assert.equal(got.get('f16')!.dtype, 'F16');
  assert.equal(got.get('i64')!.dtype, 'I64');
  assert.deepEqual([...got.get('i64')!.data], [3, -2, 7, 2 ** 31 - 1, -(2 ** 31), 0]);
  assert.equal(refs.get('view_a')!.storage.key, refs.get('view_b')!.storage.key, 'two views, one storage');
  // nested containers: {'inner': [tensor, (tensor,)]}
  const nested = ckpt.root.map.get('nested') as PyDict;
  const inner = nested.map.get('inner') as unknown[];
  assert.ok(Array.isArray(inner) && inner[1] instanceof PyTuple && inner[0] instanceof PyObject);
});

test('a bare state dict, {\'model\': sd}, {\'state_dict\': sd}, DataParallel\'s module. names, channels-last (strided) weights: one and the same state dict', () => {
  const bare = readPthStateDict(bytesOf('unet2d_b2.pth'), 'unet2d_b2.pth');
  assert.equal(bare.key, null);
  assert.equal(bare.strippedPrefix, null);
  assert.equal(bare.tensors.size, 110);
  assert.equal(bare.tensors.get('inc.conv.1.num_batches_tracked')!.dtype, 'I64');
  const forms: [string, string | null, string | null][] = [
    ['unet2d_b2.model.pth', 'model', null], ['unet2d_b2.state_dict.pth', 'state_dict', null],
    ['unet2d_b2.dataparallel.pth', null, 'module.'], ['unet2d_b2.channels_last.pth', null, null],
  ];
  for (const [file, key, prefix] of forms) {
    const sd = readPthStateDict(bytesOf(file), file);
    assert.equal(sd.key, key, `${file}: found under ${key}`);
    assert.equal(sd.strippedPrefix, prefix, `${file}: prefix`);
    assert.deepEqual([...sd.tensors.keys()], [...bare.tensors.keys()], `${file}: the same names, in order`);
    for (const [k, t] of bare.tensors) {
      assert.deepEqual(sd.tensors.get(k)!.shape, t.shape, `${file} ${k}: shape`);
      assert.deepEqual([...sd.tensors.get(k)!.data], [...t.data], `${file} ${k}: values`);
    }
  }
  // the channels-last file really holds strided views: a 2→2 3×3 conv weight has strides (9·2, 1, 3·2, 2)
  const cl = readPth(bytesOf('unet2d_b2.channels_last.pth'), 'cl');
  const w = ((cl.root as PyDict).map.get('down1.down.1.conv.0.weight') as PyObject).value as PthTensorRef;
  assert.deepEqual(w.stride, [w.shape[1] * 9, 1, 3 * w.shape[1], w.shape[1]]);
});

test('nnU-Net\'s trainer checkpoint: network_weights found beside the optimizer, numpy-float logs, plans and a torch.device', () => {
  const ckpt = readPth(bytesOf('nnunet3d.pth'), 'nnunet3d.pth');
  const root = ckpt.root as PyDict;
  assert.deepEqual([...root.map.keys()], ['network_weights', 'optimizer_state', 'grad_scaler_state', 'logging', '_best_ema', 'current_epoch', 'init_args', 'trainer_name', 'inference_allowed_mirroring_axes']);
  assert.equal(root.map.get('_best_ema'), 0.275, 'numpy.float64 read as a number');
  const logging = root.map.get('logging') as PyDict;
  assert.deepEqual(logging.map.get('mean_fg_dice'), [0.25, 0.5]);
  const init = root.map.get('init_args') as PyDict;
  assert.equal(((init.map.get('device') as PyObject).value), 'cpu');
  assert.equal(root.map.get('trainer_name'), 'nnUNetTrainer');
  assert.deepEqual((root.map.get('inference_allowed_mirroring_axes') as PyTuple).items, [0, 1, 2]);
  const sd = readPthStateDict(bytesOf('nnunet3d.pth'), 'nnunet3d.pth');
  assert.equal(sd.key, 'network_weights');
  assert.equal(sd.tensors.size, 136, 'every name of the state dict, duplicates (all_modules, decoder.encoder) included');
  assert.ok(sd.tensors.has('decoder.encoder.stages.0.0.convs.0.all_modules.0.weight'));
});

test('refused, naming the global and the file: a malicious __reduce__ (posix.system), a pickled module; nothing runs', () => {
  assert.throws(() => readPthStateDict(bytesOf('malicious.pth'), 'fixtures/pth/malicious.pth'),
    /^Error: fixtures\/pth\/malicious\.pth: malicious\.pth\/data\.pkl: byte \d+: imports the global 'posix\.system', which runs commands or code.*nothing was read from the file and nothing run — rule: only globals that rebuild data are read/);
  assert.throws(() => readPth(bytesOf('whole_module.pth'), 'whole_module.pth'), /imports the global 'torch_unet\.DoubleConv', a class: .*torch\.save\(model\.state_dict\(\), PATH\)/);
});

test('refused with what to do: the legacy format, TorchScript, a zip without data.pkl, a safetensors file, a truncated archive, a missing storage', () => {
  assert.throws(() => readPth(bytesOf('legacy.pth'), 'legacy.pth'), /legacy.pth: a PyTorch checkpoint in the legacy \(pre-1\.6\) format.*_use_new_zipfile_serialization=True/);
  assert.equal(looksLikePth(bytesOf('legacy.pth')), true);
  // TorchScript (torch.jit.save) holds data.pkl too, with code/ and constants.pkl beside it
  const script = zipSync({ 'm/data.pkl': new Uint8Array([0x80, 2, 0x4e, 0x2e]), 'm/constants.pkl': new Uint8Array([0x80, 2, 0x29, 0x2e]), 'm/code/__torch__.py': new Uint8Array(1) }, { level: 0 });
  assert.throws(() => readPth(script, 'scripted.pt'), /scripted\.pt: a TorchScript archive \(torch\.jit\.save; it holds code\/ and constants\.pkl\) — rule: a torch\.save checkpoint of tensors/);
  const none = zipSync({ 'm/data.pkl': new Uint8Array([0x80, 2, 0x4e, 0x2e]) }, { level: 0 });
  assert.equal(readPth(none, 'x').root, null, 'a data.pkl holding None reads (as None)');
  assert.throws(() => readPthStateDict(none, 'x.pt'), /x\.pt: no state dict found — the checkpoint is None/);
  const deflated = zipSync(unzipSync(bytesOf('unet2d_b2.pth')), { level: 6 });
  assert.equal(readPthStateDict(deflated, 'z.pth').tensors.size, 110, 'a re-zipped (deflated) checkpoint reads too');
  assert.throws(() => readPth(zipSync({ 'a.txt': new Uint8Array(3) }), 'a.zip'), /a\.zip: a zip archive with no PREFIX\/data\.pkl \(entries: a\.txt\)/);
  assert.equal(looksLikePth(zipSync({ 'a.txt': new Uint8Array(3) })), false);
  const st = readFileSync(join(repoRoot, 'fixtures', 'seed2d_b4.safetensors'));
  assert.throws(() => readPth(new Uint8Array(st), 'w.pth'), /w\.pth: not a PyTorch checkpoint \(a torch\.save file is a zip archive, starting 'PK'; this one starts/);
  const full = bytesOf('unet2d_b2.pth');
  assert.throws(() => readPth(full.subarray(0, full.length - 100), 'cut.pth'), /cut\.pth: not a readable zip archive/);
  const files = unzipSync(full);
  const storage = Object.keys(files).find((n) => n.endsWith('/data/0'))!;
  delete files[storage];
  assert.throws(() => readPth(zipSync(files, { level: 0 }), 'nostorage.pth'), /nostorage\.pth: unet2d_b2\.pth\/data\.pkl: byte \d+: storage '0' is not in the archive/);
});

test('the state dict\'s key: explicit (--key), absent, or not a state dict; a checkpoint of several candidates says which hold one', () => {
  const model = bytesOf('unet2d_b2.model.pth');
  assert.equal(readPthStateDict(model, 'm.pth', { key: 'model' }).key, 'model');
  assert.throws(() => readPthStateDict(model, 'm.pth', { key: 'ema' }), /m\.pth: no entry 'ema' \(--key\) — the checkpoint is a dict with keys model, epoch, optimizer/);
  assert.throws(() => readPthStateDict(model, 'm.pth', { key: 'epoch' }), /m\.pth: entry 'epoch' \(--key\) is an int — rule: a state dict/);
  assert.throws(() => readPthStateDict(bytesOf('tensors.pth'), 't.pth'), /t\.pth: no state dict found — the checkpoint is a dict with keys f32, f16, .* — rule: a state dict \(names → tensors\) at the top or under state_dict, model_state_dict, model, net, network_weights/);
});

test('float16 weights read through the same path: every tensor of the half checkpoint is the float32 one rounded', () => {
  const half = readPthStateDict(bytesOf('unet2d_b2.half.pth'), 'h');
  const f32 = readPthStateDict(bytesOf('unet2d_b2.pth'), 'f');
  for (const [k, t] of f32.tensors) {
    if (t.dtype !== 'F32') continue;
    const h = half.tensors.get(k)!;
    const x = new Float32Array(1);
    for (let i = 0; i < t.data.length; i++) {
      x[0] = t.data[i];
      assert.ok(Math.abs(h.data[i] - x[0]) <= Math.max(2 ** -11 * Math.abs(x[0]), 2 ** -24), `${k}[${i}]: ${h.data[i]} is ${x[0]} in half precision`);
    }
  }
});

test('hostile sizes are refused before allocating: an expand() of one float to 2^31, a storage entry larger than declared, a view outside its storage', () => {
  assert.throws(() => readPthStateDict(bytesOf('expanded_bomb.pth'), 'bomb.pth'),
    new RegExp(`bomb\\.pth: tensor 'w': a view of size \\[2147483648\\] \\(2147483648 elements\\) over storage '0' of 1 — rule: a view repeating elements \\(stride 0\\) has at most ${MAX_REPEATED_VIEW} elements`));
  const files = unzipSync(bytesOf('unet2d_b2.pth'));
  const entry = Object.keys(files).find((n) => n.endsWith('/data/0'))!;
  files[entry] = new Uint8Array(files[entry].length + 1000);
  assert.throws(() => readPthStateDict(zipSync(files, { level: 0 }), 'grown.pth'), /grown\.pth: the storages cannot be unzipped \(unet2d_b2\.pth\/data\/0 declares \d+ bytes, its storage's \d+ — rule: a storage entry holds its elements and nothing more\)/);
  const storage = { key: '7', dtype: 'F32' as const, itemBytes: 4, numel: 6, location: 'cpu' };
  const bytes = new Uint8Array(new Float32Array([0, 1, 2, 3, 4, 5]).buffer);
  assert.deepEqual([...decodeTensor({ storage, offset: 1, shape: [2, 2], stride: [1, 2] }, bytes, true, 't').data], [1, 3, 2, 4], 'a transposed view at an offset');
  assert.throws(() => decodeTensor({ storage, offset: 3, shape: [2, 2], stride: [2, 1] }, bytes, true, 't'), /t: a view of size \[2,2\], stride \[2,1\] at offset 3 reaches element 6 of storage '7', which has 6 — rule: views lie inside their storage/);
  assert.throws(() => decodeTensor({ storage, offset: 0, shape: [6], stride: [1] }, bytes.subarray(0, 20), true, 't'), /t: storage '7' holds 20 bytes, its 6 F32 elements need 24 \(truncated\)/);
  const big = new Uint8Array(new Float32Array([1.5, -2]).buffer.slice(0)).reverse(); // the same values, big-endian, reversed order
  assert.deepEqual([...decodeTensor({ storage: { ...storage, numel: 2 }, offset: 0, shape: [2], stride: [1] }, big, false, 't').data], [-2, 1.5], 'big-endian storages (byteorder: big)');
});
