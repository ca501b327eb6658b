import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../core/tf.js';
import { assertClose } from '../../core/testing.js';
import { loadStateDict, stateDict } from '../../io/weights.js';
import type { SafeTensor } from '../../io/safetensors.js';
import { resizeLinear } from '../../nn/ops/resize.js';
import { TransUNet } from './transunet.js';
import { transunet } from './index.js';
import { adaptPositionEmbeddings, loadNpzEncoder, npzKey, npzToStateDict, stateDictToNpz, transunetForeignKey } from './npz-keys.js';

const OPTS = { ...transunet.tiny, numLayers: 2, hiddenSize: 8, numHeads: 2, mlpDim: 16 };

test('foreign keys: the official npz names map onto ours, PyTorch names (and a module. prefix) onto themselves', () => {
  const cases: [string, string][] = [
    ['Transformer/encoderblock_11/MultiHeadDotProductAttention_1/query/kernel', 'transformer.encoder.layer.11.attn.query.weight'],
    ['Transformer/encoderblock_0/MultiHeadDotProductAttention_1/out/bias', 'transformer.encoder.layer.0.attn.out.bias'],
    ['Transformer/encoderblock_3/MlpBlock_3/Dense_1/kernel', 'transformer.encoder.layer.3.ffn.fc2.weight'],
    ['Transformer/encoderblock_3/LayerNorm_0/scale', 'transformer.encoder.layer.3.attention_norm.weight'],
    ['Transformer/encoderblock_3/LayerNorm_2/bias', 'transformer.encoder.layer.3.ffn_norm.bias'],
    ['Transformer/encoder_norm/scale', 'transformer.encoder.encoder_norm.weight'],
    ['Transformer/posembed_input/pos_embedding', 'transformer.embeddings.position_embeddings'],
    ['embedding/kernel', 'transformer.embeddings.patch_embeddings.weight'],
    ['conv_root/kernel', 'transformer.embeddings.hybrid_model.root.conv.weight'],
    ['gn_root/bias', 'transformer.embeddings.hybrid_model.root.gn.bias'],
    ['block3/unit9/conv2/kernel', 'transformer.embeddings.hybrid_model.body.block3.unit9.conv2.weight'],
    ['block2/unit1/conv_proj/kernel', 'transformer.embeddings.hybrid_model.body.block2.unit1.downsample.weight'],
    ['block2/unit1/gn_proj/scale', 'transformer.embeddings.hybrid_model.body.block2.unit1.gn_proj.weight'],
    ['module.decoder.conv_more.0.weight', 'decoder.conv_more.0.weight'],
    ['segmentation_head.0.bias', 'segmentation_head.0.bias'],
    ['cls', 'cls'],
    ['head/kernel', 'head/kernel'],
  ];
  for (const [k, want] of cases) assert.equal(transunetForeignKey(k), want, k);
  for (const [k, ours] of cases.slice(0, 13)) assert.equal(npzKey(ours), k, `inverse of ${k}`);
  assert.equal(npzKey('decoder.conv_more.0.weight'), undefined);
});

/** A Float32Array of a PyTorch-layout state entry. */
const values = (m: Map<string, SafeTensor>, k: string) => m.get(k)!.data as Float32Array;

test('npz layouts: HWIO conv kernels, [in, out] dense kernels, [hidden, heads, dim] attention kernels, a class-token row', async () => {
  await tf.setBackend('cpu');
  const net = new TransUNet(OPTS);
  const state = await stateDict(net);
  const npz = stateDictToNpz(state, 2);
  const shape = (k: string) => npz.get(k)!.shape;
  assert.deepEqual(shape('conv_root/kernel'), [7, 7, 3, 32]);
  assert.deepEqual(shape('embedding/kernel'), [1, 1, 512, 8]);
  assert.deepEqual(shape('Transformer/encoderblock_1/MultiHeadDotProductAttention_1/query/kernel'), [8, 2, 4]);
  assert.deepEqual(shape('Transformer/encoderblock_1/MultiHeadDotProductAttention_1/query/bias'), [2, 4]);
  assert.deepEqual(shape('Transformer/encoderblock_1/MultiHeadDotProductAttention_1/out/kernel'), [2, 4, 8]);
  assert.deepEqual(shape('Transformer/encoderblock_1/MlpBlock_3/Dense_0/kernel'), [8, 16]);
  assert.deepEqual(shape('Transformer/posembed_input/pos_embedding'), [1, 5, 8]);
  // element by element against the PyTorch layout (torch [out, in] / OIHW)
  const torchConv = values(state, 'transformer.embeddings.hybrid_model.root.conv.weight'); // [32, 3, 7, 7]
  const hwio = npz.get('conv_root/kernel')!.data;
  for (const [o, i, y, x] of [[5, 2, 3, 6], [31, 0, 0, 1]]) assert.equal(hwio[((y! * 7 + x!) * 3 + i!) * 32 + o!], torchConv[((o! * 3 + i!) * 7 + y!) * 7 + x!]);
  const fc1 = values(state, 'transformer.encoder.layer.1.ffn.fc1.weight'); // [16, 8]
  assert.equal(npz.get('Transformer/encoderblock_1/MlpBlock_3/Dense_0/kernel')!.data[3 * 16 + 11], fc1[11 * 8 + 3]);
  const q = values(state, 'transformer.encoder.layer.1.attn.query.weight'); // [8 out = head·dim, 8 in]
  assert.equal(npz.get('Transformer/encoderblock_1/MultiHeadDotProductAttention_1/query/kernel')!.data[(5 * 2 + 1) * 4 + 2], q[(1 * 4 + 2) * 8 + 5]); // [in 5, head 1, dim 2]
  const out = values(state, 'transformer.encoder.layer.1.attn.out.weight'); // [8 out, 8 in = head·dim]
  assert.equal(npz.get('Transformer/encoderblock_1/MultiHeadDotProductAttention_1/out/kernel')!.data[(1 * 4 + 3) * 8 + 6], out[6 * 8 + (1 * 4 + 3)]); // [head 1, dim 3, out 6]
  net.dispose();
});

