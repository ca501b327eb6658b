/**
 * The export workflow (Node; `unet export` adapts its flags): a trained model → an ONNX file that ONNX Runtime (Python,
 * C++, browsers) runs without unet-ts. The file's `metadata_props` carry what `unet predict` does around the network
 * (normalisation, target spacing, window, classes and label values), so another program can reproduce its masks.
 *
 * `--model` is a run folder of `unet train` (model.safetensors + model.json + config.json) or a model file
 * (`NAME.safetensors` beside `NAME.json`, e.g. from `unet import`; no training conventions, so `--size` is needed
 * unless the network takes one size only).
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadModel, writeFileAtomic } from '../io/files.js';
import { exportOnnx, ONNX_INPUT, ONNX_OPSET, ONNX_OUTPUT } from '../io/onnx/export.js';
import { decodeModel } from '../io/onnx/proto.js';
import { initBackend } from '../core/tf.js';
import { defaultWindow } from '../infer/pipeline.js';
import { classValues } from './predict-run.js';

export interface ExportOptions {
  /** Run folder, or a model file `NAME.safetensors` (with `NAME.json`). */
  model: string;
  /** The file to write (`.onnx`). */
  out: string;
  /** Only 'onnx' today. Default 'onnx'. */
  format?: string;
  /** Keep channels-last [N, (D,) H, W, C] at the model's input and output. Default false ([N, C, (D,) H, W]). */
  channelsLast?: boolean;
  /** ONNX opset. Default 17 (the only one written). */
  opset?: number;
  /** A fixed batch size. Default: dynamic. */
  batch?: number;
  /**
   * The spatial size the network is traced at (and the only one the graph takes when its size is fixed). Default: the
   * run's window (training patch, or the network's one size).
   */
  size?: number[];
  /** Fix the spatial size at `size` even where the network allows dynamic axes. Default false. */
  fixedSize?: boolean;
  /** unet-ts's version for the file's producer_version. */
  version?: string;
}

/** The training conventions `unet train` records in config.json that the export carries. */
interface RunConfig {
  preset?: string;
  patch?: number[];
  normalize?: unknown;
  spacing?: number[] | null;
  slices?: boolean;
  labelMap?: Record<string, number> | null;
}

export interface ExportResult {
  out: string;
  bytes: number;
  size: number[];
  outputSize: number[];
  metadata: Record<string, string>;
}

async function readConfig(path: string): Promise<RunConfig> {
  const text = await readFile(path, 'utf8').catch((e: Error) => { throw new Error(`${path}: unreadable (${e.message})`); });
  try {
    return JSON.parse(text) as RunConfig;
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

export async function exportRun(o: ExportOptions): Promise<ExportResult> {
  const format = o.format ?? 'onnx';
  if (format !== 'onnx') throw new Error(`unet: error: --format ${format}: the formats are onnx`);
  if (!o.out.endsWith('.onnx')) throw new Error(`unet: error: --out ${o.out}: an ONNX file must end in .onnx`);
  if (!existsSync(o.model)) throw new Error(`unet: error: --model ${o.model}: no such run folder or model file`);
  const isRun = statSync(o.model).isDirectory();
  const weights = isRun ? join(o.model, 'model.safetensors') : o.model;
  if (!weights.endsWith('.safetensors')) throw new Error(`unet: error: --model ${o.model}: give a run folder or a .safetensors model file`);
  if (!existsSync(weights)) throw new Error(`unet: error: --model ${o.model}: ${weights} is missing (a run folder of unet train holds model.safetensors, model.json and config.json)`);
  const configPath = isRun ? join(o.model, 'config.json') : undefined;
  const cfg: RunConfig = configPath && existsSync(configPath) ? await readConfig(configPath) : {};
  await initBackend('cpu');
  const net = await loadModel(weights);
  try {
    const g = net.geometry;
    const window = defaultWindow(net, { patch: cfg.patch }, o.size);
    const size = window ?? cfg.patch;
    if (!size) throw new Error(`unet: error: --model ${o.model}: no training patch recorded (${configPath ? `${configPath} has none` : 'a model file has no config.json'}); give the input size with --size, e.g. ${g.spatialDims === 2 ? '256x256' : '64x64x64'}`);
    if (size.length !== g.spatialDims) throw new Error(`unet: error: --size ${size.join('x')} has ${size.length} axes; the model is ${g.spatialDims}-D`);
    let outputSize: number[];
    try {
      outputSize = g.output(size);
    } catch (e) {
      throw new Error(`unet: error: --size ${size.join('x')}: ${(e as Error).message}`);
    }
    const layout = o.channelsLast ? (g.spatialDims === 2 ? 'NHWC' : 'NDHWC') : (g.spatialDims === 2 ? 'NCHW' : 'NCDHW');
    const metadata: Record<string, string> = {
      'unet.format': '1',
      'unet.arch': net.spec.arch,
      ...(cfg.preset ? { 'unet.preset': cfg.preset } : {}),
      'unet.options': JSON.stringify(net.spec.options),
      'unet.input': ONNX_INPUT,
      'unet.output': ONNX_OUTPUT,
      'unet.layout': layout,
      // The traced size (with unet.dynamic_size true, any multiple of unet.size_multiple works too).
      'unet.input_size': JSON.stringify(size),
      'unet.output_size': JSON.stringify(outputSize),
      'unet.padding': g.padding,
      'unet.in_channels': String(g.inChannels),
      'unet.classes': String(g.classes),
      // How predict turns logits into classes: sigmoid > 0.5 for one output channel, else softmax → argmax.
      'unet.activation': g.classes === 1 ? 'sigmoid' : 'softmax',
      // Class index → the value written in masks (the inverse of the training's --label-map).
      'unet.label_values': JSON.stringify(classValues(cfg.labelMap, g.classes)),
      'unet.normalize': JSON.stringify(cfg.normalize ?? 'none'),
      ...(cfg.spacing ? { 'unet.spacing': JSON.stringify(cfg.spacing) } : {}),
      ...(cfg.slices ? { 'unet.slices': 'true' } : {}),
      ...(cfg.patch ? { 'unet.patch': JSON.stringify(cfg.patch) } : {}),
      ...(cfg.labelMap ? { 'unet.label_map': JSON.stringify(cfg.labelMap) } : {}),
    };
    const bytes = exportOnnx(net, { size, batch: o.batch, channelsLast: o.channelsLast, opset: o.opset ?? ONNX_OPSET, metadata, producerVersion: o.version, dynamicSize: o.fixedSize ? false : 'auto' });
    await writeFileAtomic(o.out, bytes);
    const written = Object.fromEntries((decodeModel(bytes).metadata_props as { key: string; value: string }[]).map((e) => [e.key, e.value]));
    return { out: o.out, bytes: bytes.length, size, outputSize, metadata: written };
  } finally {
    net.dispose();
  }
}
