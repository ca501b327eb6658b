import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../src/core/testing.js';
import { encodePng } from '../src/io/png.js';
import { evaluate } from './evaluate.js';

const unet = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'cli', 'unet.ts'), ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

/** A folder pair pred/ and truth/ of 1-channel PNG label maps. */
function folders(cases: Record<string, { pred: number[]; truth: number[]; w: number; h: number }>) {
  const root = mkdtempSync(join(tmpdir(), 'unet-eval-'));
  for (const d of ['pred', 'truth']) mkdirSync(join(root, d));
  for (const [name, c] of Object.entries(cases)) {
    writeFileSync(join(root, 'pred', `${name}.png`), encodePng(c.pred, c.w, c.h, 1));
    writeFileSync(join(root, 'truth', `${name}.png`), encodePng(c.truth, c.w, c.h, 1));
  }
  return root;
}

// 4×4 maps with values 0 / 1 / 2. Class 1: truth 6 px, prediction 5 px, overlap 4 → Dice 8/11, IoU 4/7.
// Class 2: truth 2 px, prediction 3 px, overlap 2 → Dice 4/5, IoU 2/3.
const truthA = [
  1, 1, 1, 0,
  1, 1, 1, 0,
  0, 0, 2, 2,
  0, 0, 0, 0,
];
const predA = [
  1, 1, 1, 0,
  1, 0, 0, 1,
  0, 0, 2, 2,
  0, 0, 0, 2,
];

test('unet evaluate: Dice and IoU agree with hand-computed values to 1e-6; absent-class rule; mean over cases', async () => {
  // Case B: class 2 in neither file (absent: Dice 1, IoU 1, HD95 0); class 1 identical (Dice 1, HD95 0).
  const truthB = [0, 1, 1, 0], predB = [0, 1, 1, 0];
  const root = folders({ a: { pred: predA, truth: truthA, w: 4, h: 4 }, b: { pred: predB, truth: truthB, w: 2, h: 2 } });
  const r = await evaluate({ pred: join(root, 'pred'), truth: join(root, 'truth') });
  assert.deepEqual(Object.keys(r.mean.classes), ['1', '2']); // default: the nonzero values of the truth
  const [a, b] = r.cases;
  assert.equal(a.name, 'a');
  assert.ok(Math.abs((a.classes['1'].dice as number) - 8 / 11) < 1e-6);
  assert.ok(Math.abs((a.classes['1'].iou as number) - 4 / 7) < 1e-6);
  assert.ok(Math.abs((a.classes['2'].dice as number) - 4 / 5) < 1e-6);
  assert.ok(Math.abs((a.classes['2'].iou as number) - 2 / 3) < 1e-6);
  // Class 2's HD95 by hand: truth surface {(2,2),(2,3)}; prediction surface {(2,2),(2,3),(3,3)}; the extra pixel is
  // 1 from the truth; nearest-rank 95th percentile of [0, 0, 1] is 1, of [0, 0] is 0 → max 1.
  assert.equal(a.classes['2'].hd95, 1);
  assert.deepEqual(b.classes['2'], { dice: 1, iou: 1, hd95: 0, absent: true });
  assert.equal(b.classes['1'].dice, 1);
  assert.ok(Math.abs((r.mean.classes['1'].dice as number) - (8 / 11 + 1) / 2) < 1e-6);
  assert.ok(Math.abs((r.mean.classes['2'].dice as number) - (4 / 5 + 1) / 2) < 1e-6);
  const ex = await evaluate({ pred: join(root, 'pred'), truth: join(root, 'truth'), excludeAbsent: true });
  assert.ok(Math.abs((ex.mean.classes['2'].dice as number) - 4 / 5) < 1e-6);
  assert.equal(ex.mean.classes['2'].cases, 1);
  assert.ok(Math.abs((ex.mean.overall.dice as number) - ((ex.mean.classes['1'].dice as number) + 4 / 5) / 2) < 1e-12);
});

test('--metrics picks from the registry: sensitivity, precision and the full Hausdorff distance by hand', async () => {
  const root = folders({ a: { pred: predA, truth: truthA, w: 4, h: 4 } });
  const r = await evaluate({ pred: join(root, 'pred'), truth: join(root, 'truth'), classes: [1], metrics: ['sensitivity', 'precision', 'hd'] });
  const s = r.cases[0].classes['1'];
  assert.ok(Math.abs((s.sensitivity as number) - 4 / 6) < 1e-12); // class 1: tp 4, fn 2, fp 1
  assert.ok(Math.abs((s.precision as number) - 4 / 5) < 1e-12);
  // Every surface pixel of one mask is within 1 of the other's: the extra predicted (1,3) is next to truth (1,2); the
  // missed truth (1,1), (1,2) are next to predicted (1,0), (0,2) → HD 1.
  assert.equal(s.hd, 1);
  assert.deepEqual(Object.keys(r.mean.overall), ['sensitivity', 'precision', 'hd']);
});

test('unet evaluate --json prints {cases, mean}; the table shows the absent rule; a class in one file only has HD95 ∞', () => {
  const root = folders({ a: { pred: [0, 0, 0, 0], truth: [0, 255, 255, 0], w: 2, h: 2 } });
  const r = unet('evaluate', '--pred', join(root, 'pred'), '--truth', join(root, 'truth'), '--json');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.deepEqual([Object.keys(j), j.semantics], [['cases', 'mean', 'semantics'], 'unet-ts']);
  assert.deepEqual(j.cases[0].classes['255'], { dice: 0, iou: 0, hd95: null, absent: false });
  assert.equal(j.mean.classes['255'].hd95Cases, 0);
  const t = unet('evaluate', '--pred', join(root, 'pred'), '--truth', join(root, 'truth'), '--classes', '255,7');
  assert.equal(t.code, 0, t.err);
  assert.match(t.out, /HD95 255 \(px\)/);
  assert.match(t.out, /absent = the class is in neither prediction nor truth/);
  assert.match(t.out, /^a .*absent/m); // class 7 is in neither file
});

