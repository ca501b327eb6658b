#!/usr/bin/env node
/** The `unet` command. */
import { Command, InvalidArgumentError } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf } from '../src/core/tf.js';
import { evaluate, formatEvaluation } from './evaluate.js';
import { predict } from './predict.js';
import { maskMetrics } from '../src/metrics/registry.js';
import { backendInfo, useBestBackend } from '../src/backends/select.js';
import { architectures, geometryOf, paramsOf, presets, presetSpec } from '../src/models/registry.js';
import { parseSize, summarize, summaryJson, summaryText } from '../src/app/summary.js';
import { importRun } from '../src/app/import.js';
import { exportRun } from '../src/app/export.js';
import { findBestRun, findBestText, planPostprocessing } from '../src/app/find-best.js';
import { fingerprintRun, parseMemory, planRun, planText } from '../src/app/plan.js';
import { demo } from './demo.js';
import { bench } from './bench.js';
import { workloads } from '../bench/workloads.js';
import { DEFAULT_MAX_VOXELS, parseMaxVoxels } from '../src/io/limits.js';
import { ARCHS_HELP, parseLabelMap, parseOptionPairs, runTraining, PRESETS_HELP } from './train.js';

const root = (() => {
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, 'package.json'))) d = dirname(d);
  return d;
})();
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version as string;

const int = (flag: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} must be a positive integer, got '${v}'`);
  return n;
};

const program = new Command('unet')
  .description('U-Net semantic segmentation, 2-D and 3-D, in TypeScript')
  .version(version)
  .showHelpAfterError()
  .configureOutput({ outputError: (str, write) => write(`unet: ${str}`) }); // every error reads `unet: error: …`

const num = (flag: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${flag} must be a positive number, got '${v}'`);
  return n;
};

/** `--max-voxels N` (train, predict, evaluate): the most values one input file may decode to (`ReadLimits.maxVoxels`). */
const MAX_VOXELS_HELP = `refuse any input file decoding to more than N values (voxels × channels), checked from its header before decoding (default ${DEFAULT_MAX_VOXELS} = 2^28, 1 GiB of float32)`;
const maxVoxelsArg = (v: string) => {
  try { return parseMaxVoxels(v); } catch (e) { throw new InvalidArgumentError((e as Error).message); }
};

/** A number parser for `flag` that refuses what is not a finite number (and, with `integer`, not an integer). */
const numberArg = (flag: string, integer = false) => (v: string) => {
  const n = v.trim() === '' ? NaN : Number(v);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) throw new InvalidArgumentError(`${flag} must be ${integer ? 'an integer' : 'a number'}, got '${v}'`);
  return n;
};

function precisionArg(v: string): 'fp32' | 'bf16' | 'auto' {
  if (v !== 'fp32' && v !== 'bf16' && v !== 'auto') throw new InvalidArgumentError(`--precision must be fp32, bf16 or auto, got '${v}'`);
  return v;
}

