/**
 * PyTorch checkpoints (`torch.save`, the zip format of PyTorch ≥ 1.6) read as data, without running anything.
 *
 * The file is a zip (stored, 64-byte aligned) holding `PREFIX/data.pkl` — a pickle of the saved object in which each
 * tensor is `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, …)` and each storage a persistent id
 * `('storage', torch.FloatStorage, KEY, LOCATION, NUMEL)` — plus `PREFIX/data/KEY`, the storages' raw bytes, and
 * `PREFIX/byteorder` (`little` or `big`; absent: little). The pickle is read by a restricted unpickler (`./pickle.ts`)
 * that allows only the globals below — tensor rebuilders, storage types, `collections.OrderedDict`, `torch.device`,
 * numpy scalars and dtypes (nnU-Net's checkpoints log numpy floats), `_codecs.encode` (bytes in protocol 2) — and
 * refuses any other (`posix.system`, `builtins.eval`, a model class of `torch.save(model)`) by name before reading on.
 *
 * Tensors are descriptors until asked for: only the storages of the state dict that is loaded are unzipped and
 * decoded (an optimizer's state in the same file is never read). Views are honoured (shape, strides, storage offset:
 * channels-last and transposed weights), float16 / bfloat16 / float64 become float32 and integer types int32 (int64
 * must fit in 32 bits), as in `readSafetensors`. Browser-safe: a Uint8Array in (fflate unzips).
 *
 * Not read: the pre-1.6 (non-zip) format, refused with how to re-save; TorchScript archives (`torch.jit.save`),
 * refused with what to save instead.
 */
import { unzipSync } from 'fflate';
import type { SafeDType, SafeTensor } from './safetensors.js';
import { aType, describe, PyDict, PyGlobal, PyObject, PyTuple, unpickle, type PickleGlobal, type PyKey, type PyValue } from './pickle.js';

/** The most bytes `data.pkl` may declare (torch stores it uncompressed; a re-zipped file could declare a bomb). */
const MAX_PICKLE_BYTES = 2 ** 30;

/**
 * The most elements a view may have beyond its storage's: a view repeating elements (stride 0, as `expand` makes) may
 * reach this many; otherwise a view has at most its storage's elements. A tiny file cannot ask for gigabytes.
 */
export const MAX_REPEATED_VIEW = 2 ** 20;

/** A storage type of a persistent id, its element size and the dtype it decodes as. */
const STORAGES: Record<string, { dtype: SafeDType; bytes: number }> = {
  FloatStorage: { dtype: 'F32', bytes: 4 }, DoubleStorage: { dtype: 'F64', bytes: 8 }, HalfStorage: { dtype: 'F16', bytes: 2 },
  BFloat16Storage: { dtype: 'BF16', bytes: 2 }, LongStorage: { dtype: 'I64', bytes: 8 }, IntStorage: { dtype: 'I32', bytes: 4 },
  ShortStorage: { dtype: 'I16', bytes: 2 }, CharStorage: { dtype: 'I8', bytes: 1 }, ByteStorage: { dtype: 'U8', bytes: 1 },
  BoolStorage: { dtype: 'BOOL', bytes: 1 }, UntypedStorage: { dtype: 'U8', bytes: 1 },
};

/** A storage a persistent id names: `data/KEY` in the archive, NUMEL elements of `dtype`. */
export interface PthStorage {
  key: string;
  dtype: SafeDType;
  itemBytes: number;
  numel: number;
  location: string;
}

/** A tensor as the pickle describes it: a strided view of a storage. Decode it with `PthCheckpoint.tensor`. */
export interface PthTensorRef {
  storage: PthStorage;
  offset: number;
  shape: number[];
  stride: number[];
}

/** A checkpoint's object graph: Python values, with tensors as `PyObject('torch.Tensor', PthTensorRef)`. */
export interface PthCheckpoint {
  /** The object `torch.save` saved. */
  root: PyValue;
  /** The archive's folder (`archive`, or the file's base name in PyTorch < 1.13). */
  prefix: string;
  littleEndian: boolean;
  /** Decodes tensors by name (unzipping only the storages they use); the names label errors. */
  tensors(refs: ReadonlyMap<string, PthTensorRef>): Map<string, SafeTensor>;
}

const ints = (v: PyValue, what: string, at: string): number[] => {
  const items = v instanceof PyTuple ? v.items : Array.isArray(v) ? v : null;
  if (!items || !items.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0)) throw new Error(`${at}: ${what} is ${describe(v)} ${String(items ?? '')} — rule: a tuple of integers ≥ 0`);
  return items as number[];
};

