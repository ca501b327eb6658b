import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { repoRoot } from '../src/core/testing.js';
import { readVolume } from '../src/io/readers.js';
import { encodePng } from '../src/io/png.js';
import { decodeModel } from '../src/io/onnx/proto.js';

ort.env.wasm.numThreads = 1;

const unet = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'cli', 'unet.ts'), ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const read = (p: string) => readVolume(new Uint8Array(readFileSync(p)), p);

// One tiny 2-D run (ISBI, 255 = cell, two classes: softmax) for the tests below.
const work = mkdtempSync(join(tmpdir(), 'unet-export-'));
const run = join(work, 'run');
const trained = unet('train', '--data', join(repoRoot, 'data/isbi2012/train'), '--out', run, '--base', '4', '--patch', '64x64', '--batch', '2',
  '--iterations', '20', '--lr', '0.01', '--classes', '2', '--label-map', '0:0,255:1', '--val-fraction', '0', '--quiet');

type Meta = { metadata_props: { key: string; value: string }[]; graph: { input: { name: string; type: { tensor_type: { shape: { dim: { dim_value?: number; dim_param?: string }[] } } } }[] } };

test('unet export writes an ONNX file whose metadata reproduce unet predict\'s mask (ISBI crop, one window)', async () => {
  assert.equal(trained.code, 0, trained.err);
  const file = join(work, 'model.onnx');
  const r = unet('export', '--model', run, '--format', 'onnx', '--out', file);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /wrote .*model\.onnx .*input NCHW, any size that is a multiple of 16 \(traced at 64x64\), dynamic batch/);
  assert.deepEqual(readdirSync(work).filter((f) => f.includes('.tmp')), [], 'no temporary file is left');

  // A 64×64 crop of the held-out ISBI image: predict runs one window of the training patch over it.
  const img = read(join(repoRoot, 'data/isbi2012/test/images/7.png'));
  const [h, w] = img.shape, crop = new Uint8Array(64 * 64);
  for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) crop[y * 64 + x] = img.data[(100 + y) * w + 200 + x];
  assert.ok(h >= 164 && w >= 264);
  const inDir = join(work, 'in');
  mkdirSync(inDir);
  writeFileSync(join(inDir, 'crop.png'), encodePng(crop, 64, 64, 1));
  const p = unet('predict', '--model', run, '--input', inDir, '--out', join(work, 'pred'), '--quiet', '--backend', 'cpu');
  assert.equal(p.code, 0, p.err);
  const mask = read(join(work, 'pred', 'crop.png')).data;

  // What the README's onnxruntime snippet does, from the metadata alone.
  const bytes = new Uint8Array(readFileSync(file));
  const m = decodeModel(bytes) as Meta;
  const meta = Object.fromEntries(m.metadata_props.map((e) => [e.key, e.value]));
  assert.equal(meta['unet.normalize'], '"zscore"');
  assert.equal(meta['unet.activation'], 'softmax');
  assert.deepEqual(JSON.parse(meta['unet.label_values']), [0, 255]);
  assert.deepEqual(JSON.parse(meta['unet.input_size']), [64, 64]);
  assert.equal(meta['unet.layout'], 'NCHW');
  assert.deepEqual(m.graph.input[0].type.tensor_type.shape.dim.map((d) => d.dim_value ?? d.dim_param), ['batch', 1, 'height', 'width']);
  assert.equal(meta['unet.dynamic_size'], 'true');
  const x = Float32Array.from(crop);
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  const std = Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length);
  const s = await ort.InferenceSession.create(bytes);
  const out = (await s.run({ [meta['unet.input']]: new ort.Tensor('float32', x.map((v) => (v - mean) / std), [1, 1, 64, 64]) }))[meta['unet.output']];
  const values = JSON.parse(meta['unet.label_values']) as number[];
  const logits = out.data as Float32Array;
  // [1, 2, 64, 64]: argmax over the two class planes (softmax keeps the order).
  const ours = Array.from({ length: 64 * 64 }, (_, i) => values[logits[64 * 64 + i] > logits[i] ? 1 : 0]);
  const differ = ours.filter((v, i) => v !== mask[i]).length;
  const cells = ours.filter((v) => v === 255).length;
  console.log(`# ISBI crop: ${cells} of ${ours.length} pixels are cells (255) in both masks`);
  assert.ok(cells > 0 && cells < ours.length, 'both classes occur (the comparison is not of two constant masks)');
  assert.equal(differ, 0, `${differ} of ${ours.length} pixels differ from unet predict's mask`);
});

