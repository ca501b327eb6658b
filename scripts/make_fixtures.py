"""Writes the PyTorch parity fixtures in fixtures/ from the PyTorch reference in ../shared/reference.

Run: /usr/bin/python3 scripts/make_fixtures.py   (needs Debian's python3-torch: apt-get install -y python3-torch)

For each network, two safetensors files:
  NAME.safetensors     the module's state_dict exactly as PyTorch names and lays it out (loads into unet-ts as is)
  NAME.io.safetensors  input (N, C, spatial...), out_eval, out_train (training-mode BatchNorm), after.<buffer> (running
                       statistics after the training-mode forward) and grad.<param> (gradient of mean(out_train**2))
BatchNorm affine parameters and running statistics are randomised first, so eval mode is not the identity.
"""
import json, os, struct, sys
import torch, torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, '..', 'shared', 'reference'))
import torch_unet  # noqa: E402  (the chapter's UNet / UNet3D: seed2d / seed3d)


def crop(s, t):  # papers_unet.crop
    d = [(a - b) // 2 for a, b in zip(s.shape[2:], t.shape[2:])]
    return s[tuple([slice(None), slice(None)] + [slice(o, o + n) for o, n in zip(d, t.shape[2:])])]


class Ronneberger(nn.Module):
    """papers_unet.Ronneberger with the widths scaled by base/64 (same module names)."""
    def __init__(s, cin=1, ncls=2, base=64):
        super().__init__(); ch = [base * 2 ** i for i in range(5)]
        C = lambda i, o: nn.Sequential(nn.Conv2d(i, o, 3), nn.ReLU(), nn.Conv2d(o, o, 3), nn.ReLU())
        s.enc = nn.ModuleList([C(cin, ch[0])] + [C(ch[i], ch[i + 1]) for i in range(4)])
        s.up = nn.ModuleList([nn.ConvTranspose2d(ch[i + 1], ch[i], 2, stride=2) for i in reversed(range(4))])
        s.dec = nn.ModuleList([C(ch[i + 1], ch[i]) for i in reversed(range(4))])
        s.out = nn.Conv2d(ch[0], ncls, 1)

    def forward(s, x):
        skips = []
        for i, e in enumerate(s.enc):
            x = e(x if i == 0 else nn.functional.max_pool2d(x, 2)); skips.append(x)
        skips.pop()
        for u, d in zip(s.up, s.dec):
            x = u(x); x = d(torch.cat([crop(skips.pop(), x), x], 1))
        return s.out(x)


class Cicek(nn.Module):
    """papers_unet.Cicek with widths scaled by base/32, counted as the paper counts: BatchNorm without affine
    parameters, bias-free up-convolutions."""
    def __init__(s, cin=3, ncls=3, base=32):
        super().__init__(); b = base
        CB = lambda i, o: [nn.Conv3d(i, o, 3), nn.BatchNorm3d(o, affine=False), nn.ReLU()]
        s.enc = nn.ModuleList([nn.Sequential(*CB(i, m), *CB(m, o)) for i, m, o in
                               [(cin, b, 2 * b), (2 * b, 2 * b, 4 * b), (4 * b, 4 * b, 8 * b), (8 * b, 8 * b, 16 * b)]])
        s.up = nn.ModuleList([nn.ConvTranspose3d(c, c, 2, stride=2, bias=False) for c in (16 * b, 8 * b, 4 * b)])
        s.dec = nn.ModuleList([nn.Sequential(*CB(i, o), *CB(o, o)) for i, o in
                               [(16 * b + 8 * b, 8 * b), (8 * b + 4 * b, 4 * b), (4 * b + 2 * b, 2 * b)]])
        s.out = nn.Conv3d(2 * b, ncls, 1)

    def forward(s, x):
        skips = []
        for i, e in enumerate(s.enc):
            x = e(x if i == 0 else nn.functional.max_pool3d(x, 2)); skips.append(x)
        skips.pop()
        for u, d in zip(s.up, s.dec):
            x = u(x); x = d(torch.cat([crop(skips.pop(), x), x], 1))
        return s.out(x)


DTYPES = {torch.float32: 'F32', torch.int64: 'I64', torch.uint8: 'U8'}


def save_safetensors(path, tensors, metadata):
    header, blobs, off = {'__metadata__': metadata}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        b = t.numpy().tobytes()
        header[name] = {'dtype': DTYPES[t.dtype], 'shape': list(t.shape), 'data_offsets': [off, off + len(b)]}
        blobs.append(b); off += len(b)
    h = json.dumps(header).encode()
    h += b' ' * ((8 - (8 + len(h)) % 8) % 8)
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(struct.pack('<Q', len(h))); f.write(h)
        for b in blobs: f.write(b)
    os.replace(tmp, path)


def randomise_norms(m, g):
    for mod in m.modules():
        if isinstance(mod, (nn.BatchNorm2d, nn.BatchNorm3d)):
            mod.running_mean.copy_(torch.randn(mod.running_mean.shape, generator=g) * 0.2)
            mod.running_var.copy_(torch.rand(mod.running_var.shape, generator=g) + 0.5)
            mod.num_batches_tracked.fill_(3)
            if mod.affine:
                mod.weight.data.copy_(torch.rand(mod.weight.shape, generator=g) + 0.5)
                mod.bias.data.copy_(torch.randn(mod.bias.shape, generator=g) * 0.1)


def make(name, model, shape, meta, grads=True, u8_input=False):
    g = torch.Generator().manual_seed(1234)
    with torch.no_grad():
        randomise_norms(model, g)
    state = {k: v.clone() for k, v in model.state_dict().items()}
    if u8_input:  # large volumes: values (k - 128) / 64 for bytes k, stored as U8 (input_u8) to keep the file small
        xu8 = torch.randint(0, 256, shape, generator=g, dtype=torch.uint8)
        x = (xu8.float() - 128) / 64
    else:
        x = torch.randn(*shape, generator=g)
    model.eval()
    with torch.no_grad():
        out_eval = model(x)
    model.train()
    model.zero_grad()
    out_train = model(x)
    out_train.pow(2).mean().backward()
    io = {'input_u8': xu8} if u8_input else {'input': x}
    io.update({'out_eval': out_eval, 'out_train': out_train.detach()})
    for k, v in model.state_dict().items():
        if 'running' in k or 'num_batches' in k:
            io['after.' + k] = v
    for k, p in model.named_parameters():
        if grads:
            io['grad.' + k] = p.grad
    meta = dict(meta, params=str(sum(p.numel() for p in model.parameters())), torch=torch.__version__)
    save_safetensors(os.path.join(REPO, 'fixtures', name + '.safetensors'), state, {'format': 'pytorch-state-dict'})
    save_safetensors(os.path.join(REPO, 'fixtures', name + '.io.safetensors'), io, {k: str(v) for k, v in meta.items()})
    print(name, 'params', meta['params'], 'in', tuple(x.shape), 'out', tuple(out_eval.shape))


if __name__ == '__main__':
    torch.manual_seed(0)
    torch.set_num_threads(2)
    os.makedirs(os.path.join(REPO, 'fixtures'), exist_ok=True)
    make('seed2d_b4', torch_unet.UNet(1, 1, True, 2, 4), (2, 1, 32, 48),
         {'preset': 'seed2d', 'options': json.dumps({'base': 4})})
    make('ronneberger2015_b4', Ronneberger(1, 2, 4), (1, 1, 204, 220),
         {'preset': 'ronneberger2015', 'options': json.dumps({'base': 4})})
    make('seed3d_b4', torch_unet.UNet(1, 3, True, 3, 4), (2, 1, 16, 32, 16),
         {'preset': 'seed3d', 'options': json.dumps({'base': 4})})
    make('cicek2016_b4', Cicek(1, 3, 4), (1, 1, 92, 100, 108),
         {'preset': 'cicek2016', 'options': json.dumps({'base': 4, 'inChannels': 1})}, grads=False, u8_input=True)