const tensorRef = (v: PyValue, at: string): PthTensorRef => {
  if (v instanceof PyObject && v.type === 'torch.Tensor') return v.value as PthTensorRef;
  throw new Error(`${at}: expected a tensor, got ${aType(v)} (corrupt)`);
};

function rebuildTensor(args: PyValue[], at: string): PyValue {
  const [storage, offset, size, stride] = args;
  if (!(storage instanceof PyObject && storage.type === 'torch.storage')) throw new Error(`${at}: the tensor's storage is ${aType(storage)}, not a storage of the archive (corrupt)`);
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) throw new Error(`${at}: storage offset ${String(offset)} — rule: an integer ≥ 0`);
  const shape = ints(size, 'the size', at);
  const strides = ints(stride, 'the stride', at);
  if (shape.length !== strides.length) throw new Error(`${at}: size [${shape}] and stride [${strides}] differ in length (corrupt)`);
  return new PyObject('torch.Tensor', { storage: storage.value as PthStorage, offset, shape, stride: strides } satisfies PthTensorRef);
}

const numpyDtype = (v: PyValue, at: string): { kind: string; little: boolean } => {
  if (v instanceof PyObject && v.type === 'numpy.dtype') return v.value as { kind: string; little: boolean };
  throw new Error(`${at}: expected a numpy dtype, got ${aType(v)} (corrupt)`);
};

