// readPlansFile: the one reader of plans.json; each refusal names the flag, the file and the rule.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPlansFile } from './plans-file.js';

test('readPlansFile: a plans file read back; missing, not JSON, another format or version refused with the flag and file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plans-file-'));
  const put = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
  const ok = put('ok.json', JSON.stringify({ format: 'unet-ts-plans', version: 1, labels: [0, 1], configurations: {} }));
  assert.deepEqual(readPlansFile(ok, '--plan').labels, [0, 1]);
  assert.throws(() => readPlansFile(join(dir, 'none.json'), '--plan'), /^Error: --plan .*none\.json: no such file \(write one with unet plan --data DIR\)$/);
  assert.throws(() => readPlansFile(put('bad.json', '{"format": oops'), '--plans'), /^Error: --plans .*bad\.json: not valid JSON \(/);
  assert.throws(() => readPlansFile(put('null.json', 'null'), '--plan'), /null\.json: not a unet-ts plans file \(format undefined, expected 'unet-ts-plans'\)/);
  assert.throws(() => readPlansFile(put('fmt.json', '{"format":"nnunet"}'), '--plan'), /fmt\.json: not a unet-ts plans file \(format "nnunet"/);
  assert.throws(() => readPlansFile(put('v2.json', '{"format":"unet-ts-plans","version":2}'), '--plan'), /v2\.json: version 2; this unet-ts reads version 1/);
});
