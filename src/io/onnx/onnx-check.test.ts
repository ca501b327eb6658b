import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../core/tf.js';
import { repoRoot } from '../../core/testing.js';
import { createNet } from '../../models/registry.js';
import { exportOnnx } from './export.js';
import { exportCases, exportSizes } from './testing.js';

// ONNX's own checker (Debian's python3-onnx: `apt-get install python3-onnx`), where installed.
const PYTHON = '/usr/bin/python3';
const probe = spawnSync(PYTHON, ['-c', 'import onnx; print(onnx.__version__)'], { encoding: 'utf8' });
const skip = probe.status === 0 ? false : `python3-onnx is not installed (${PYTHON} -c "import onnx" failed: ${(probe.stderr || probe.error?.message || '').trim().split('\n').pop()}); apt-get install python3-onnx runs this check`;

test(`onnx.checker.check_model(full_check=True) and strict shape inference pass on every preset's export${probe.status === 0 ? ` (onnx ${probe.stdout.trim()})` : ''}`, { skip }, async () => {
  await initBackend('cpu');
  const dir = mkdtempSync(join(tmpdir(), 'unet-onnx-check-'));
  try {
    const files: string[] = [];
    for (const [name, spec] of exportCases()) {
      const net = createNet(spec);
      try {
        const size = exportSizes(net)[0];
        for (const channelsLast of [false, true]) {
          const file = join(dir, `${name}${channelsLast ? '-nhwc' : ''}.onnx`);
          writeFileSync(file, exportOnnx(net, { size, channelsLast, metadata: { 'unet.arch': spec.arch } }));
          files.push(file);
        }
      } finally {
        net.dispose();
      }
    }
    const r = spawnSync(PYTHON, [join(repoRoot, 'scripts/onnx_check.py'), ...files], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').filter((l) => l.startsWith('ok ')).length, files.length, r.stdout);
    // A broken file is refused (the check can fail): IR 8 with one empty node and no opset.
    const bad = join(dir, 'bad.onnx');
    writeFileSync(bad, new Uint8Array([0x08, 0x08, 0x3a, 0x02, 0x0a, 0x00]));
    const b = spawnSync(PYTHON, [join(repoRoot, 'scripts/onnx_check.py'), bad], { encoding: 'utf8' });
    assert.equal(b.status, 1);
    assert.match(b.stderr, /onnx_check: error: .*bad\.onnx/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