/** The numpy scalar types a checkpoint may log (float64 losses and Dice values, integer counters). */
function numpyScalar(args: PyValue[], at: string): PyValue {
  const { kind, little } = numpyDtype(args[0], at);
  const raw = args[1];
  if (!(raw instanceof Uint8Array)) throw new Error(`${at}: a numpy scalar's value is ${aType(raw)}, not bytes (corrupt)`);
  const size: Record<string, number> = { f8: 8, f4: 4, f2: 2, i8: 8, i4: 4, i2: 2, i1: 1, u8: 8, u4: 4, u2: 2, u1: 1, b1: 1 };
  if (size[kind] === undefined || raw.length !== size[kind]) throw new Error(`${at}: numpy scalar of dtype '${kind}' with ${raw.length} bytes — rule: a bool, integer or float scalar`);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  switch (kind) {
    case 'f8': return dv.getFloat64(0, little);
    case 'f4': return dv.getFloat32(0, little);
    case 'f2': return halfToFloat(dv.getUint16(0, little));
    case 'i8': { const b = dv.getBigInt64(0, little); return Number.isSafeInteger(Number(b)) ? Number(b) : b; }
    case 'u8': { const b = dv.getBigUint64(0, little); return Number.isSafeInteger(Number(b)) ? Number(b) : b; }
    case 'i4': return dv.getInt32(0, little);
    case 'u4': return dv.getUint32(0, little);
    case 'i2': return dv.getInt16(0, little);
    case 'u2': return dv.getUint16(0, little);
    case 'i1': return dv.getInt8(0);
    case 'b1': return raw[0] !== 0;
    default: return dv.getUint8(0);
  }
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

const marker: PickleGlobal = {};
/** `_rebuild_parameter(data, requires_grad, hooks[, state])`: the tensor `data` (a Parameter is read as its tensor). */
const rebuildParameter: PickleGlobal = {
  call: (args, at) => {
    tensorRef(args[0], at); // checks it is one
    return args[0];
  },
};

/** The globals a checkpoint may name: each builds data and nothing else. */
export const TORCH_GLOBALS: ReadonlyMap<string, PickleGlobal> = new Map<string, PickleGlobal>([
  ['collections.OrderedDict', {
    call: (args, at) => {
      const d = new PyDict();
      const items = args[0];
      if (items === undefined) return d;
      const pairs = Array.isArray(items) ? items : items instanceof PyTuple ? items.items : null;
      if (!pairs) throw new Error(`${at}: OrderedDict of ${aType(items)} — rule: no argument or a list of pairs`);
      for (const p of pairs) {
        if (!(p instanceof PyTuple) || p.items.length !== 2) throw new Error(`${at}: OrderedDict item ${describe(p)} — rule: (key, value) pairs`);
        const k = p.items[0];
        if (!(k === null || ['string', 'number', 'bigint', 'boolean'].includes(typeof k) || k instanceof PyTuple)) throw new Error(`${at}: OrderedDict key ${aType(k)} — rule: a hashable key`);
        d.map.set(k as PyKey, p.items[1]);
      }
      return d;
    },
  }],
  ['torch._utils._rebuild_tensor_v2', { call: rebuildTensor }],
  ['torch._utils._rebuild_tensor', { call: rebuildTensor }],
  ['torch._utils._rebuild_parameter', rebuildParameter],
  ['torch._utils._rebuild_parameter_with_state', rebuildParameter],
  ['torch._tensor._rebuild_from_type_v2', {
    call: (args, at) => { // (func, new_type, args, state): func(*args), as a plain tensor
      const [fn, type, inner] = args;
      const allowedTypes = ['torch.Tensor', 'torch.nn.parameter.Parameter'];
      if (!(type instanceof PyGlobal) || !allowedTypes.includes(type.qualified)) throw new Error(`${at}: a tensor of type ${describe(type)} — rule: ${allowedTypes.join(' or ')}`);
      if (!(fn instanceof PyGlobal) || !(inner instanceof PyTuple) || !/^torch\._utils\._rebuild_(tensor|tensor_v2|parameter)$/.test(fn.qualified)) throw new Error(`${at}: rebuilds with ${describe(fn)} — rule: torch._utils._rebuild_tensor_v2`);
      return TORCH_GLOBALS.get(fn.qualified)!.call!(inner.items, at);
    },
  }],
  ['torch.Tensor', marker],
  ['torch.nn.parameter.Parameter', marker],
  ...Object.keys(STORAGES).map((s): [string, PickleGlobal] => [`torch.${s}`, marker]),
  ['torch.storage.UntypedStorage', marker],
  ...['float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool'].map((d): [string, PickleGlobal] => [`torch.${d}`, marker]),
  ['torch.device', {
    call: (args, at) => {
      if (typeof args[0] !== 'string') throw new Error(`${at}: torch.device of ${aType(args[0])} — rule: a device name`);
      return new PyObject('torch.device', args[1] === undefined ? args[0] : `${args[0]}:${String(args[1])}`);
    },
  }],
  ['torch.Size', { call: (args) => args[0] ?? new PyTuple([]) }],
  ['_codecs.encode', { // bytes in protocol 2: encode(str, 'latin1')
    call: (args, at) => {
      const [s, enc] = args;
      if (typeof s !== 'string' || (enc !== 'latin1' && enc !== 'latin-1')) throw new Error(`${at}: _codecs.encode(${describe(s)}, ${String(enc)}) — rule: encode(str, 'latin1'), how protocol 2 writes bytes`);
      return Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
    },
  }],
  ['__builtin__.bytes', { call: () => new Uint8Array(0) }],
  ['builtins.bytes', { call: () => new Uint8Array(0) }],
  ['__builtin__.set', { call: (args) => new PyObject('set', Array.isArray(args[0]) ? args[0] : []) }],
  ['builtins.set', { call: (args) => new PyObject('set', Array.isArray(args[0]) ? args[0] : []) }],
  ...['numpy.core.multiarray.scalar', 'numpy._core.multiarray.scalar'].map((n): [string, PickleGlobal] => [n, { call: numpyScalar }]),
  ['numpy.dtype', {
    call: (args, at) => {
      if (typeof args[0] !== 'string') throw new Error(`${at}: numpy.dtype of ${aType(args[0])} — rule: a type code such as 'f8'`);
      return new PyObject('numpy.dtype', { kind: args[0], little: true });
    },
    build: (target, state, at) => { // state (version, byteorder, …): '<', '>', '|' or '='
      const order = state instanceof PyTuple ? state.items[1] : undefined;
      if (typeof order !== 'string') throw new Error(`${at}: a numpy dtype's state is ${aType(state)} — rule: (version, byteorder, …)`);
      const d = (target as PyObject).value as { kind: string; little: boolean };
      return new PyObject('numpy.dtype', { kind: d.kind, little: order !== '>' });
    },
  }],
]);

/** Why a global was refused, for the message: what the file most likely is. */
function refusalHint(q: string): string {
  if (/^(posix|nt|os)\.(system|popen|exec\w*|spawn\w*)$|^subprocess\.|^(builtins|__builtin__)\.(eval|exec|compile|__import__|open|getattr)$|^runpy\./.test(q)) {
    return 'which runs commands or code: the file is built to execute something when torch.load reads it (do not load it in PyTorch either)';
  }
  if (/^torch\.nn\.modules\.|^__main__\.|^[\w.]+\.[A-Z]\w*$/.test(q)) {
    return 'a class: the file holds a pickled Python object (torch.save(model)?), not only tensors; in PyTorch, save torch.save(model.state_dict(), PATH)';
  }
  return '';
}

const ALLOWED = 'torch._utils._rebuild_tensor_v2 / _rebuild_parameter, torch.*Storage, collections.OrderedDict, torch.device, numpy scalars and dtypes, _codecs.encode';

/** Reads a `torch.save` zip checkpoint's object graph (tensors as descriptors). `where` (a file name) prefixes every error. */
export function readPth(bytes: Uint8Array, where: string): PthCheckpoint {
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] >= 2 && bytes[1] <= 5) {
    throw new Error(`${where}: a PyTorch checkpoint in the legacy (pre-1.6) format, a bare pickle — rule: the zip format of torch.save since PyTorch 1.6; `
      + 're-save it in PyTorch: torch.save(torch.load(PATH), NEW_PATH, _use_new_zipfile_serialization=True)');
  }
  if (!(bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04)) {
    throw new Error(`${where}: not a PyTorch checkpoint (a torch.save file is a zip archive, starting 'PK'; this one starts ${[...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ') || 'empty'})`);
  }
  const names: string[] = [];
  let head: Record<string, Uint8Array>;
  try {
    head = unzipSync(bytes, {
      filter: (f) => {
        names.push(f.name);
        const wanted = /^[^/]+\/(data\.pkl|byteorder)$/.test(f.name);
        if (wanted && f.originalSize > MAX_PICKLE_BYTES) throw new Error(`${f.name} declares ${f.originalSize} bytes — rule: at most ${MAX_PICKLE_BYTES} (torch writes it uncompressed; a zip bomb?)`);
        return wanted;
      },
    });
  } catch (e) {
    throw new Error(`${where}: not a readable zip archive (${(e as Error).message})`);
  }
  if (names.some((n) => /^[^/]+\/(constants\.pkl|code\/)/.test(n))) {
    throw new Error(`${where}: a TorchScript archive (torch.jit.save; it holds code/ and constants.pkl) — rule: a torch.save checkpoint of tensors; in PyTorch, save torch.jit.load(PATH).state_dict() with torch.save`);
  }
  const entries = new Set(names);
  const pkl = Object.keys(head).filter((n) => n.endsWith('/data.pkl'));
  if (pkl.length !== 1) {
    throw new Error(`${where}: a zip archive with ${pkl.length === 0 ? 'no' : pkl.length} PREFIX/data.pkl (entries: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}) — rule: one, as torch.save writes it`);
  }
  const prefix = pkl[0].slice(0, -'/data.pkl'.length);
  const order = head[`${prefix}/byteorder`] ? new TextDecoder().decode(head[`${prefix}/byteorder`]).trim() : 'little';
  if (order !== 'little' && order !== 'big') throw new Error(`${where}: ${prefix}/byteorder says '${order}' — rule: little or big`);
  const pklWhere = `${where}: ${prefix}/data.pkl`;
  const root = unpickle(head[pkl[0]], pklWhere, {
    globals: TORCH_GLOBALS,
    refusalHint,
    allowedSummary: ALLOWED,
    persistentLoad: (pid, at) => {
      const p = pid instanceof PyTuple ? pid.items : [];
      const [tag, type, key, location, numel] = p;
      if (tag !== 'storage' || !(type instanceof PyGlobal) || typeof key !== 'string' || typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) {
        throw new Error(`${at}: persistent id ${describe(pid)} (${p.map((x) => describe(x)).join(', ')}) — rule: ('storage', torch.<Type>Storage, key, location, numel)`);
      }
      const kind = STORAGES[type.name];
      if (!kind || !(type.module === 'torch' || type.module === 'torch.storage')) throw new Error(`${at}: storage type ${type.qualified} — rule: one of ${Object.keys(STORAGES).map((s) => `torch.${s}`).join(', ')}`);
      if (!entries.has(`${prefix}/data/${key}`)) throw new Error(`${at}: storage '${key}' is not in the archive (no ${prefix}/data/${key}; truncated or corrupt)`);
      return new PyObject('torch.storage', { key, dtype: kind.dtype, itemBytes: kind.bytes, numel, location: String(location) } satisfies PthStorage);
    },
  });
  const littleEndian = order === 'little';
  return {
    root, prefix, littleEndian,
    tensors(refs) {
      const need = new Map<string, number>(); // entry → the bytes its storage's persistent id declares
      for (const r of refs.values()) need.set(`${prefix}/data/${r.storage.key}`, Math.max(need.get(`${prefix}/data/${r.storage.key}`) ?? 0, r.storage.numel * r.storage.itemBytes));
      let raw: Record<string, Uint8Array>;
      try {
        raw = unzipSync(bytes, {
          filter: (f) => {
            if (!need.has(f.name)) return false;
            if (f.originalSize > need.get(f.name)!) throw new Error(`${f.name} declares ${f.originalSize} bytes, its storage's ${need.get(f.name)} — rule: a storage entry holds its elements and nothing more`);
            return true;
          },
        });
      } catch (e) {
        throw new Error(`${where}: the storages cannot be unzipped (${(e as Error).message})`);
      }
      const out = new Map<string, SafeTensor>();
      for (const [name, r] of refs) out.set(name, decodeTensor(r, raw[`${prefix}/data/${r.storage.key}`], littleEndian, `${where}: tensor '${name}'`));
      return out;
    },
  };
}

