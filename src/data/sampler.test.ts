// Batch sampling with nnU-Net's foreground oversampling: the forced items come from sources holding foreground.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../core/rng.js';
import type { Patch } from './patches.js';
import { sampleBatch } from './sampler.js';

const slice = (fg: boolean): Patch => ({ image: new Float32Array(8 * 8).fill(fg ? 1 : 0), label: Int32Array.from({ length: 64 }, (_, i) => (fg && i === 27 ? 2 : 0)), shape: [8, 8], channels: 1 });

test('sampleBatch: oversampled items draw among the sources with foreground (slices of volumes: most hold none); the others draw any', () => {
  const sources = [slice(false), slice(false), slice(true), slice(false), slice(false)];
  const rng = new Rng(3);
  let fromEmpty = 0;
  for (let i = 0; i < 50; i++) {
    const b = sampleBatch(sources, { batchSize: 3, patch: { size: [4, 4] }, foregroundPerBatch: 1 / 3 }, rng);
    const item = (k: number) => b.x.subarray(k * 16, (k + 1) * 16);
    assert.ok(item(2).every((v) => v === 1), 'the third item (round(3·(1 − 1/3)) = 2) comes from the one source with foreground');
    assert.ok(b.y.subarray(32, 48).some((v) => v === 2), 'and holds its foreground voxel');
    if (item(0).every((v) => v === 0)) fromEmpty++;
  }
  assert.ok(fromEmpty > 25, `unforced items draw any source (${fromEmpty} of 50 from the four empty ones)`);
});
