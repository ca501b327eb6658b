/**
 * Every registered architecture goes through the library's workflows as a user's command would: trains 2 iterations
 * on the bundled ISBI-2012 slices (its tiny configuration), writes a run folder whose model file names the
 * architecture, reloads it and segments an unseen slice through the predict workflow. A new architecture without a
 * working tiny configuration, geometry or weight file fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../core/testing.js';
import { architectures } from '../models/registry.js';
import { decodePng } from '../io/png.js';
import { loadModel } from '../io/files.js';
import { trainRun } from './train-run.js';
import { predictRun } from './predict-run.js';

const isbi = join(repoRoot, 'data', 'isbi2012');

for (const arch of architectures.names()) {
  test(`${arch}: trains through the train workflow, reloads from its run folder and segments an unseen slice`, async () => {
    const a = architectures.get(arch);
    // A 2-D preset of the architecture (training presets first); the bundled data are 2-D.
    const names = Object.keys(a.presets).sort((p, q) => Number(a.presets[q].role === 'train') - Number(a.presets[p].role === 'train'));
    const preset = names.find((p) => (a.resolve({ ...a.presets[p].options, ...a.tiny }) as { spatialDims?: number }).spatialDims === 2);
    if (!preset) return; // a 3-D-only architecture: the registry test builds and runs it
    const out = mkdtempSync(join(tmpdir(), `unet-family-${arch}-`));
    const geometryOptions = { ...a.tiny, classes: 1 };
    const run = await trainRun({
      data: join(isbi, 'train'), out, arch, preset, options: geometryOptions, labelMap: { 0: 0, 255: 1 },
      iterations: 2, itersPerEpoch: 2, batch: 1, valFraction: 0, ...(padded(a, preset, geometryOptions) ? { patch: [64, 64] } : {}),
    });
    assert.equal(run.result.iterations, 2);
    assert.ok(Number.isFinite(run.stepMedianS));
    run.model.dispose();
    const spec = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    assert.equal(spec.arch, a.name, 'the model file names the architecture');
    assert.equal(spec.version, 2);
    const reloaded = await loadModel(join(out, 'model.safetensors'));
    assert.equal(reloaded.spec.arch, a.name);
    reloaded.dispose();
    const pred = join(out, 'pred');
    const r = await predictRun({ model: out, input: join(isbi, 'test', 'images', '7.png'), out: pred });
    assert.equal(r.written.length, 1);
    const mask = decodePng(new Uint8Array(readFileSync(r.written[0])), r.written[0]);
    assert.deepEqual([mask.height, mask.width], [512, 512], 'the mask has the slice\'s size');
    assert.ok(mask.data.every((v) => v === 0 || v === 255), 'the mask holds the training labels\' values');
  });
}

/** A padded network that takes 64×64 (any size on its grid): train on small patches to keep the test fast. */
function padded(a: ReturnType<typeof architectures.get>, preset: string, o: Record<string, unknown>): boolean {
  const g = a.geometry(a.resolve({ ...a.presets[preset].options, ...o }));
  return !g.fixed && g.padding === 'same' && !g.axis(64).error;
}