test('unet evaluate refuses a truth file without a prediction, and mismatched shapes, naming the file and the rule', () => {
  const root = folders({ a: { pred: predA, truth: truthA, w: 4, h: 4 }, b: { pred: [0, 1], truth: [0, 1], w: 2, h: 1 } });
  writeFileSync(join(root, 'truth', 'c.png'), encodePng([0, 1], 2, 1, 1));
  let r = unet('evaluate', '--pred', join(root, 'pred'), '--truth', join(root, 'truth'));
  assert.notEqual(r.code, 0);
  assert.match(r.err, /truth\/c\.png: no prediction named c\.\* in .*every truth file needs a prediction of the same name/);
  writeFileSync(join(root, 'pred', 'c.png'), encodePng([0, 1, 1, 0], 2, 2, 1));
  r = unet('evaluate', '--pred', join(root, 'pred'), '--truth', join(root, 'truth'));
  assert.match(r.err, /pred\/c\.png: shape 2x2 differs from the truth .*c\.png's 1x2/);
  assert.match(unet('evaluate', '--pred', join(root, 'nope'), '--truth', join(root, 'truth')).err, /--pred folder .*nope: does not exist/);
  assert.match(unet('evaluate', '--pred', join(root, 'pred'), '--truth', join(root, 'truth'), '--metrics', 'dice,hd96').err, /unknown metric 'hd96'; did you mean 'hd95'\?/);
});

test('evaluate: --max-voxels reaches every file; duplicate case names refused naming both; symlinked files followed', async () => {
  const root = folders({ a: { pred: predA, truth: truthA, w: 4, h: 4 } });
  const r = unet('evaluate', '--pred', join(root, 'pred'), '--truth', join(root, 'truth'), '--max-voxels', '15');
  assert.notEqual(r.code, 0);
  assert.match(r.err, /a\.png: the header declares a 4×4 image \(width×height\) × 1 channel = 16 values — rule: at most 15 values per file \(maxVoxels\); raise it with --max-voxels N/);
  assert.match(unet('evaluate', '--pred', join(root, 'pred'), '--truth', join(root, 'truth'), '--max-voxels', 'abc').err, /--max-voxels 'abc' — rule: a positive integer/);
  const ok = await evaluate({ pred: join(root, 'pred'), truth: join(root, 'truth'), limits: { maxVoxels: 16 } });
  assert.equal(ok.cases.length, 1);
  symlinkSync(join(root, 'pred', 'a.png'), join(root, 'pred', 'b.png'));
  symlinkSync(join(root, 'truth', 'a.png'), join(root, 'truth', 'b.png'));
  assert.deepEqual((await evaluate({ pred: join(root, 'pred'), truth: join(root, 'truth') })).cases.map((c) => c.name), ['a', 'b']);
  writeFileSync(join(root, 'pred', 'a.tif'), new Uint8Array(8));
  await assert.rejects(evaluate({ pred: join(root, 'pred'), truth: join(root, 'truth') }),
    new RegExp(`^Error: ${root}/pred/a\\.tif: case name 'a' also used by ${root}/pred/a\\.png — rule: one file per case name \\(extension aside\\) in --pred`));
});

test('unet evaluate --semantics monai: empty truth → Dice/IoU null (NaN) and left out of the means; HD95 interpolated', async () => {
  const truthB = [0, 1, 1, 0], predB = [0, 1, 1, 0];
  const root = folders({ a: { pred: predA, truth: truthA, w: 4, h: 4 }, b: { pred: predB, truth: truthB, w: 2, h: 2 } });
  const r = await evaluate({ pred: join(root, 'pred'), truth: join(root, 'truth'), semantics: 'monai' });
  // Class 2 of case a: directed distances [0, 0, 1] and [0, 0]: torch.quantile's 95th percentile 0.9 (nearest rank: 1).
  assert.ok(Math.abs((r.cases[0].classes['2'].hd95 as number) - 0.9) < 1e-12);
  // Case b: class 2 in neither file: MONAI NaN for Dice, IoU (ignore_empty) and HD95 (both empty), JSON null.
  assert.deepEqual(r.cases[1].classes['2'], { dice: null, iou: null, hd95: null, absent: true });
  assert.ok(Math.abs((r.mean.classes['2'].dice as number) - 4 / 5) < 1e-6);
  assert.equal(r.mean.classes['2'].diceCases, 1);
  const cli = unet('evaluate', '--pred', join(root, 'pred'), '--truth', join(root, 'truth'), '--semantics', 'monai', '--json');
  assert.equal(cli.code, 0, cli.err);
  assert.equal(JSON.parse(cli.out).cases[1].classes['2'].dice, null);
  const bad = unet('evaluate', '--pred', join(root, 'pred'), '--truth', join(root, 'truth'), '--semantics', 'scipy');
  assert.notEqual(bad.code, 0);
  assert.match(bad.err, /semantics 'scipy' must be 'unet-ts' or 'monai'/);
});
