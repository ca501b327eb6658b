/**
 * A restricted unpickler: Python's pickle format read as data, never as a program. A pickle is a little stack machine
 * whose `GLOBAL` opcode imports any Python callable by name and `REDUCE` calls it — which is how a `torch.save` file can
 * run `os.system` inside `torch.load`. Here every global is looked up in an allow-list (`PickleGlobals`) the moment it
 * is read; any other name is refused with the file, the byte and the name, before anything further is read. Allowed
 * globals are implemented here as pure data constructors (a tensor descriptor, an ordered dict, a number); nothing
 * is imported, called or evaluated.
 *
 * Opcodes: the binary protocols 2–5 as CPython and `torch.save` (protocol 2) write them, plus FRAME and MEMOIZE of
 * protocol 4. The text opcodes of protocol 0/1 (INT, STRING, PUT, GET, …) and out-of-band buffers are refused by name.
 * Browser-safe: a Uint8Array in, plain values out.
 */

/** A Python tuple (kept apart from lists). */
export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

/** A Python dict or `collections.OrderedDict` (insertion order kept); `attrs` is the state a BUILD gave it. */
export class PyDict {
  readonly map = new Map<PyKey, PyValue>();
  attrs: PyValue = null;
}

/** A global an allowed constructor may receive as an argument (a storage type, `torch.Tensor`, a dtype, …). */
export class PyGlobal {
  constructor(readonly module: string, readonly name: string) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/** An object an allowed constructor built (a tensor, a storage, a device, …), with its Python type's name. */
export class PyObject {
  constructor(readonly type: string, readonly value: unknown) {}
}

export type PyKey = string | number | bigint | boolean | null | PyTuple | PyObject;
export type PyValue = PyKey | Uint8Array | PyValue[] | PyDict | PyGlobal | PyObject;

/**
 * The allowed globals, by `module.name`: `call` builds the value `REDUCE` (or `NEWOBJ`) makes of the arguments;
 * `build` (optional) applies the state of a BUILD to a value `call` made. A global listed with neither may appear only
 * as an argument or a persistent id's part (a storage type).
 */
export interface PickleGlobal {
  call?: (args: PyValue[], at: string) => PyValue;
  build?: (target: PyValue, state: PyValue, at: string) => PyValue;
}

export interface UnpickleOptions {
  /** The allowed globals by `module.name` (Python 2 names such as `__builtin__.bytes` as written). Required. */
  globals: ReadonlyMap<string, PickleGlobal>;
  /** Resolves a persistent id (`BINPERSID`; torch: a storage). Default: persistent ids are refused. */
  persistentLoad?: (pid: PyValue, at: string) => PyValue;
  /** Explains a refused global (inserted after its name), e.g. what the file probably is. Default none. */
  refusalHint?: (qualified: string) => string;
  /** The allowed globals in words, for the refusal's rule. Default: every name of `globals`. */
  allowedSummary?: string;
}

const OP_NAMES: Record<number, string> = {
  0x28: 'MARK', 0x2e: 'STOP', 0x30: 'POP', 0x31: 'POP_MARK', 0x32: 'DUP', 0x46: 'FLOAT', 0x49: 'INT', 0x4a: 'BININT',
  0x4b: 'BININT1', 0x4c: 'LONG', 0x4d: 'BININT2', 0x4e: 'NONE', 0x50: 'PERSID', 0x51: 'BINPERSID', 0x52: 'REDUCE',
  0x53: 'STRING', 0x54: 'BINSTRING', 0x55: 'SHORT_BINSTRING', 0x56: 'UNICODE', 0x58: 'BINUNICODE', 0x61: 'APPEND',
  0x62: 'BUILD', 0x63: 'GLOBAL', 0x64: 'DICT', 0x7d: 'EMPTY_DICT', 0x65: 'APPENDS', 0x67: 'GET', 0x68: 'BINGET',
  0x69: 'INST', 0x6a: 'LONG_BINGET', 0x6c: 'LIST', 0x5d: 'EMPTY_LIST', 0x6f: 'OBJ', 0x70: 'PUT', 0x71: 'BINPUT',
  0x72: 'LONG_BINPUT', 0x73: 'SETITEM', 0x74: 'TUPLE', 0x29: 'EMPTY_TUPLE', 0x75: 'SETITEMS', 0x47: 'BINFLOAT',
  0x80: 'PROTO', 0x81: 'NEWOBJ', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4', 0x85: 'TUPLE1', 0x86: 'TUPLE2',
  0x87: 'TUPLE3', 0x88: 'NEWTRUE', 0x89: 'NEWFALSE', 0x8a: 'LONG1', 0x8b: 'LONG4', 0x42: 'BINBYTES',
  0x43: 'SHORT_BINBYTES', 0x8c: 'SHORT_BINUNICODE', 0x8d: 'BINUNICODE8', 0x8e: 'BINBYTES8', 0x8f: 'EMPTY_SET',
  0x90: 'ADDITEMS', 0x91: 'FROZENSET', 0x92: 'NEWOBJ_EX', 0x93: 'STACK_GLOBAL', 0x94: 'MEMOIZE', 0x95: 'FRAME',
  0x96: 'BYTEARRAY8', 0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER',
};

const MARK = Symbol('mark');
type Slot = PyValue | typeof MARK;

/** Parses a pickle; `where` (file and member, e.g. `model.pth: archive/data.pkl`) prefixes every error. */
export function unpickle(bytes: Uint8Array, where: string, o: UnpickleOptions): PyValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const latin1 = new TextDecoder('latin1');
  const stack: Slot[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PyValue>();
  let pos = 0;
  let opAt = 0;
  const at = () => `${where}: byte ${opAt}`;
  const fail = (msg: string): never => { throw new Error(`${at()}: ${msg}`); };
  const need = (n: number) => {
    if (!(n >= 0) || pos + n > bytes.length) fail(`${OP_NAMES[bytes[opAt]]} needs ${n} more bytes, the pickle has ${bytes.length - pos} (truncated or corrupt)`);
  };
  const u8 = () => { need(1); return bytes[pos++]; };
  const u16 = () => { need(2); const v = view.getUint16(pos, true); pos += 2; return v; };
  const u32 = () => { need(4); const v = view.getUint32(pos, true); pos += 4; return v; };
  const i32 = () => { need(4); const v = view.getInt32(pos, true); pos += 4; return v; };
  const u64 = () => {
    need(8);
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(bytes.length)) fail(`a length of ${v} bytes exceeds the pickle's ${bytes.length} (corrupt)`);
    return Number(v);
  };
  const take = (n: number) => { need(n); const s = bytes.subarray(pos, pos + n); pos += n; return s; };
  const text = (n: number) => {
    const raw = take(n);
    try {
      return utf8.decode(raw);
    } catch {
      return fail(`a string of ${n} bytes is not valid UTF-8 (corrupt)`);
    }
  };
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail('an unterminated text line (truncated)');
    const s = latin1.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = (): PyValue => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1])) fail(`${OP_NAMES[bytes[opAt]]} on an empty stack (corrupt)`);
    const v = stack.pop()!;
    if (v === MARK) fail('a MARK where a value was expected (corrupt)');
    return v as PyValue;
  };
  const top = (): PyValue => {
    const v = stack[stack.length - 1];
    if (stack.length === 0 || v === MARK) fail(`${OP_NAMES[bytes[opAt]]} on an empty stack (corrupt)`);
    return v as PyValue;
  };
  const popMark = (): PyValue[] => {
    const m = marks.pop();
    if (m === undefined) fail(`${OP_NAMES[bytes[opAt]]} without a MARK (corrupt)`);
    const items = stack.splice(m!) as PyValue[];
    items.shift(); // the MARK itself
    return items;
  };
  const push = (v: PyValue) => stack.push(v);
  const lookup = (module: string, name: string): PyGlobal => {
    const q = `${module}.${name}`;
    if (!o.globals.has(q)) {
      const hint = o.refusalHint?.(q) ?? '';
      fail(`imports the global '${q}'${hint ? `, ${hint}` : ''}; nothing was read from the file and nothing run`
        + ` — rule: only globals that rebuild data are read (${o.allowedSummary ?? [...o.globals.keys()].join(', ')})`);
    }
    return new PyGlobal(module, name);
  };
  const call = (fn: PyValue, args: PyValue, opname: string): PyValue => {
    if (!(fn instanceof PyGlobal)) return fail(`${opname} calls ${aType(fn)}, not an allowed global (corrupt or hostile)`);
    if (!(args instanceof PyTuple)) return fail(`${opname} of ${fn.qualified} with arguments that are ${aType(args)}, not a tuple (corrupt)`);
    const g = o.globals.get(fn.qualified)!;
    if (!g.call) return fail(`${opname} calls ${fn.qualified}, which may appear here only as an argument`);
    return g.call(args.items, `${at()} (${fn.qualified})`);
  };
  const setItems = (d: PyValue, kv: PyValue[]) => {
    if (!(d instanceof PyDict)) fail(`SETITEM(S) on ${aType(d)}, not a dict (corrupt)`);
    if (kv.length % 2) fail('SETITEMS with an odd number of keys and values (corrupt)');
    for (let i = 0; i < kv.length; i += 2) (d as PyDict).map.set(asKey(kv[i], fail), kv[i + 1]);
  };
  const append = (l: PyValue, items: PyValue[]) => {
    if (!Array.isArray(l)) fail(`APPEND(S) on ${aType(l)}, not a list (corrupt)`);
    for (const x of items) (l as PyValue[]).push(x);
  };

  for (;;) {
    opAt = pos;
    if (pos >= bytes.length) fail('the pickle ends without STOP (truncated)');
    const op = bytes[pos++];
    switch (op) {
      case 0x80: { const v = u8(); if (v > 5) fail(`pickle protocol ${v} — rule: protocols 2 to 5`); break; } // PROTO
      case 0x95: u64(); break; // FRAME: a length hint only
      case 0x2e: { // STOP
        const v = pop();
        return v;
      }
      case 0x28: marks.push(stack.length); stack.push(MARK); break;
      case 0x30: pop(); break;
      case 0x31: popMark(); break;
      case 0x32: push(top()); break;
      case 0x4e: push(null); break;
      case 0x88: push(true); break;
      case 0x89: push(false); break;
      case 0x4a: push(i32()); break;
      case 0x4b: push(u8()); break;
      case 0x4d: push(u16()); break;
      case 0x8a: case 0x8b: { // LONG1 / LONG4: little-endian two's complement
        const n = op === 0x8a ? u8() : u32();
        const b = take(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
        if (n > 0 && b[n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x47: { need(8); push(view.getFloat64(pos, false)); pos += 8; break; } // BINFLOAT: big-endian
      case 0x58: push(text(u32())); break;
      case 0x8c: push(text(u8())); break;
      case 0x8d: push(text(u64())); break;
      case 0x54: push(latin1.decode(take(i32()))); break; // BINSTRING (Python 2 str)
      case 0x55: push(latin1.decode(take(u8()))); break;
      case 0x42: push(take(u32()).slice()); break;
      case 0x43: push(take(u8()).slice()); break;
      case 0x8e: case 0x96: push(take(u64()).slice()); break;
      case 0x7d: push(new PyDict()); break;
      case 0x64: { const d = new PyDict(); setItems(d, popMark()); push(d); break; }
      case 0x5d: push([]); break;
      case 0x6c: push(popMark()); break;
      case 0x29: push(new PyTuple([])); break;
      case 0x74: push(new PyTuple(popMark())); break;
      case 0x85: push(new PyTuple([pop()])); break;
      case 0x86: { const b = pop(), a = pop(); push(new PyTuple([a, b])); break; }
      case 0x87: { const c = pop(), b = pop(), a = pop(); push(new PyTuple([a, b, c])); break; }
      case 0x8f: push(new PyObject('set', [])); break;
      case 0x90: { // ADDITEMS
        const items = popMark();
        const s = top();
        if (!(s instanceof PyObject && s.type === 'set')) fail(`ADDITEMS on ${aType(s)}, not a set (corrupt)`);
        for (const x of items) (s as PyObject & { value: PyValue[] }).value.push(x);
        break;
      }
      case 0x91: push(new PyObject('frozenset', popMark())); break;
      case 0x61: { const x = pop(); append(top(), [x]); break; }
      case 0x65: { const items = popMark(); append(top(), items); break; }
      case 0x73: { const v = pop(), k = pop(); setItems(top(), [k, v]); break; }
      case 0x75: { const kv = popMark(); setItems(top(), kv); break; }
      case 0x71: memo.set(u8(), top()); break;
      case 0x72: memo.set(u32(), top()); break;
      case 0x94: memo.set(memo.size, top()); break;
      case 0x68: case 0x6a: {
        const k = op === 0x68 ? u8() : u32();
        if (!memo.has(k)) fail(`${OP_NAMES[op]} ${k} of a memo entry never stored (corrupt)`);
        push(memo.get(k)!);
        break;
      }
      case 0x63: { const module = line(); const name = line(); push(lookup(module, name)); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop(), module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL of values that are not strings (corrupt)');
        push(lookup(module as string, name as string));
        break;
      }
      case 0x52: { const args = pop(), fn = pop(); push(call(fn, args, 'REDUCE')); break; }
      case 0x81: { const args = pop(), cls = pop(); push(call(cls, args, 'NEWOBJ')); break; }
      case 0x62: { // BUILD
        const state = pop();
        const target = pop();
        const type = target instanceof PyObject ? target.type : target instanceof PyDict ? 'collections.OrderedDict' : null;
        const g = type ? o.globals.get(type) : undefined;
        if (target instanceof PyDict && !g?.build) { target.attrs = state; push(target); break; } // OrderedDict's __dict__ (torch: _metadata)
        if (!g?.build) fail(`BUILD on ${aType(target)}, which takes no state here (corrupt or hostile)`);
        push(g!.build!(target, state, at()));
        break;
      }
      case 0x51: { // BINPERSID
        const pid = pop();
        if (!o.persistentLoad) fail('a persistent id, which this file type may not hold');
        push(o.persistentLoad!(pid, at()));
        break;
      }
      default:
        fail(`opcode ${OP_NAMES[op] ?? `0x${op.toString(16).padStart(2, '0')}`} — rule: the binary opcodes of pickle protocols 2–5 that hold data`
          + (OP_NAMES[op] ? ' (this one is not read here)' : ' (unknown: corrupt, or not a pickle)'));
    }
  }
}

function asKey(k: PyValue, fail: (m: string) => never): PyKey {
  if (k === null || ['string', 'number', 'bigint', 'boolean'].includes(typeof k) || k instanceof PyTuple || k instanceof PyObject) return k as PyKey;
  return fail(`a dict key that is ${aType(k)} (unhashable; corrupt)`);
}

/** A value's type with its article, for messages: 'an int', 'a dict'. */
export function aType(v: PyValue | undefined): string {
  const t = describe(v);
  if (t === 'None') return t;
  return /^[aeiou]/i.test(t) ? `an ${t}` : `a ${t}`;
}

/** A value's Python-ish type for messages. */
export function describe(v: PyValue | undefined): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof Uint8Array) return 'bytes';
  if (Array.isArray(v)) return 'list';
  if (v instanceof PyTuple) return 'tuple';
  if (v instanceof PyDict) return 'dict';
  if (v instanceof PyGlobal) return `global ${v.qualified}`;
  return v.type;
}
