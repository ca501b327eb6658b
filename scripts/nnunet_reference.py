"""Parity fixture for the `nnunet` architecture (src/models/nnunet/): nnU-Net v2's PlainConvUNet from
MIC-DKFZ/dynamic-network-architectures, built exactly as nnU-Net's plans build it (conv bias, InstanceNorm eps 1e-5
affine, LeakyReLU 0.01, strided convs, transposed convs kernel = stride, 1×1 seg heads, deep supervision).

Run: /usr/bin/python3 scripts/nnunet_reference.py --dna DIR [--out fixtures/variants]
  DIR holds the package `dynamic_network_architectures` (e.g. `git -C <mirror> archive HEAD dynamic_network_architectures
  | tar -x -C DIR`). Needs torch (Debian's python3-torch).

Writes nnunet3d_tiny.safetensors (the state dict, de-duplicated: PyTorch lists each conv and norm twice, as `.conv` /
`.norm` and as `.all_modules.0` / `.all_modules.1`, and the decoder repeats the encoder as `decoder.encoder.*`; the
first name is kept) and nnunet3d_tiny.io.safetensors (input, out_eval.K / out_train.K highest resolution first,
grad.<param> of sum over heads of sum(out_train²)), in the format of ../shared/reference/variants.py.
"""
import argparse, json, os, struct, sys
import torch
from torch import nn

OPTIONS = {'spatial_dims': 3, 'in_channels': 1, 'classes': 2, 'features': [4, 8, 16],
           'kernels': [[1, 3, 3], [3, 3, 3], [3, 3, 3]], 'strides': [[1, 1, 1], [1, 2, 2], [2, 2, 2]],
           'convs_per_stage': 2, 'deep_supervision': True}
INPUT = (2, 1, 6, 12, 16)
DTYPES = {torch.float32: 'F32'}


def save_safetensors(path, tensors, metadata):
    header, blobs, off = {'__metadata__': metadata}, [], 0
    for name, t in tensors.items():
        b = t.detach().contiguous().cpu().numpy().tobytes()
        header[name] = {'dtype': DTYPES[t.dtype], 'shape': list(t.shape), 'data_offsets': [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b' ' * ((8 - (8 + len(h)) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def build(o):
    from dynamic_network_architectures.architectures.unet import PlainConvUNet
    n = len(o['features'])
    return PlainConvUNet(o['in_channels'], n, o['features'], nn.Conv3d, o['kernels'], o['strides'], o['convs_per_stage'],
                         o['classes'], o['convs_per_stage'], conv_bias=True, norm_op=nn.InstanceNorm3d,
                         norm_op_kwargs={'eps': 1e-5, 'affine': True}, nonlin=nn.LeakyReLU,
                         nonlin_kwargs={'negative_slope': 1e-2, 'inplace': True}, deep_supervision=o['deep_supervision'])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--dna', required=True)
    ap.add_argument('--out', default=os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'variants'))
    a = ap.parse_args()
    sys.path.insert(0, a.dna)
    torch.manual_seed(0)
    m = build(OPTIONS)
    g = torch.Generator().manual_seed(1234)
    with torch.no_grad():  # InstanceNorm γ, β away from 1, 0 so that the affine is exercised
        for k, p in m.named_parameters():
            if '.norm.' in k:
                p.copy_((1.0 if k.endswith('weight') else 0.0) + 0.2 * torch.randn(p.shape, generator=g))
    x = torch.randn(*INPUT, generator=g)
    m.eval()
    with torch.no_grad():
        out_eval = list(m(x))
    m.train()
    m.zero_grad()
    out_train = list(m(x))
    sum(o.pow(2).sum() for o in out_train).backward()
    names = dict(m.named_parameters())  # de-duplicated: the first name of each tensor
    state = {k: v.detach().clone() for k, v in names.items()}
    io = {'input': x}
    for tag, outs in (('out_eval', out_eval), ('out_train', out_train)):
        io.update({f'{tag}.{k}': t.detach() for k, t in enumerate(outs)})
    for k, p in names.items():
        io['grad.' + k] = p.grad if p.grad is not None else torch.zeros_like(p)
    meta = {'model': 'PlainConvUNet', 'options': json.dumps(OPTIONS), 'params': str(sum(p.numel() for p in m.parameters())),
            'outputs': str(len(out_eval)), 'loss': 'sum(out**2)', 'torch': torch.__version__}
    os.makedirs(a.out, exist_ok=True)
    save_safetensors(os.path.join(a.out, 'nnunet3d_tiny.safetensors'), state, {'format': 'pytorch-state-dict'})
    save_safetensors(os.path.join(a.out, 'nnunet3d_tiny.io.safetensors'), io, meta)
    print('nnunet3d_tiny params', meta['params'], 'outputs', [tuple(t.shape) for t in out_eval])


if __name__ == '__main__':
    main()
