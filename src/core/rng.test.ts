import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from './rng.js';

test('the same seed gives the same sequence, another seed another one', () => {
  const a = new Rng(7), b = new Rng(7), c = new Rng(8);
  const sa = Array.from({ length: 20 }, () => a.nextUint32());
  const sb = Array.from({ length: 20 }, () => b.nextUint32());
  const sc = Array.from({ length: 20 }, () => c.nextUint32());
  assert.deepEqual(sa, sb);
  assert.notDeepEqual(sa, sc);
});

test('state() and fromState() resume the sequence exactly, normal spare included', () => {
  const r = new Rng(3);
  for (let i = 0; i < 5; i++) r.normal();
  r.normal(); // leaves a spare
  const s = r.state();
  const want = Array.from({ length: 10 }, () => r.normal());
  const again = Rng.fromState(JSON.parse(JSON.stringify(s)));
  assert.deepEqual(Array.from({ length: 10 }, () => again.normal()), want);
});

test('uniform and normal have the right moments', () => {
  const r = new Rng(1);
  const n = 100000;
  let su = 0, sn = 0, sn2 = 0;
  for (let i = 0; i < n; i++) {
    su += r.next();
    const z = r.normal();
    sn += z; sn2 += z * z;
  }
  assert.ok(Math.abs(su / n - 0.5) < 0.01, `uniform mean ${su / n}`);
  assert.ok(Math.abs(sn / n) < 0.02, `normal mean ${sn / n}`);
  assert.ok(Math.abs(sn2 / n - 1) < 0.02, `normal variance ${sn2 / n}`);
  const counts = new Array(10).fill(0);
  for (let i = 0; i < n; i++) counts[r.int(10)]++;
  for (const c of counts) assert.ok(Math.abs(c - n / 10) < 0.05 * n / 10, `int(10) bucket ${c}`);
});
