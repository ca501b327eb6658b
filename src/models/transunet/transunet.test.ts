import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../core/tf.js';
import { assertClose, assertNoLeak, testBackends } from '../../core/testing.js';
import { assertVariantParity, readVariantFixture } from '../parity-testing.js';
import { createNet, presetSpec, paramsOf, stagesOf, geometryOf, resolveSpec } from '../registry.js';
import { TransUNet } from './transunet.js';
import { resolveOptions, type TransUNetOptions } from './options.js';
import { transunetParams, transunetStages } from './plan.js';
import { transunet } from './index.js';

/** variants.py's keyword arguments → our options. */
function fromPython(kw: Record<string, unknown>, inChannels: number): TransUNetOptions {
  return {
    imgSize: kw.img_size as number, classes: kw.num_classes as number, hiddenSize: kw.hidden_size as number, mlpDim: kw.mlp_dim as number,
    numHeads: kw.num_heads as number, numLayers: kw.num_layers as number, blockUnits: kw.block_units as number[],
    widthFactor: kw.width_factor as number, decoderChannels: kw.decoder_channels as number[], dropoutRate: kw.dropout_rate as number, inChannels,
  };
}

const TINY = transunet.tiny as TransUNetOptions;

for (const backend of await testBackends()) {
  test(`[${backend}] parity with variants.py TransUNet (fixture transunet): eval, train, every gradient, BatchNorm statistics`, async () => {
    await tf.setBackend(backend);
    const f = readVariantFixture('transunet');
    const net = new TransUNet(fromPython(f.options, f.io.get('input')!.shape[1]));
    const compared = assertVariantParity(net, f, { mapKey: transunet.foreignKey });
    assert.equal(compared, 114, 'the gradient of each of the 114 parameter tensors is compared');
  });
}
