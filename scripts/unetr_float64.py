"""How far float32 is from the function in the UNETR fixtures (used for src/models/unetr/parity.test.ts's notes).

Runs variants.UNETR on a fixture's weights and input in float32 (as the fixture was made) and float64, then prints
  - the gap between the float32 and float64 gradients of sum(out**2), max |a - b| / max(1, max |b|) per tensor;
  - every LeakyReLU pre-activation (conv-block norm outputs) whose float32 and float64 values differ in sign.
Usage: /usr/bin/python3 scripts/unetr_float64.py unetr2d|unetr3d
"""
import json, struct, sys
from pathlib import Path
import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT.parent / 'shared' / 'reference'))
import variants  # noqa: E402

torch.set_num_threads(1)


def read_safetensors(path):
    b = path.read_bytes()
    n = struct.unpack('<Q', b[:8])[0]
    header = json.loads(b[8:8 + n])
    out = {}
    for k, v in header.items():
        if k == '__metadata__':
            continue
        s, e = v['data_offsets']
        dt = {'F32': np.float32, 'I64': np.int64}[v['dtype']]
        out[k] = torch.from_numpy(np.frombuffer(b[8 + n + s:8 + n + e], dtype=dt).reshape(v['shape']).copy())
    return out, header.get('__metadata__', {})


def run(name, dtype):
    state, _ = read_safetensors(ROOT / 'fixtures' / 'variants' / f'{name}.safetensors')
    io, meta = read_safetensors(ROOT / 'fixtures' / 'variants' / f'{name}.io.safetensors')
    m = variants.UNETR(**json.loads(meta['options']))
    m.load_state_dict(state)
    m = m.to(dtype).train()
    pre = {}
    for n, mod in m.named_modules():
        if n.endswith(('norm1', 'norm2', 'norm3')) and not n.startswith('vit'):
            mod.register_forward_hook(lambda mod, i, o, n=n: pre.__setitem__(n, o.detach()))
    out = m(io['input'].to(dtype))
    (out ** 2).sum().backward()
    return {n: p.grad.detach().double() for n, p in m.named_parameters()}, pre, io


name = sys.argv[1] if len(sys.argv) > 1 else 'unetr3d'
g32, p32, io = run(name, torch.float32)
g64, p64, _ = run(name, torch.float64)
assert all(torch.equal(g32[k].float(), io['grad.' + k]) for k in g32), 'float32 run reproduces the fixture'
gap = {k: float((g32[k] - g64[k]).abs().max()) / max(1.0, float(g64[k].abs().max())) for k in g64}
print(f'{name}: float32 vs float64 gradients, worst tensors (max |a - b| / max(1, max |b|)):')
for k, v in sorted(gap.items(), key=lambda kv: -kv[1])[:5]:
    print(f'  {v:.2e}  {k}')
for k in p32:
    flip = torch.nonzero(torch.sign(p32[k].double()) != torch.sign(p64[k]))
    for idx in flip.tolist():
        print(f'  sign differs: {k}{idx} (NC... index): float32 {float(p32[k][tuple(idx)]):.4g}, float64 {float(p64[k][tuple(idx)]):.4g}')