/** One strided view of a storage as a contiguous SafeTensor (floats as float32, integers as int32, bytes and bools as uint8). */
export function decodeTensor(r: PthTensorRef, storage: Uint8Array, little: boolean, where: string): SafeTensor {
  const { dtype, itemBytes, numel, key } = r.storage;
  if (storage.length < numel * itemBytes) throw new Error(`${where}: storage '${key}' holds ${storage.length} bytes, its ${numel} ${dtype} elements need ${numel * itemBytes} (truncated)`);
  const n = r.shape.reduce((a, b) => a * b, 1);
  if (n > Math.max(numel, MAX_REPEATED_VIEW)) {
    throw new Error(`${where}: a view of size [${r.shape}] (${n} elements) over storage '${key}' of ${numel} — rule: a view repeating elements (stride 0) has at most ${MAX_REPEATED_VIEW} elements`);
  }
  let last = r.offset;
  for (let d = 0; d < r.shape.length; d++) last += (r.shape[d] - 1) * r.stride[d];
  if (n > 0 && last >= numel) {
    throw new Error(`${where}: a view of size [${r.shape}], stride [${r.stride}] at offset ${r.offset} reaches element ${last} of storage '${key}', which has ${numel} — rule: views lie inside their storage (corrupt)`);
  }
  const view = new DataView(storage.buffer, storage.byteOffset, storage.byteLength);
  const read = reader(dtype, view, little, where);
  const out = dtype === 'U8' || dtype === 'BOOL' ? new Uint8Array(n) : dtype[0] === 'F' || dtype === 'BF16' ? new Float32Array(n) : new Int32Array(n);
  if (n > 0) {
    // Walk the view in C order: an odometer over the indices, the storage position kept incrementally.
    const rank = r.shape.length;
    const idx = new Array<number>(rank).fill(0);
    let p = r.offset;
    for (let i = 0; i < n; i++) {
      out[i] = read(p);
      for (let d = rank - 1; d >= 0; d--) {
        if (++idx[d] < r.shape[d]) { p += r.stride[d]; break; }
        p -= (r.shape[d] - 1) * r.stride[d];
        idx[d] = 0;
      }
    }
  }
  return { dtype, shape: [...r.shape], data: out };
}

