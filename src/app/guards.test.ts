import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkMemory, checkNoOverwrite, checkOutputFolder, checkRunFolderFree, lockRunFolder, removeOrphanTmp, trainStepBytes, predictBytes } from './guards.js';
import { presetSpec, paramsOf } from '../models/registry.js';

const dir = () => mkdtempSync(join(tmpdir(), 'unet-guards-'));

test('an output folder that is, contains or lies inside an input folder is refused, symlinks followed', () => {
  const d = dir();
  mkdirSync(join(d, 'imgs'));
  writeFileSync(join(d, 'imgs', 'a.png'), 'x');
  symlinkSync(join(d, 'imgs'), join(d, 'link'));
  const inputs = [{ path: join(d, 'imgs'), flag: '--input' }];
  assert.throws(() => checkOutputFolder(join(d, 'imgs'), '--out', inputs), /--out .*imgs is the input folder --input/);
  assert.throws(() => checkOutputFolder(join(d, 'imgs', 'masks'), '--out', inputs), /lies inside the input folder/);
  assert.throws(() => checkOutputFolder(d, '--out', inputs), /contains the input folder/);
  assert.throws(() => checkOutputFolder(join(d, 'link'), '--out', inputs), /is the input folder/);
  assert.throws(() => checkOutputFolder(join(d, 'imgs', '..', 'imgs'), '--out', inputs), /is the input folder/);
  checkOutputFolder(join(d, 'masks'), '--out', inputs); // beside it: fine
  assert.throws(() => checkNoOverwrite([join(d, 'link', 'a.png')], [join(d, 'imgs', 'a.png')]), /would overwrite the input/);
});

test('a run folder lock names its holder; a dead holder on this host is taken over with a note', () => {
  const d = dir();
  const release = lockRunFolder(d, () => {});
  assert.ok(existsSync(join(d, '.lock')));
  release();
  assert.ok(!existsSync(join(d, '.lock')));
  writeFileSync(join(d, '.lock'), JSON.stringify({ pid: 1, host: hostname(), startedAt: '2025-01-01T00:00:00Z', command: 'train' }));
  assert.throws(() => checkRunFolderFree(d), /in use by process 1 on host .*started 2025-01-01T00:00:00Z/);
  assert.throws(() => lockRunFolder(d, () => {}), /in use by process 1/);
  writeFileSync(join(d, '.lock'), JSON.stringify({ pid: 1, host: 'another-host', startedAt: 'then', command: '' }));
  assert.throws(() => lockRunFolder(d, () => {}), /in use by process 1 on host another-host/); // never presumed dead
  writeFileSync(join(d, '.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), startedAt: 'then', command: '' }));
  const notes: string[] = [];
  lockRunFolder(d, (m) => notes.push(m))();
  assert.match(notes[0], /no longer running; taking the lock over/);
});

test('orphan temporary files of dead writers are removed, others kept', () => {
  const d = dir();
  writeFileSync(join(d, `last.safetensors.${2 ** 22 + 7}.123.tmp`), '');
  writeFileSync(join(d, 'notes.tmp'), '');
  writeFileSync(join(d, 'x.png'), '');
  assert.deepEqual(removeOrphanTmp(d), [`last.safetensors.${2 ** 22 + 7}.123.tmp`]);
  assert.deepEqual(readdirSync(d).sort(), ['notes.tmp', 'x.png']);
});

test('memory estimates grow with batch, patch and window, and an estimate above the machine is refused naming both', () => {
  const spec = presetSpec('small2d', { base: 16, classes: 1 });
  const p = paramsOf(spec);
  const b4 = trainStepBytes(spec, [256, 256], 4, p, 1), b16 = trainStepBytes(spec, [256, 256], 16, p, 1);
  assert.ok(b16 > 3 * b4 - 2 * 400e6 && b4 > 0.78e9, `${b4} ${b16}`); // measured peak RSS of batch 4: 0.78 GB
  assert.ok(trainStepBytes(spec, [512, 512], 4, p, 1) > 3 * (b4 - 400e6));
  assert.ok(predictBytes(spec, [512, 512], 1, p, 512 * 512, 1, 2) > predictBytes(spec, [256, 256], 1, p, 512 * 512, 1, 2));
  assert.throws(() => checkMemory(5e9, 'a step', 'lower --batch', () => {}, { total: 4e9, free: 3e9 }), /a step needs an estimated 5\.00 GB of memory; this machine has 4\.00 GB \(3\.00 GB free\) — lower --batch, or pass --no-memory-check/);
  const notes: string[] = [];
  checkMemory(3.5e9, 'a step', 'x', (m) => notes.push(m), { total: 4e9, free: 3e9 });
  assert.match(notes[0], /warning: a step needs an estimated 3\.50 GB; 3\.00 GB of this machine's 4\.00 GB is free now/);
});

test('validation reports a class absent from truth and prediction as NaN, not Dice 1, and leaves it out of the score', async () => {
  const { validationDice } = await import('./train-run.js');
  const { createNet } = await import('../models/registry.js');
  const model = createNet(presetSpec('seed2d', { base: 2, depth: 2, classes: 3, seed: 1 }));
  model.eval();
  const shape = [16, 16];
  const image = { data: new Float32Array(256), shape, channels: 1, spacing: [1, 1], source: 'x' };
  // Every pixel labelled 2 and the class chosen at every pixel by the network, whatever it is: at least one class is in
  // neither the truth nor the prediction.
  const m = await validationDice(model, [{ name: 'a', image, label: new Int32Array(256).fill(2) }] as never, 3, shape);
  const absent = [m.dice_1, m.dice_2].filter((d) => Number.isNaN(d));
  assert.ok(absent.length >= 1, JSON.stringify(m));
  const present = [m.dice_1, m.dice_2].filter((d) => !Number.isNaN(d));
  assert.equal(m.score, present.reduce((a, b) => a + b, 0) / present.length);
  model.dispose();
});