test('unet export refuses what it cannot write, naming the flag, the value and the rule', () => {
  assert.equal(trained.code, 0, trained.err);
  let r = unet('export', '--model', run, '--out', join(work, 'x.onnx'), '--format', 'tflite');
  assert.notEqual(r.code, 0);
  assert.match(r.err, /unet: error: --format tflite: the formats are onnx/);
  r = unet('export', '--model', run, '--out', join(work, 'x.bin'));
  assert.match(r.err, /unet: error: --out .*x\.bin: an ONNX file must end in \.onnx/);
  r = unet('export', '--model', join(work, 'nope'), '--out', join(work, 'x.onnx'));
  assert.match(r.err, /unet: error: --model .*nope: no such run folder or model file/);
  r = unet('export', '--model', run, '--out', join(work, 'x.onnx'), '--size', '60x64');
  assert.match(r.err, /unet: error: --size 60x64: /);
  r = unet('export', '--model', run, '--out', join(work, 'x.onnx'), '--opset', '18');
  assert.match(r.err, /unet: error: --opset 18: the exporter writes opset 17 only/);
  r = unet('export', '--model', join(run, 'model.safetensors'), '--out', join(work, 'x.onnx'));
  assert.match(r.err, /no training patch recorded .*give the input size with --size/);
  assert.ok(!existsSync(join(work, 'x.onnx')));
  r = unet('export', '--model', join(run, 'model.safetensors'), '--out', join(work, 'x.onnx'), '--size', '32x48', '--channels-last', '--batch', '2', '--fixed-size');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /input NHWC, size 32x48 → logits of size 32x48 \(fixed: fixed by request\), batch 2/);
});

test('a 3-D run\'s export reproduces unet predict\'s mask of a hippocampus volume (z-score, one window over the zero-padded volume)', async () => {
  const data = join(work, 'hip');
  for (const d of ['images', 'labels']) mkdirSync(join(data, d), { recursive: true });
  const HIP = join(repoRoot, 'data', 'hippocampus');
  for (const n of ['hippocampus_004.nii.gz', 'hippocampus_017.nii.gz']) for (const d of ['images', 'labels']) writeFileSync(join(data, d, n), readFileSync(join(HIP, d, n)));
  const run3d = join(work, 'run3d');
  let r = unet('train', '--data', data, '--out', run3d, '--preset', 'seed3d', '--base', '2', '--patch', '16x32x16', '--batch', '1', '--iterations', '10', '--lr', '0.01', '--val-fraction', '0', '--quiet');
  assert.equal(r.code, 0, r.err);
  const input = join(HIP, 'images', 'hippocampus_004.nii.gz');
  const win = [48, 64, 48];
  r = unet('predict', '--model', run3d, '--input', input, '--out', join(work, 'pred3d'), '--window', win.join('x'), '--quiet', '--backend', 'cpu');
  assert.equal(r.code, 0, r.err);
  const mask = read(join(work, 'pred3d', 'hippocampus_004.nii.gz')).data;
  const file = join(work, 'hip.onnx');
  r = unet('export', '--model', run3d, '--out', file);
  assert.equal(r.code, 0, r.err);
  const bytes = new Uint8Array(readFileSync(file));
  const meta = Object.fromEntries((decodeModel(bytes) as Meta).metadata_props.map((e) => [e.key, e.value]));
  assert.equal(meta['unet.dynamic_size'], 'true');
  assert.equal(Number(win[0]) % Number(meta['unet.size_multiple']), 0);
  assert.deepEqual(JSON.parse(meta['unet.spacing']), [1, 1, 1]); // the volume's own: predict does not resample
  assert.equal(meta['unet.normalize'], '"zscore"');
  // The volume, z-scored, centred in a zero window of 48×64×48 (predict's padding), one run, cropped back, argmax.
  const v = read(input);
  const [d, h, w] = v.shape;
  const n = d * h * w;
  const mean = v.data.reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(v.data.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  const off = [d, h, w].map((s, i) => Math.floor((win[i] - s) / 2));
  const x = new Float32Array(win[0] * win[1] * win[2]);
  for (let z = 0; z < d; z++) for (let y = 0; y < h; y++) for (let q = 0; q < w; q++) {
    x[((z + off[0]) * win[1] + y + off[1]) * win[2] + q + off[2]] = (v.data[(z * h + y) * w + q] - mean) / std;
  }
  const s = await ort.InferenceSession.create(bytes);
  const logits = (await s.run({ input: new ort.Tensor('float32', x, [1, 1, ...win]) })).logits.data as Float32Array;
  const values = JSON.parse(meta['unet.label_values']) as number[];
  const plane = win[0] * win[1] * win[2];
  const ours = new Array<number>(n);
  for (let z = 0; z < d; z++) for (let y = 0; y < h; y++) for (let q = 0; q < w; q++) {
    const at = ((z + off[0]) * win[1] + y + off[1]) * win[2] + q + off[2];
    let best = 0;
    for (let c = 1; c < values.length; c++) if (logits[c * plane + at] > logits[best * plane + at]) best = c;
    ours[(z * h + y) * w + q] = values[best];
  }
  const classes = new Set(ours);
  console.log(`# hippocampus_004 [${v.shape}]: classes ${[...classes].sort()} in both masks`);
  assert.ok(classes.size >= 2, 'the comparison is not of two constant masks');
  const differ = ours.filter((c, i) => c !== mask[i]).length;
  assert.equal(differ, 0, `${differ} of ${n} voxels differ from unet predict's mask`);
});
