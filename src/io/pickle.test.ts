/**
 * The restricted unpickler on pickles CPython 3.11 wrote (hex below, from `pickle.dumps(…, protocol=2|4)`): values of
 * every kind, memo sharing, protocol 4's FRAME / MEMOIZE / STACK_GLOBAL; a global outside the allow-list (here
 * `builtins.eval`, through GLOBAL and STACK_GLOBAL) is refused by name; corrupt streams are errors, not crashes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PyDict, PyTuple, unpickle, type PickleGlobal, type PyValue } from './pickle.js';
import { TORCH_GLOBALS } from './pth.js';

const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));

// OrderedDict([('a', 1), ('neg', -300), ('big', 2**70), ('f', 1.5), ('t', (1, 'x', None, True, False)), ('l', [1, 2, 3]),
//              ('b', b'\x00\xff'), ('u', 'ünï'), ('shared', (lst, lst))]) with lst = [7, 8]
const P4 = '8004959b000000000000008c0b636f6c6c656374696f6e73948c0b4f72646572656444696374949394295294288c0161944b018c036e6567944ad4feffff8c03626967948a090000000000000000408c016694473ff80000000000008c017494284b018c0178944e888974948c016c945d94284b014b024b03658c016294430200ff948c0175948c05c3bc6ec3af948c06736861726564945d94284b074b086568128694752e';
const P2 = '800263636f6c6c656374696f6e730a4f726465726564446963740a7100295271012858010000006171024b0158030000006e656771034ad4feffff580300000062696771048a090000000000000000405801000000667105473ff80000000000005801000000747106284b0158010000007871074e888974710858010000006c71095d710a284b014b024b0365580100000062710b635f636f646563730a656e636f64650a710c580300000000c3bf710d58060000006c6174696e31710e86710f52711058010000007571115805000000c3bc6ec3af7112580600000073686172656471135d7114284b074b08656814867115752e';
// {'x': E()} where E.__reduce__ returns (eval, ('1+1',))
const EVAL4 = '80049526000000000000007d948c0178948c086275696c74696e73948c046576616c9493948c03312b319485945294732e';
const EVAL2 = '80027d71005801000000787101635f5f6275696c74696e5f5f0a6576616c0a71025803000000312b317103857104527105732e';

const read = (s: string | Uint8Array, globals: ReadonlyMap<string, PickleGlobal> = TORCH_GLOBALS) => unpickle(typeof s === 'string' ? hex(s) : s, 'x.pkl', { globals });

for (const [proto, data] of [['4', P4], ['2', P2]] as const) {
  test(`protocol ${proto}: every kind of value, in order; a memoised list stays one list`, () => {
    const v = read(data);
    assert.ok(v instanceof PyDict);
    const m = v.map;
    assert.deepEqual([...m.keys()], ['a', 'neg', 'big', 'f', 't', 'l', 'b', 'u', 'shared']);
    assert.equal(m.get('a'), 1);
    assert.equal(m.get('neg'), -300);
    assert.equal(m.get('big'), 2n ** 70n);
    assert.equal(m.get('f'), 1.5);
    assert.deepEqual((m.get('t') as PyTuple).items, [1, 'x', null, true, false]);
    assert.deepEqual(m.get('l'), [1, 2, 3]);
    assert.deepEqual([...(m.get('b') as Uint8Array)], [0, 255], proto === '2' ? 'bytes as _codecs.encode(str, latin1)' : 'SHORT_BINBYTES');
    assert.equal(m.get('u'), 'ünï');
    const [a, b] = (m.get('shared') as PyTuple).items as PyValue[][];
    assert.equal(a, b, 'the memo gives the same object twice');
    assert.deepEqual(a, [7, 8]);
  });
}

test('a global outside the allow-list is refused by name, through GLOBAL (protocol 2) and STACK_GLOBAL (protocol 4)', () => {
  assert.throws(() => read(EVAL2), /^Error: x\.pkl: byte 13: imports the global '__builtin__\.eval'; nothing was read from the file and nothing run — rule: only globals that rebuild data are read \(collections\.OrderedDict, /);
  assert.throws(() => read(EVAL4), /x\.pkl: byte \d+: imports the global 'builtins\.eval'/);
  assert.throws(() => read(P2, new Map()), /imports the global 'collections\.OrderedDict'/, 'an empty allow-list allows nothing');
});

test('corrupt streams: truncated, no STOP, unknown or text opcodes, unbalanced MARK, memo misses, calls of non-globals', () => {
  const p = hex(P2);
  assert.throws(() => read(p.subarray(0, 40)), /x\.pkl: byte \d+: .*(needs \d+ more bytes|ends without STOP)/);
  assert.throws(() => read(hex('80024b01')), /the pickle ends without STOP \(truncated\)/);
  assert.throws(() => read(hex('8002ff')), /opcode 0xff — rule: the binary opcodes of pickle protocols 2–5 that hold data \(unknown: corrupt, or not a pickle\)/);
  assert.throws(() => read(hex('800249310a2e')), /opcode INT — rule: .* \(this one is not read here\)/);
  assert.throws(() => read(hex('80027d4b01732e')), /SETITEM on an empty stack|on an empty stack/);
  assert.throws(() => read(hex('800274')), /TUPLE without a MARK \(corrupt\)/);
  assert.throws(() => read(hex('80026805')), /BINGET 5 of a memo entry never stored \(corrupt\)/);
  assert.throws(() => read(hex('80024b0129522e')), /REDUCE calls an int, not an allowed global/);
  assert.throws(() => read(hex('8006')), /pickle protocol 6 — rule: protocols 2 to 5/);
  assert.throws(() => read(hex('80025805000000616263')), /BINUNICODE needs 5 more bytes, the pickle has 3/);
  assert.throws(() => read(hex('800263746f7263680a466c6f617453746f726167650a29522e')), /REDUCE calls torch\.FloatStorage, which may appear here only as an argument/);
});

test('OrderedDict built from a list of pairs (its REDUCE argument), as copy and older protocols write it', () => {
  const v = read('8002' + '63' + '636f6c6c656374696f6e730a4f726465726564446963740a' + '5d' + '28' + '580100000061' + '4b01' + '86' + '65' + '85' + '52' + '2e');
  assert.ok(v instanceof PyDict);
  assert.deepEqual([...v.map], [['a', 1]]);
  assert.throws(() => read('8002' + '63' + '636f6c6c656374696f6e730a4f726465726564446963740a' + '5d' + '28' + '5d' + '4b01' + '86' + '65' + '85' + '52' + '2e'), /OrderedDict key a list — rule: a hashable key/);
});