test('round trip: our tensors in npz names and layouts load back into another network (encoder only; decoder, head and BatchNorm untouched)', async () => {
  await tf.setBackend('cpu');
  const a = new TransUNet(OPTS), b = new TransUNet({ ...OPTS, seed: 5 });
  const stateA = await stateDict(a), stateB = await stateDict(b);
  const npz = stateDictToNpz(stateA, 2);
  const h = 8;
  npz.set('cls', { dtype: 'F32', shape: [1, 1, h], data: new Float32Array(h).fill(1) });
  npz.set('head/kernel', { dtype: 'F32', shape: [h, 10], data: new Float32Array(h * 10) });
  npz.set('head/bias', { dtype: 'F32', shape: [10], data: new Float32Array(10) });
  const unused = await loadNpzEncoder(b, npz);
  assert.deepEqual(unused.sort(), ['cls', 'head/bias', 'head/kernel']);
  const after = await stateDict(b);
  let encoder = 0;
  for (const [name, t] of after) {
    const from = npzKey(name) ? stateA : stateB;
    if (npzKey(name)) encoder++;
    assert.deepEqual(t.shape, from.get(name)!.shape, name);
    assert.deepEqual(t.data, from.get(name)!.data, name);
  }
  assert.equal(encoder, npz.size - 3, 'every encoder tensor came from the npz');
  // with a's decoder too, b computes what a computes
  const full = npzToStateDict(npz, 4).state;
  for (const [name, t] of stateA) if (!npzKey(name)) full.set(name, t);
  loadStateDict(b, full, 'round trip', (k) => k);
  const x = tf.randomNormal([1, 32, 32, 1], 0, 1, 'float32', 9);
  a.eval(); b.eval();
  const ya = a.forward(x), yb = b.forward(x);
  assertClose(yb.dataSync(), ya.dataSync(), 0, 0, 'outputs');
  tf.dispose([x, ya, yb]);
  a.dispose(); b.dispose();
});

test('a file missing an encoder tensor or holding a deeper ViT is refused, naming the tensor', async () => {
  await tf.setBackend('cpu');
  const a = new TransUNet(OPTS);
  const npz = stateDictToNpz(await stateDict(a), 2);
  const missing = new Map(npz);
  missing.delete('block2/unit2/gn3/scale');
  await assert.rejects(loadNpzEncoder(a, missing), /tensor 'transformer\.embeddings\.hybrid_model\.body\.block2\.unit2\.gn3\.weight' .* is missing/);
  const deeper = new Map(npz);
  deeper.set('Transformer/encoderblock_2/LayerNorm_0/scale', { dtype: 'F32', shape: [8], data: new Float32Array(8) });
  await assert.rejects(loadNpzEncoder(a, deeper), /tensor 'transformer\.encoder\.layer\.2\.attention_norm\.weight' does not belong to this model/);
  a.dispose();
});

test('position embeddings: as they are, without the class token, or resized from another grid (corners aligned, as upstream\'s zoom)', async () => {
  await tf.setBackend('cpu');
  const h = 3, old = 14;
  const grid = Float32Array.from({ length: old * old * h }, (_, i) => Math.sin(0.37 * i));
  const withCls = new Float32Array((old * old + 1) * h);
  withCls.set([9, 9, 9]);
  withCls.set(grid, h);
  const file: SafeTensor = { dtype: 'F32', shape: [1, old * old + 1, h], data: withCls };
  assert.deepEqual(adaptPositionEmbeddings(file, old * old).data, grid, 'class token dropped');
  assert.deepEqual(adaptPositionEmbeddings({ ...file, shape: [1, old * old + 1, h] }, old * old + 1).data, withCls, 'same count: as is');
  for (const gNew of [2, 5, 16]) {
    const got = adaptPositionEmbeddings(file, gNew * gNew);
    assert.deepEqual(got.shape, [1, gNew * gNew, h]);
    const want = tf.tidy(() => resizeLinear(tf.tensor(grid, [1, old, old, h]), [gNew, gNew], true).dataSync());
    assertClose(got.data, want, 1e-6, 1e-6, `${old}² → ${gNew}²`);
  }
  assert.throws(() => adaptPositionEmbeddings({ dtype: 'F32', shape: [1, 7, h], data: new Float32Array(7 * h) }, 4), /7 rows/);
});