function reader(dtype: SafeDType, v: DataView, little: boolean, where: string): (i: number) => number {
  switch (dtype) {
    case 'F32': return (i) => v.getFloat32(4 * i, little);
    case 'F64': return (i) => v.getFloat64(8 * i, little);
    case 'F16': return (i) => halfToFloat(v.getUint16(2 * i, little));
    case 'BF16': {
      const f = new Float32Array(1), u = new Uint32Array(f.buffer);
      return (i) => { u[0] = v.getUint16(2 * i, little) << 16; return f[0]; };
    }
    case 'I64': return (i) => {
      const x = v.getBigInt64(8 * i, little);
      if (x > 2147483647n || x < -2147483648n) throw new Error(`${where}: holds the int64 value ${x}, outside the 32-bit range this reader supports`);
      return Number(x);
    };
    case 'I32': return (i) => v.getInt32(4 * i, little);
    case 'I16': return (i) => v.getInt16(2 * i, little);
    case 'I8': return (i) => v.getInt8(i);
    case 'U8': case 'BOOL': return (i) => v.getUint8(i);
  }
  throw new Error(`${where}: dtype ${dtype} is not read here`);
}

/** Keys under which training scripts commonly nest the state dict, in the order they are tried. */
export const STATE_DICT_KEYS = ['state_dict', 'model_state_dict', 'model', 'net', 'network_weights', 'module'] as const;

