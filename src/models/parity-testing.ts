/**
 * Parity with the PyTorch references of `../shared/reference/variants.py` (test helper, used by *.test.ts only).
 * A fixture `fixtures/variants/NAME.safetensors` is the upstream-named state dict; `NAME.io.safetensors` holds the
 * input, `out_eval` / `out_train` (or `.K` per head for lists), `after.<buffer>` and `grad.<param>` of
 * sum(out_train²) summed over the heads. Every tensor is compared with |a − b| ≤ tol·max(1, max|ref|).
 */
import assert from 'node:assert/strict';
import { tf, type Tensor } from '../core/tf.js';
import { assertClose, fixtureMetadata, readFixture, toChannelsLast } from '../core/testing.js';
import { loadStateDict } from '../io/weights.js';
import type { SafeTensor } from '../io/safetensors.js';
import type { TrainableNet } from './types.js';

export interface VariantFixture {
  name: string;
  meta: Record<string, string>;
  /** The constructor's keyword arguments. */
  options: Record<string, unknown>;
  io: Map<string, SafeTensor>;
  state: Map<string, SafeTensor>;
}

export function readVariantFixture(name: string): VariantFixture {
  const meta = fixtureMetadata(`variants/${name}.io.safetensors`);
  return { name, meta, options: JSON.parse(meta.options), io: readFixture(`variants/${name}.io.safetensors`), state: readFixture(`variants/${name}.safetensors`) };
}

/** max |a − e| ≤ tol·max(1, max|e|), naming the worst element (`assertClose` with that absolute bound). */
export function assertCloseScaled(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  let scale = 1;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  assertClose(actual, expected, 0, tol * scale, what);
}

/** A PyTorch-layout tensor in this library's layout (conv and transposed-conv weights permuted; Linear stays [out, in]). */
function torchToTf(name: string, t: SafeTensor): Float32Array {
  const x = tf.tensor(Float32Array.from(t.data), t.shape);
  const perm = t.shape.length === 4 ? [2, 3, 1, 0] : t.shape.length === 5 ? [2, 3, 4, 1, 0] : null;
  const y = perm && name.endsWith('weight') ? tf.transpose(x, perm) : x;
  const out = y.dataSync() as Float32Array;
  tf.dispose([x, y]);
  return out;
}

/** The outputs a fixture stores under `prefix` (`out_eval`, `out_train`): one tensor, or `.0`, `.1`, … per head. */
function storedOutputs(io: Map<string, SafeTensor>, prefix: string): SafeTensor[] {
  const one = io.get(prefix);
  if (one) return [one];
  const list: SafeTensor[] = [];
  for (let k = 0; io.has(`${prefix}.${k}`); k++) list.push(io.get(`${prefix}.${k}`)!);
  assert.ok(list.length > 0, `fixture has no ${prefix}`);
  return list;
}

export interface ParityOptions {
  /** Relative tolerance on max(1, max|ref|). Default 1e-4. */
  tol?: number;
  /** Maps the fixture's upstream keys onto the network's names. Default identity. */
  mapKey?: (key: string) => string;
  /** Outputs of the network for the fixture's list (deep supervision): default `[net.forward(x)]`, or `net.heads(x)` for lists of several. */
  outputs?: (net: TrainableNet, x: Tensor) => Tensor[];
  /** Parameters whose gradient is compared otherwise (returns true when handled). */
  skipGrad?: (name: string, got: Float32Array, want: Float32Array) => boolean;
}

/**
 * Loads the fixture's weights into `net` (built from the fixture's options by the caller), then compares the eval
 * output, the train output, every gradient of sum(out²) and every BatchNorm statistic after the train pass; asserts no
 * tensor leaks. Returns the number of gradients compared.
 */
export function assertVariantParity(net: TrainableNet, f: VariantFixture, o: ParityOptions = {}): number {
  const tol = o.tol ?? 1e-4;
  const mapKey = o.mapKey ?? ((k: string) => k);
  const before = tf.memory().numTensors - net.stateEntries().length; // the net's variables go with net.dispose() below
  loadStateDict(net, f.state, `fixtures/variants/${f.name}.safetensors`, mapKey);
  assert.equal(net.parameterCount(), Number(f.meta.params), `${f.name}: parameter count equals PyTorch's`);
  const x = toChannelsLast(f.io.get('input')!);
  const outputs = o.outputs ?? ((n: TrainableNet, xx: Tensor) => {
    const several = storedOutputs(f.io, 'out_eval').length > 1;
    return several && n.heads ? n.heads(xx) : [n.forward(xx)];
  });
  const compare = (got: Tensor[], prefix: string) => {
    const want = storedOutputs(f.io, prefix);
    assert.equal(got.length, want.length, `${f.name}: ${prefix} has ${want.length} outputs, the network gave ${got.length}`);
    got.forEach((g, k) => {
      const w = toChannelsLast(want[k]);
      assert.deepEqual(g.shape, w.shape, `${f.name} ${prefix}.${k} shape`);
      assertCloseScaled(g.dataSync(), w.dataSync(), tol, `${f.name} ${prefix}${want.length > 1 ? `.${k}` : ''}`);
      w.dispose();
    });
  };

  net.eval();
  const yEval = outputs(net, x);
  compare(yEval, 'out_eval');
  tf.dispose(yEval);

  net.train();
  const named = net.namedParameters();
  const { value, grads } = tf.variableGrads(() => tf.tidy(() => {
    const ys = outputs(net, x);
    compare(ys, 'out_train');
    return tf.addN(ys.map((y) => tf.sum(tf.square(y)))) as tf.Scalar;
  }), named.map(([, v]) => v));
  value.dispose();
  const byId = new Map(named.map(([n, v]) => [v.name, n]));
  const gradByName = new Map<string, Tensor>();
  for (const [id, g] of Object.entries(grads)) gradByName.set(byId.get(id)!, g);

  let compared = 0;
  for (const [key, want] of f.io) {
    if (key.startsWith('after.')) {
      const name = mapKey(key.slice(6));
      const buf = net.namedBuffers().find(([n]) => n === name);
      assert.ok(buf, `${f.name}: buffer ${name} exists`);
      assertCloseScaled(buf[1].dataSync(), want.data, tol, `${f.name} ${key}`);
    } else if (key.startsWith('grad.')) {
      const name = mapKey(key.slice(5));
      const g = gradByName.get(name);
      const wantTf = torchToTf(name, want);
      const got = g ? (g.dataSync() as Float32Array) : new Float32Array(wantTf.length); // no gradient reaches it: zeros
      if (o.skipGrad?.(name, got, wantTf)) continue;
      assertCloseScaled(got, wantTf, tol, `${f.name} ∂/∂${name}`);
      compared++;
    }
  }
  tf.dispose([x, ...gradByName.values()]);
  net.dispose();
  assert.equal(tf.memory().numTensors, before, `${f.name}: leaked ${tf.memory().numTensors - before} tensors`);
  return compared;
}
