/** `unet find-best` on files: candidates' .prob.nii.gz, a truth folder, the decision written and recorded in a plan. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../core/testing.js';
import { encodeNifti } from '../io/nifti-write.js';
import { encodePng } from '../io/png.js';
import { findBestRun } from './find-best.js';

const dir = mkdtempSync(join(tmpdir(), 'unet-find-best-'));
const probs = (fg: number[]) => encodeNifti({ data: fg.flatMap((p) => [1 - p, p]), shape: [1, 1, 4], channels: 2 }, { datatype: 'float32' });
for (const [name, fg] of [['A', [0.9, 0.4, 0.2, 0.6]], ['B', [0.4, 0.9, 0.6, 0.2]]] as const) {
  mkdirSync(join(dir, name));
  writeFileSync(join(dir, name, 'c.prob.nii'), probs([...fg]));
}
mkdirSync(join(dir, 'truth'));
writeFileSync(join(dir, 'truth', 'c.png'), encodePng([255, 255, 0, 0], 4, 1, 1));

test('find-best: the ensemble of A and B wins; the decision is written and recorded in the plans file', async () => {
  const plans = join(dir, 'plans.json');
  writeFileSync(plans, JSON.stringify({ format: 'unet-ts-plans', version: 1, configurations: {} }));
  const r = await findBestRun({ truth: join(dir, 'truth'), candidates: { A: join(dir, 'A'), B: join(dir, 'B') }, labelMap: { 0: 0, 255: 1 }, out: join(dir, 'best.json'), plans });
  assert.deepEqual(r.best, { name: 'ensemble(A, B)', members: ['A', 'B'] });
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'best.json'), 'utf8')).best, r.best);
  const p = JSON.parse(readFileSync(plans, 'utf8'));
  assert.deepEqual([p.best.name, p.best.foregroundMean, p.postprocessing.steps], ['ensemble(A, B)', 1, []]);
});

test('find-best refuses undeclared truth values, a missing case and a broken plans file, naming them', async () => {
  await assert.rejects(findBestRun({ truth: join(dir, 'truth'), candidates: { A: join(dir, 'A') } }), /c\.png: label value 255 at voxel 0 is not a class index of the 2-class probabilities — rule/);
  mkdirSync(join(dir, 'C'));
  writeFileSync(join(dir, 'C', 'other.prob.nii'), probs([0, 0, 0, 0]));
  await assert.rejects(findBestRun({ truth: join(dir, 'truth'), candidates: { A: join(dir, 'A'), C: join(dir, 'C') }, labelMap: { 0: 0, 255: 1 } }), /candidate 'A' has no probabilities for case other — rule: every candidate predicts every case/);
  // Truth for more cases than predicted (one fold of a cross-validation): the predicted ones are scored.
  writeFileSync(join(dir, 'truth', 'd.png'), encodePng([7, 7, 7, 7], 4, 1, 1)); // would be refused (7) if it were read
  const one = await findBestRun({ truth: join(dir, 'truth'), candidates: { A: join(dir, 'A') }, labelMap: { 0: 0, 255: 1 } });
  assert.deepEqual(one.best.members, ['A']);
  mkdirSync(join(dir, 'E'));
  writeFileSync(join(dir, 'E', 'e.prob.nii'), probs([0.5, 0.5, 0.5, 0.5]));
  await assert.rejects(findBestRun({ truth: join(dir, 'truth'), candidates: { E: join(dir, 'E') }, labelMap: { 0: 0, 255: 1 } }), /--truth .*truth: no label file for case e, which the candidates predict/);
  writeFileSync(join(dir, 'bad.json'), '{"format": oops');
  await assert.rejects(findBestRun({ truth: join(dir, 'truth'), candidates: { A: join(dir, 'A') }, labelMap: { 0: 0, 255: 1 }, plans: join(dir, 'bad.json') }), /--plans .*bad\.json: not valid JSON/);
  const cli = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'cli', 'unet.ts'), 'find-best', '--truth', join(dir, 'truth'), '--candidate', `A=${join(dir, 'A')}`, '--candidate', `B=${join(dir, 'B')}`, '--label-map', '0:0,255:1'], { encoding: 'utf8' });
  assert.equal(cli.status, 0, cli.stderr);
  assert.match(cli.stdout, /\* ensemble\(A, B\)\s+1\.0000/);
  assert.match(cli.stdout, /best: ensemble\(A, B\)/);
  const bad = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'cli', 'unet.ts'), 'find-best', '--truth', join(dir, 'truth'), '--candidate', 'nofolder'], { encoding: 'utf8' });
  assert.match(bad.stderr, /^unet: error: --candidate 'nofolder': expected NAME=FOLDER/m);
});