program.command('summary')
  .description('per-stage table of a network (channels, sizes, parameters, skip crops) without running it')
  .option('--preset <name>', `one of: ${presets.names().join(', ')}`)
  .option('--arch <name>', `an architecture (its first preset): ${ARCHS_HELP}`)
  .option('--in-channels <n>', 'input channels', int('--in-channels'))
  .option('--classes <k>', 'output classes', int('--classes'))
  .option('--base <f>', 'U-Net base width', int('--base'))
  .option('--depth <n>', 'U-Net pooling steps', int('--depth'))
  .option('--upsample <mode>', 'U-Net: interp | transposed')
  .option('--norm <kind>', 'U-Net: batch | instance | group | none')
  .option('--option <name=value>', 'any architecture option, e.g. deepSupervision=true (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
  .option('--input <size>', 'input size, HxW or DxHxW (default: the preset\'s paper size)')
  .option('--json', 'print one JSON object')
  .action((o) => {
    if (!o.preset && !o.arch) throw new Error('give --preset NAME or --arch NAME');
    const preset = o.preset ?? Object.keys(architectures.get(o.arch).presets)[0];
    if (o.arch && presets.get(preset).arch !== architectures.get(o.arch).name) throw new Error(`--preset ${preset} is a preset of '${presets.get(preset).arch}', not of --arch ${o.arch}`);
    const overrides = { ...parseOptionPairs(o.option), inChannels: o.inChannels, classes: o.classes, base: o.base, depth: o.depth, upsample: o.upsample, norm: o.norm };
    const r = summarize(preset, overrides, o.input ? parseSize(o.input) : undefined);
    console.log(o.json ? JSON.stringify(summaryJson(r)) : summaryText(r));
  });

program.command('presets')
  .description('every architecture and its presets: dimensions, parameters, input size, role (reference / train)')
  .option('--arch <name>', `only this architecture: ${ARCHS_HELP}`)
  .option('--json', 'print one JSON object {"architectures": [...], "presets": [...]}')
  .action((o) => {
    const archs = o.arch ? [architectures.get(o.arch).name] : architectures.names();
    const list = presets.names().filter((n) => archs.includes(presets.get(n).arch)).map((name) => {
      const p = presets.get(name);
      const spec = presetSpec(name);
      const g = geometryOf(spec);
      return { name, arch: p.arch, dims: g.spatialDims, params: paramsOf(spec), input: g.fixed ? [...g.fixed] : p.defaultInput, role: p.role ?? 'reference', description: p.description };
    });
    if (o.json) {
      console.log(JSON.stringify({ architectures: archs.map((a) => ({ name: a, description: architectures.get(a).description })), presets: list }));
      return;
    }
    for (const a of archs) {
      console.log(`${a}: ${architectures.get(a).description}`);
      for (const p of list.filter((q) => q.arch === a)) {
        console.log(`  ${p.name.padEnd(22)} ${p.dims}-D  ${p.params.toLocaleString('en-US').padStart(12)} params  ${p.input.join('×').padEnd(12)} ${p.role.padEnd(9)} ${p.description}`);
      }
    }
  });

program.command('demo')
  .description('the main job: train a small U-Net on bundled ISBI-2012 slices (200 iterations, about a minute), predict an unseen slice, write an overlay and its Dice')
  .option('--out <dir>', 'output folder', 'artifacts/demo')
  .option('--base <f>', 'base width', int('--base'), 16)
  .option('--iterations <n>', 'training iterations', int('--iterations'), 200)
  .option('--minutes <m>', 'time ceiling: stop there even short of the iterations', num('--minutes'), 3)
  .action(async (o) => {
    await demo({ root, out: o.out, base: o.base, minutes: o.minutes, iterations: o.iterations });
  });

program.command('train')
  .description('train a network on a folder with images/ and labels/ (PNG, GIF, TIFF, NIfTI)')
  .requiredOption('--data <dir>', 'dataset folder with images/ and labels/ of matching names')
  .requiredOption('--out <rundir>', 'run folder: config.json, metrics.jsonl, curve.svg, checkpoints/, model.safetensors')
  .option('--arch <name>', `architecture: ${ARCHS_HELP} (default: the preset's)`)
  .option('--preset <name>', `${PRESETS_HELP} (default small2d, or the --arch's first training preset)`)
  .option('--init <model>', 'start from these weights (a model.safetensors with its model.json, e.g. from unet import); the network is the file\'s')
  .option('--plan <plans.json>', 'train from a plan (unet plan): its network, patch, batch, spacing and normalisation, with nnU-Net\'s recipe (SGD, deep supervision, augmentations) and 5-fold split')
  .option('--config <name>', 'the plan\'s configuration: 2d | 3d_fullres | 3d_lowres (with --plan)')
  .option('--fold <k>', 'cross-validation fold 0…4 held back for validation (with --plan; DATA/splits.json wins; default 0)', numberArg('--fold', true))
  .option('--base <f>', 'U-Net base width (same as --option base=F)', int('--base'))
  .option('--option <name=value>', 'an architecture option on top of the preset\'s, e.g. deepSupervision=true (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
  .option('--classes <k>', 'output channels: 1 = binary (sigmoid), K ≥ 2 (softmax); default: the preset\'s', int('--classes'))
  .option('--in-channels <n>', 'image channels (default: the data\'s; an opaque PNG alpha channel is dropped)', int('--in-channels'))
  .option('--patch <size>', 'patch size, e.g. 256x256 or 48x64x48')
  .option('--batch <n>', 'batch size (default 4 in 2-D, 2 in 3-D)', int('--batch'))
  .option('--iterations <n>', 'iterations (default 1000)', int('--iterations'))
  .option('--epochs <n>', 'epochs of --iters-per-epoch iterations', int('--epochs'))
  .option('--minutes <m>', 'wall-clock budget', num('--minutes'))
  .option('--iters-per-epoch <n>', 'validation and checkpoint cadence (default 100)', int('--iters-per-epoch'))
  .option('--loss <name>', 'bce-dice | ce-dice | dice | bce | ce | weighted-ce | tversky | focal-tversky (default bce-dice for binary, ce-dice otherwise)')
  .option('--lr <lr>', 'Adam learning rate (default 1e-3)', num('--lr'))
  .option('--schedule <name>', 'constant | step | cosine | poly (default poly: lr·(1 − t)^0.9 over the iterations or the --minutes budget)')
  .option('--seed <n>', 'seed of initialisation, split, sampling and augmentation (default 0)', numberArg('--seed', true))
  .option('--val-fraction <f>', 'held-back fraction of the cases for validation, in [0, 1) (default 0.2)', numberArg('--val-fraction'))
  .option('--label-map <map>', 'label value → class, e.g. 0:0,255:1 (ISBI: 255 = cell = class 1)')
  .option('--ignore <value>', 'label value marking unlabelled pixels', numberArg('--ignore', true))
  .option('--normalize <mode>', 'zscore | minmax | percentile | none (default zscore, per image)')
  .option('--elastic <p>', 'probability of an elastic deformation per patch, in [0, 1] (default 0)', numberArg('--elastic'))
  .option('--patience <n>', 'early stop after N validations without a better Dice', int('--patience'))
  .option('--backend <name>', 'onednn | cpu')
  .option('--precision <p>', 'convolutions in fp32 | bf16 | auto (default auto: bf16 where the CPU has AVX512-BF16, else fp32)', precisionArg)
  .option('--resume', 'continue from RUNDIR/checkpoints/last.safetensors (same network, normalisation and label map)')
  .option('--overwrite', 'start over in a RUNDIR that already holds a run (removes its config, metrics, checkpoints and model); without it such a folder is refused')
  .option('--no-memory-check', 'train even when the estimated memory of a step exceeds the machine\'s')
  .option('--max-voxels <n>', MAX_VOXELS_HELP, maxVoxelsArg)
  .option('--quiet', 'no progress bar')
  .option('--json', 'print one JSON object at the end (arch, preset, params, iterations, seconds, median s/step, best and final validation)')
  .action(async (o) => {
    const run = await runTraining({
      data: o.data, out: o.out, arch: o.arch, preset: o.preset, init: o.init, plan: o.plan, config: o.config, fold: o.fold, options: { ...parseOptionPairs(o.option), ...(o.base !== undefined ? { base: o.base } : {}) }, classes: o.classes, inChannels: o.inChannels, patch: o.patch ? parseSize(o.patch, '--patch') : undefined,
      batch: o.batch, iterations: o.iterations, epochs: o.epochs, minutes: o.minutes, itersPerEpoch: o.itersPerEpoch, loss: o.loss,
      lr: o.lr, schedule: o.schedule, seed: o.seed, valFraction: o.valFraction, labelMap: o.labelMap ? parseLabelMap(o.labelMap) : undefined,
      ignoreValue: o.ignore, normalize: o.normalize, elastic: o.elastic, patience: o.patience, backend: o.backend, precision: o.precision, resume: o.resume, quiet: o.quiet || o.json,
      limits: { maxVoxels: o.maxVoxels }, overwrite: o.overwrite, memoryCheck: o.memoryCheck,
    });
    if (o.json) {
      console.log(JSON.stringify({
        arch: run.spec.arch, preset: run.preset, params: run.model.parameterCount(), iterations: run.result.iterations,
        elapsedS: run.result.elapsedS, stepMedianS: run.stepMedianS, best: run.result.best, final: run.finalMetrics ?? null,
        val: run.val.map((s) => s.name), backend: run.backend,
      }));
      run.model.dispose();
      return;
    }
    const m = run.finalMetrics ? Object.entries(run.finalMetrics).map(([k, v]) => `${k} ${Number.isNaN(v) ? 'absent' : v.toFixed(4)}`).join(', ') : 'no validation cases';
    const best = run.val.length ? ` (best validation at iteration ${run.result.best.step}, kept)` : '';
    console.log(`trained ${run.result.iterations} iterations in ${run.result.elapsedS.toFixed(1)} s; validation (${run.val.map((s) => s.name).join(', ')}): ${m}${best}; model in ${o.out}/model.safetensors`);
  });

program.command('import')
  .description('a model file from weights made elsewhere: a PyTorch checkpoint (torch.save .pth/.pt, read without running anything), a state dict as .safetensors, or an upstream release (.npz: TransUNet\'s R50+ViT-B_16 encoder)')
  .option('--from <file>', 'the weights: a PyTorch checkpoint (torch.save: .pth, .pt, .bin, .ckpt), a .safetensors state dict or an .npz release')
  .option('--weights <file>', 'the same as --from')
  .option('--preset <name>', `the network the weights are for: ${PRESETS_HELP}`)
  .option('--arch <name>', `or its architecture (its first preset; --option adjusts it): ${ARCHS_HELP}`)
  .option('--option <name=value>', 'an option on top of the preset\'s, e.g. classes=2, base=32 or imgSize=256 (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
  .option('--key <name>', 'PyTorch checkpoints: the entry holding the state dict (default: the checkpoint itself, else model, state_dict, net, network_weights, …)')
  .requiredOption('--out <model.safetensors>', 'model file to write (+ its .json); train from it with unet train --init, predict with it')
  .action(async (o) => {
    if (o.from !== undefined && o.weights !== undefined) throw new Error(`--from ${o.from} and --weights ${o.weights}: give one (they are the same option)`);
    const weights = o.from ?? o.weights;
    if (weights === undefined) throw new Error('--from FILE is required: the weights to import');
    await useBestBackend(); // the network is built (and its weights assigned) on the native backend where it loads
    const r = await importRun({ weights, preset: o.preset, arch: o.arch, key: o.key, options: parseOptionPairs(o.option), out: o.out });
    const from = r.source.format === 'pth' ? ` from ${r.source.tensors} tensors${r.source.key ? ` under '${r.source.key}'` : ''}${r.source.strippedPrefix ? ` ('${r.source.strippedPrefix}' prefix dropped)` : ''}` : '';
    const read = Object.entries(r.fromWeights).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ');
    console.log(`wrote ${o.out} (${r.spec.arch}, ${r.params.toLocaleString('en-US')} parameters)${from}${read ? `; options read off the weights: ${read}` : ''}${r.unused.length ? `; ${r.unused.length} tensors of the file were not used: ${r.unused.slice(0, 5).join(', ')}${r.unused.length > 5 ? ', …' : ''}` : ''}`);
  });

program.command('export')
  .description('a trained model as an ONNX file (opset 17) for ONNX Runtime in Python, C++ or browsers; its metadata carry predict\'s preprocessing')
  .requiredOption('--model <run|model.safetensors>', 'run folder of unet train, or a model file (NAME.safetensors beside NAME.json)')
  .requiredOption('--out <model.onnx>', 'file to write (atomically)')
  .option('--format <format>', 'onnx (the one format today)', 'onnx')
  .option('--channels-last', 'keep [N, (D,) H, W, C] at the input and output (default [N, C, (D,) H, W], as PyTorch)')
  .option('--opset <n>', `ONNX opset (default ${17}; the exporter writes 17)`, numberArg('--opset', true))
  .option('--batch <n>', 'a fixed batch size (default: a dynamic batch axis)', int('--batch'))
  .option('--size <size>', 'input size the network is traced at, e.g. 256x256 (default: the run\'s window — its training patch, or the network\'s one size); the graph takes any multiple of the network\'s step where it allows dynamic sizes, else this size only')
  .option('--fixed-size', 'fix the spatial size at --size even where the network allows dynamic sizes')
  .action(async (o) => {
    const r = await exportRun({
      model: o.model, out: o.out, format: o.format, channelsLast: o.channelsLast, opset: o.opset, batch: o.batch,
      size: o.size ? parseSize(o.size, '--size') : undefined, fixedSize: o.fixedSize, version,
    });
    const m = r.metadata;
    const sizes = m['unet.dynamic_size'] === 'true'
      ? `any size that is a multiple of ${m['unet.size_multiple']} (traced at ${r.size.join('x')})`
      : `size ${r.size.join('x')} → logits of size ${r.outputSize.join('x')} (fixed: ${m['unet.fixed_size_reason']})`;
    console.log(`wrote ${r.out} (${(r.bytes / 1e6).toFixed(1)} MB): input ${m['unet.layout']}, ${sizes}, ${o.batch ? `batch ${o.batch}` : 'dynamic batch'}`);
  });

program.command('predict')
  .description('segment images / volumes with a trained run folder; one mask per input (PNG for images, NIfTI for volumes)')
  .requiredOption('--model <rundir>', 'run folder of unet train (model.safetensors, model.json, config.json); repeat it for an ensemble (probabilities averaged: folds, configurations)', (v: string, prev: string[] = []) => [...prev, v])
  .option('--plan <plans.json>', 'apply the post-processing unet find-best recorded in this plans file')
  .requiredOption('--input <path>', 'an image or volume file, or a folder of them')
  .requiredOption('--out <dir>', 'output folder (masks keep the input names)')
  .option('--overlap <f>', 'window overlap in [0, 0.95] (default 0.5); an input needing over 20,000 windows is refused', (v: string) => {
    const f = v.trim() === '' ? NaN : Number(v);
    if (!(f >= 0 && f <= 0.95)) throw new InvalidArgumentError(`--overlap must be in [0, 0.95], got '${v}' (above 0.95 the windows multiply for no gain)`);
    return f;
  })
  .option('--blend <mode>', 'gaussian | constant (default gaussian)', (v: string) => {
    if (v !== 'gaussian' && v !== 'constant') throw new InvalidArgumentError(`--blend must be gaussian or constant, got '${v}'`);
    return v;
  })
  .option('--sw-batch <n>', 'windows per forward pass (default 1)', int('--sw-batch'))
  .option('--window <size>', 'window size, e.g. 256x256 (default: the training patch)')
  .option('--tta', 'test-time augmentation: mean over every mirroring')
  .option('--probabilities', 'also write NAME.prob.nii.gz (float32, one channel per class)')
  .option('--largest-component', 'keep only the largest connected component of each class')
  .option('--no-resample', 'do not resample volumes to the training spacing')
  .option('--backend <name>', 'onednn | cpu | wasm')
  .option('--normalize <mode>', 'only for a run folder without config.json: the training\'s normalisation, zscore | minmax | percentile | none (needs --label-map too)')
  .option('--label-map <map>', 'only for a run folder without config.json: the training\'s label map, e.g. 0:0,255:1, or identity (needs --normalize too)')
  .option('--no-memory-check', 'predict even when the estimated memory of an input exceeds the machine\'s')
  .option('--quiet', 'no progress bar')
  .option('--max-voxels <n>', MAX_VOXELS_HELP, maxVoxelsArg)
  .action(async (o) => {
    const normalize = o.normalize === undefined ? undefined : ['zscore', 'minmax', 'percentile', 'none'].includes(o.normalize) ? o.normalize : (() => { throw new Error(`--normalize must be zscore, minmax, percentile or none, got '${o.normalize}'`); })();
    const postprocessing = o.plan ? await planPostprocessing(o.plan) : undefined;
    const r = await predict({
      model: o.model.length === 1 ? o.model[0] : o.model, postprocessing,
      limits: { maxVoxels: o.maxVoxels },
      normalize, labelMap: o.labelMap === undefined ? undefined : o.labelMap === 'identity' ? {} : parseLabelMap(o.labelMap), memoryCheck: o.memoryCheck,
      input: o.input, out: o.out, overlap: o.overlap, blend: o.blend, swBatch: o.swBatch, tta: o.tta,
      probabilities: o.probabilities, largestComponent: o.largestComponent, resample: o.resample,
      window: o.window ? parseSize(o.window, '--window') : undefined, backend: o.backend, quiet: o.quiet,
    });
    console.log(`wrote ${r.written.length} file(s) to ${o.out}`);
  });

program.command('evaluate')
  .description('score predictions against ground truth, matched by file name: Dice, IoU, HD95 per case and class')
  .requiredOption('--pred <dir>', 'folder of predicted label maps')
  .requiredOption('--truth <dir>', 'folder of ground-truth label maps (same names; extensions may differ)')
  .option('--classes <values>', 'label values to score, e.g. 1,2 (default: every nonzero value in the truth)', (v: string) => {
    const xs = v.split(',').map((t) => (t.trim() === '' ? NaN : Number(t.trim())));
    if (xs.some((x) => !Number.isInteger(x) || x < 0)) throw new InvalidArgumentError(`--classes '${v}': expected label values joined by commas, e.g. 1,2`);
    return xs;
  })
  .option('--labels <values>', 'every label value the files may hold, e.g. 0,1,2: any other value is refused (default: not checked)', (v: string) => {
    const xs = v.split(',').map((t) => (t.trim() === '' ? NaN : Number(t)));
    if (xs.some((x) => !Number.isInteger(x))) throw new InvalidArgumentError(`--labels '${v}': expected integer label values joined by commas, e.g. 0,1,2`);
    return xs;
  })
  .option('--exclude-absent', 'leave cases where a class is in neither file out of its means')
  .option('--metrics <names>', `metrics, joined by commas: ${maskMetrics.names().join(', ')} (default dice,iou,hd95)`, (v: string) => v.split(',').map((t) => t.trim()))
  .option('--json', 'print one JSON object {"cases": [...], "mean": {...}, "semantics": ...}')
  .option('--max-voxels <n>', MAX_VOXELS_HELP, maxVoxelsArg)
  .option('--semantics <name>', "unet-ts | monai: MONAI's empty-mask rules (NaN, left out of means) and interpolated percentiles (default unet-ts)")
  .action(async (o) => {
    const r = await evaluate({ pred: o.pred, truth: o.truth, classes: o.classes, excludeAbsent: o.excludeAbsent, metrics: o.metrics, labels: o.labels, limits: { maxVoxels: o.maxVoxels }, semantics: o.semantics });
    console.log(o.json ? JSON.stringify(r) : formatEvaluation(r));
  });

const listOf = (flag: string, integer: boolean) => (v: string) => {
  const xs = v.split(',').map((t) => t.trim());
  if (xs.some((x) => x === '') || (integer && xs.some((x) => !Number.isInteger(Number(x))))) throw new InvalidArgumentError(`${flag} '${v}': expected ${integer ? 'integers' : 'names'} joined by commas`);
  return integer ? xs.map(Number) : xs;
};

program.command('fingerprint')
  .description("a dataset's fingerprint as nnU-Net extracts it: spacings, shapes after cropping to the nonzero region, foreground intensity statistics, labels")
  .requiredOption('--data <dir>', 'dataset folder with images/ and labels/')
  .option('--out <file>', 'write the fingerprint (JSON)')
  .option('--channel-names <names>', "one name per image channel, e.g. CT ('CT' selects CT normalisation; default image)", listOf('--channel-names', false))
  .option('--labels <values>', 'the label values the labels may hold, e.g. 0,1,2 (others refused; they are the classes)', listOf('--labels', true))
  .option('--labels-dir <sub>', "the labels' sub-folder of --data (DSB-2018: masks)", 'labels')
  .option('--label-map <map>', 'label value → class, e.g. 0:0,255:1 (ISBI: 255 = cell = class 1)')
  .option('--max-voxels <n>', MAX_VOXELS_HELP, maxVoxelsArg)
  .action(async (o) => {
    const f = await fingerprintRun({ data: o.data, out: o.out, channelNames: o.channelNames, labels: o.labels, labelsDir: o.labelsDir, labelMap: o.labelMap ? parseLabelMap(o.labelMap) : undefined, limits: { maxVoxels: o.maxVoxels } });
    console.log(o.out ? `fingerprint of ${f.cases.length} cases written to ${o.out}` : JSON.stringify(f));
  });

program.command('plan')
  .description("nnU-Net v2's self-configuration: target spacing, normalisation, network topology, patch and batch for 2d, 3d_fullres (and 3d_lowres), each decision explained")
  .requiredOption('--data <dir>', 'dataset folder with images/ and labels/')
  .option('--out <plans.json>', 'write the plans (JSON)', 'plans.json')
  .option('--memory <size>', 'the memory the batch is sized for, e.g. 8GB (nnU-Net: GPU memory)', (v: string) => {
    try { return parseMemory(v); } catch (e) { throw new InvalidArgumentError((e as Error).message); }
  }, 8)
  .option('--channel-names <names>', "one name per image channel, e.g. CT ('CT' selects CT normalisation; default image)", listOf('--channel-names', false))
  .option('--labels <values>', 'the label values the labels may hold, e.g. 0,1,2 (others refused; they are the classes)', listOf('--labels', true))
  .option('--labels-dir <sub>', "the labels' sub-folder of --data (DSB-2018: masks)", 'labels')
  .option('--label-map <map>', 'label value → class, e.g. 0:0,255:1 (ISBI: 255 = cell = class 1)')
  .option('--max-voxels <n>', MAX_VOXELS_HELP, maxVoxelsArg)
  .option('--json', 'print the plans as JSON (stdout) instead of the readable summary')
  .option('--explain', 'print every decision with its rule and numbers (the default without --json; with --json, on stderr)')
  .action(async (o) => {
    const p = await planRun({ data: o.data, out: o.out, memoryGB: o.memory, channelNames: o.channelNames, labels: o.labels, labelsDir: o.labelsDir, labelMap: o.labelMap ? parseLabelMap(o.labelMap) : undefined, limits: { maxVoxels: o.maxVoxels } });
    if (o.json) {
      console.log(JSON.stringify(p));
      if (o.explain) console.error(planText(p));
    } else {
      console.log(`${planText(p)}

plans written to ${o.out}`);
    }
  });

program.command('find-best')
  .description("nnU-Net's choice: each candidate configuration's cross-validation probabilities (and every pair's ensemble) scored by foreground mean Dice, then the post-processing learned on the best")
  .requiredOption('--truth <dir>', 'label maps of the cross-validation cases')
  .requiredOption('--candidate <name=dir>', 'a configuration and its folder of CASE.prob.nii.gz (unet predict --probabilities); repeatable', (v: string, prev: string[] = []) => [...prev, v])
  .option('--label-map <map>', 'truth value → class, e.g. 0:0,255:1 (default: the values are class indices)')
  .option('--no-ensembles', 'do not score pairwise ensembles')
  .option('--out <file>', 'write the decision as JSON')
  .option('--plans <plans.json>', 'record the best configuration and the post-processing in this plans file')
  .option('--max-voxels <n>', MAX_VOXELS_HELP, maxVoxelsArg)
  .option('--json', 'print one JSON object')
  .action(async (o) => {
    const candidates: Record<string, string> = {};
    for (const c of o.candidate as string[]) {
      const m = /^([^=]+)=(.+)$/.exec(c);
      if (!m) throw new Error(`--candidate '${c}': expected NAME=FOLDER, e.g. 3d_fullres=runs/cv/3d_fullres`);
      if (m[1] in candidates) throw new Error(`--candidate '${c}': the name '${m[1]}' is given twice`);
      candidates[m[1]] = m[2];
    }
    const r = await findBestRun({ truth: o.truth, candidates, labelMap: o.labelMap ? parseLabelMap(o.labelMap) : undefined, ensembles: o.ensembles, out: o.out, plans: o.plans, limits: { maxVoxels: o.maxVoxels } });
    console.log(o.json ? JSON.stringify(r) : findBestText(r));
  });

program.command('bench')
  .description('time a reference workload (warm-up, then N repetitions; medians); with PyTorch installed, node bench/compare.mjs times the same workloads in both')
  .requiredOption('--workload <name>', `one of: ${workloads.names().join(', ')}`)
  .option('--backend <name>', 'onednn | cpu | wasm (inference only) (default: the fastest available)')
  .option('--threads <n>', 'threads of the native backend (default: all cores)', int('--threads'))
  .option('--precision <p>', 'fp32 | bf16 | auto (bf16 convolutions, fp32 accumulation and master weights; needs AVX512-BF16)', precisionArg, 'fp32')
  .option('--reps <n>', 'timed repetitions (at least 3)', (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 3) throw new InvalidArgumentError(`--reps must be an integer ≥ 3, got '${v}'`);
    return n;
  }, 3)
  .option('--json', 'print one JSON line {workload, backend, ms_median, ms_min, gflops}')
  .action(async (o) => bench(o));

program.command('info')
  .description('the tensor backend in use and the environment')
  .option('--json', 'print one JSON object')
  .action(async (o) => {
    await useBestBackend();
    const info = { unet: version, tfjs: tf.version_core, ...backendInfo(), node: process.version, platform: `${process.platform}-${process.arch}` };
    console.log(o.json ? JSON.stringify(info) : Object.entries(info).map(([k, v]) => `${k.padEnd(9)} ${Array.isArray(v) ? v.join(', ') : v}`).join('\n'));
  });

program.parseAsync(process.argv).catch((e: Error) => {
  console.error(`unet: error: ${e.message}`);
  process.exit(1);
});
