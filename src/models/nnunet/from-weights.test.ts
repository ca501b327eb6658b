// nnU-Net's topology read off a state dict's shapes (PyTorch layout, this network's names): a network built from
// options and its own state dict give those options back, 2-D and 3-D, anisotropic kernels and strides; other U-Nets
// are refused naming the tensor and the rule, names that are not a PlainConvUNet's give null.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNet, resolveSpec } from '../registry.js';
import { stateDict } from '../../io/weights.js';
import { nnunetOptionsFromWeights } from './from-weights.js';

const shapesOf = async (options: Record<string, unknown>) => {
  const net = createNet(resolveSpec('nnunet', options));
  const sd = await stateDict(net);
  net.dispose();
  return new Map([...sd].map(([k, t]) => [k, t.shape]));
};

test('a network\'s own state dict gives its options back (2-D and 3-D, anisotropic, 1 to 3 convs per stage)', async () => {
  const cases: Record<string, unknown>[] = [
    { spatialDims: 2, inChannels: 3, classes: 4, features: [2, 4, 6, 8], kernels: [[3, 3], [3, 3], [3, 1], [1, 3]], strides: [[1, 1], [2, 2], [2, 1], [1, 2]], convsPerStage: 1 },
    { spatialDims: 3, inChannels: 1, classes: 2, features: [2, 4, 4], kernels: [[1, 3, 3], [3, 3, 3], [3, 3, 3]], strides: [[1, 1, 1], [1, 2, 2], [2, 2, 2]], convsPerStage: 3 },
  ];
  for (const o of cases) assert.deepEqual(nnunetOptionsFromWeights(await shapesOf(o), 'w'), o);
});

test('not a PlainConvUNet: null for other names, errors for a ResEnc U-Net, uneven conv counts, a missing transposed conv', async () => {
  assert.equal(nnunetOptionsFromWeights(new Map([['inc.conv.0.weight', [4, 1, 3, 3]]]), 'w'), null);
  assert.throws(() => nnunetOptionsFromWeights(new Map([['encoder.stem.convs.0.conv.weight', [4, 1, 3, 3]]]), 'ckpt.pth'), /ckpt\.pth: tensor 'encoder\.stem\.convs\.0\.conv\.weight' is a residual-encoder U-Net's \(nnU-Net ResEnc presets\) — rule: this port is nnU-Net's PlainConvUNet/);
  const base = await shapesOf({ spatialDims: 2, features: [2, 4, 4], convsPerStage: 2 });
  const uneven = new Map(base);
  uneven.delete('decoder.stages.1.convs.1.conv.weight');
  assert.throws(() => nnunetOptionsFromWeights(uneven, 'w'), /w: decoder stage 1 has 1 convs, the encoder's stages 2 — rule: as many convs per decoder stage/);
  const noT = new Map(base);
  noT.delete('decoder.transpconvs.0.weight');
  assert.throws(() => nnunetOptionsFromWeights(noT, 'w'), /w: tensor 'decoder\.transpconvs\.0\.weight' \(undoing stage 2's stride\) is missing/);
});