export interface PthStateDictOptions {
  /**
   * The key of the checkpoint's top-level dict holding the state dict. Default: the checkpoint itself when it is a
   * state dict (names → tensors), else the first of `STATE_DICT_KEYS` that holds one.
   */
  key?: string;
}

export interface PthStateDict {
  /** Tensors by name (prefixes removed), decoded; PyTorch layout. */
  tensors: Map<string, SafeTensor>;
  /** Where in the checkpoint the state dict was: null for the checkpoint itself, else its key. */
  key: string | null;
  /** The prefix removed from every name (`module.` of DataParallel, `_orig_mod.` of torch.compile), or null. */
  strippedPrefix: string | null;
}

/** Whether a value is a state dict: a dict of one or more tensors by string name (non-tensor entries such as `_extra_state` are not allowed). */
function asStateDict(v: PyValue | undefined): Map<string, PthTensorRef> | null {
  if (!(v instanceof PyDict) || v.map.size === 0) return null;
  const out = new Map<string, PthTensorRef>();
  for (const [k, t] of v.map) {
    if (typeof k !== 'string' || !(t instanceof PyObject && t.type === 'torch.Tensor')) return null;
    out.set(k, t.value as PthTensorRef);
  }
  return out;
}

/**
 * The state dict of a `torch.save` checkpoint: a bare `state_dict`, or one under a key of a dict such as
 * `{'model': sd, 'optimizer': …, 'epoch': …}` (nnU-Net: `network_weights`); a prefix on every name (`module.`,
 * `_orig_mod.`) is removed. Only its tensors are decoded.
 */
export function readPthStateDict(bytes: Uint8Array, where: string, o: PthStateDictOptions = {}): PthStateDict {
  const ckpt = readPth(bytes, where);
  const root = ckpt.root;
  let key: string | null = null;
  let refs: Map<string, PthTensorRef> | null;
  const topKeys = root instanceof PyDict ? [...root.map.keys()].map(String) : [];
  if (o.key !== undefined) {
    if (!(root instanceof PyDict) || !root.map.has(o.key)) throw new Error(`${where}: no entry '${o.key}' (--key) — the checkpoint is ${aType(root)}${topKeys.length ? ` with keys ${topKeys.join(', ')}` : ''}`);
    refs = asStateDict(root.map.get(o.key));
    if (!refs) throw new Error(`${where}: entry '${o.key}' (--key) is ${aType(root.map.get(o.key))} — rule: a state dict (parameter names → tensors)`);
    key = o.key;
  } else {
    refs = asStateDict(root);
    if (!refs && root instanceof PyDict) {
      for (const k of STATE_DICT_KEYS) {
        refs = asStateDict(root.map.get(k));
        if (refs) { key = k; break; }
      }
    }
    if (!refs) {
      const holding = root instanceof PyDict ? [...root.map.entries()].filter(([, v]) => asStateDict(v)).map(([k]) => String(k)) : [];
      throw new Error(`${where}: no state dict found — the checkpoint is ${aType(root)}${topKeys.length ? ` with keys ${topKeys.slice(0, 12).join(', ')}${topKeys.length > 12 ? ', …' : ''}` : ''}`
        + ` — rule: a state dict (names → tensors) at the top or under ${STATE_DICT_KEYS.join(', ')}${holding.length ? `; ${holding.join(', ')} hold${holding.length === 1 ? 's' : ''} one: name it with --key` : ''}`);
    }
  }
  let strippedPrefix: string | null = null;
  for (const p of ['module.', '_orig_mod.']) {
    if ([...refs.keys()].every((k) => k.startsWith(p))) {
      refs = new Map([...refs].map(([k, v]) => [k.slice(p.length), v]));
      strippedPrefix = p;
      break;
    }
  }
  return { tensors: ckpt.tensors(refs), key, strippedPrefix };
}

/** Whether bytes look like a PyTorch checkpoint (a zip holding PREFIX/data.pkl, or a legacy bare pickle), by content. */
export function looksLikePth(bytes: Uint8Array): boolean {
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] >= 2 && bytes[1] <= 5) return true;
  if (!(bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b)) return false;
  let found = false;
  try {
    unzipSync(bytes, { filter: (f) => { if (/^[^/]+\/data\.pkl$/.test(f.name)) found = true; return false; } });
  } catch {
    return false;
  }
  return found;
}
