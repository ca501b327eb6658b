"""PyTorch checkpoint (`torch.save`) fixtures for `unet import --from model.pth` (src/io/pth.ts, src/app/import.ts).

Run once, with Debian's PyTorch (python3-torch 1.13):
  /usr/bin/python3 scripts/make_pth_fixtures.py --dna DIR [--out fixtures/pth]
DIR holds the package `dynamic_network_architectures` (nnU-Net's PlainConvUNet; see scripts/nnunet_reference.py).

Every network is a SMALL configuration of a reference module: the chapter's UNet / UNet3D (../shared/reference/
torch_unet.py), the paper's Ronneberger 2015 with its own names (enc/up/dec/out, scripts/make_fixtures.py scales its
widths), the family of ../shared/reference/variants.py (MONAI's AttentionUnet and BasicUNetPlusPlus in 2-D and 3-D, UNETR) and
nnU-Net's PlainConvUNet. (TransUNet is left out: its ResNet trunk is 2.6 MB at the smallest width its GroupNorm(32) allows; its
names load through the same path, tested by fixtures/variants/transunet.safetensors.) For each NAME:
  NAME.pth             torch.save(model.state_dict())   (nnunet3d: the dict nnU-Net's trainer saves, below)
  NAME.io.safetensors  input (N, C, spatial...) and out_eval (out_eval.K for lists) from PyTorch in eval mode;
                       metadata: preset + options (unet-ts's names) of the matching unet-ts network, the module, torch
Norm affine parameters and running statistics are randomised (seeded), so eval mode is not the identity.

Checkpoint forms and tensor layouts, on the small unet2d_b2 network (outputs: unet2d_b2.io.safetensors):
  unet2d_b2.model.pth          {'model': sd, 'epoch': 7, 'optimizer': Adam state_dict (tensors too)}
  unet2d_b2.state_dict.pth     {'state_dict': sd, 'arch': 'UNet', 'best_dice': 0.91}
  unet2d_b2.dataparallel.pth   nn.DataParallel(model).state_dict(): every key 'module.'-prefixed
  unet2d_b2.lightning.pth      PyTorch Lightning's layout: {'state_dict': every key under 'model.', 'epoch', ...}
  unet2d_b2.channels_last.pth  model.to(memory_format=torch.channels_last).state_dict(): conv weights are strided
                               (non-contiguous) views of their storages
  unet2d_b2.half.pth           model.half().state_dict() (float16); its output (the float16-rounded weights run in
                               float32) is unet2d_b2.half.io.safetensors
  tensors.pth                  a dict of tensors of every dtype and layout the reader handles (float16/bfloat16/float64
                               /int64/int32/uint8/bool, transposed, sliced with a storage offset, two views sharing one
                               storage, a 0-d scalar, an empty tensor); tensors.io.safetensors holds each as float32
                               (or int32) contiguous values, computed by PyTorch
  legacy.pth                   torch.save(..., _use_new_zipfile_serialization=False): the pre-1.6 format (refused)
  malicious.pth                {'model': sd, 'payload': Evil()} whose __reduce__ is (os.system, ('echo pwned',)):
                               the pickle names the global posix.system (refused; nothing runs)
  whole_module.pth             torch.save(model): the module object itself, its class a global (refused)
  expanded_bomb.pth            {'w': torch.zeros(1).expand(2 ** 31)}: one float viewed as 2^31 (refused before allocating)
Every file but legacy.pth (whose storage keys are object ids) is byte-identical from run to run.
Seeds: torch.manual_seed(0) before building each network; norms, inputs from torch.Generator().manual_seed(1234).
"""
import argparse, json, os, struct, sys
from collections import OrderedDict
import numpy as np
import torch, torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, '..', 'shared', 'reference'))
sys.path.insert(0, HERE)
import torch_unet  # noqa: E402  the chapter's UNet / UNet3D
import variants  # noqa: E402  AttentionUnet, BasicUNetPlusPlus, UNETR, TransUNet (upstream names)
from make_fixtures import Ronneberger  # noqa: E402  papers_unet.Ronneberger with widths scaled by base/64

DTYPES = {torch.float32: 'F32', torch.int64: 'I64', torch.int32: 'I32', torch.uint8: 'U8'}


def save_safetensors(path, tensors, metadata):
    """safetensors as scripts/make_fixtures.py writes it (u64 LE header length, JSON padded to 8, raw data)"""
    header, blobs, off = {'__metadata__': metadata}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        b = t.numpy().tobytes()
        header[name] = {'dtype': DTYPES[t.dtype], 'shape': list(t.shape), 'data_offsets': [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b' ' * ((8 - (8 + len(h)) % 8) % 8)
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def save_pth(path, obj, **kw):
    tmp = path + '.tmp'
    torch.save(obj, tmp, **kw)
    os.replace(tmp, path)


def as_list(out):
    return list(out) if isinstance(out, (list, tuple)) else [out]


def write_io(out_dir, name, model, x, meta):
    model.eval()
    with torch.no_grad():
        outs = as_list(model(x))
    io = {'input': x}
    io.update({'out_eval': outs[0]} if len(outs) == 1 else {f'out_eval.{k}': o for k, o in enumerate(outs)})
    meta = dict(meta, torch=torch.__version__, params=str(sum(p.numel() for p in model.parameters())))
    save_safetensors(os.path.join(out_dir, name + '.io.safetensors'), io, {k: str(v) for k, v in meta.items()})
    return outs


def network(out_dir, name, model, shape, preset, options, module):
    """NAME.pth = torch.save(state_dict) + NAME.io.safetensors; returns the model (eval mode)"""
    g = torch.Generator().manual_seed(1234)
    variants.randomise(model, g)
    x = torch.randn(*shape, generator=g)
    outs = write_io(out_dir, name, model, x, {'preset': preset, 'options': json.dumps(options), 'module': module})
    save_pth(os.path.join(out_dir, name + '.pth'), model.state_dict())
    print(name, 'params', sum(p.numel() for p in model.parameters()), 'in', tuple(x.shape), 'out', [tuple(o.shape) for o in outs])
    return model


def nnunet_checkpoint(out_dir, dna):
    """nnunet3d: nnU-Net v2's PlainConvUNet (the configuration of scripts/nnunet_reference.py), saved the way
    nnUNetTrainer.save_checkpoint saves it: network_weights (the full state_dict, each conv and norm listed twice and
    the encoder again under decoder.encoder), optimizer_state (SGD with momentum buffers, after one step), logging with
    numpy float64 values, init_args with plans and a torch.device, trainer name, mirroring axes."""
    sys.path.insert(0, dna)
    from dynamic_network_architectures.architectures.unet import PlainConvUNet
    o = {'spatial_dims': 3, 'in_channels': 1, 'classes': 2, 'features': [4, 8, 16],
         'kernels': [[1, 3, 3], [3, 3, 3], [3, 3, 3]], 'strides': [[1, 1, 1], [1, 2, 2], [2, 2, 2]], 'convs_per_stage': 2}
    torch.manual_seed(0)
    m = PlainConvUNet(o['in_channels'], len(o['features']), o['features'], nn.Conv3d, o['kernels'], o['strides'],
                      o['convs_per_stage'], o['classes'], o['convs_per_stage'], conv_bias=True, norm_op=nn.InstanceNorm3d,
                      norm_op_kwargs={'eps': 1e-5, 'affine': True}, nonlin=nn.LeakyReLU,
                      nonlin_kwargs={'negative_slope': 1e-2, 'inplace': True}, deep_supervision=True)
    g = torch.Generator().manual_seed(1234)
    with torch.no_grad():
        for k, p in m.named_parameters():
            if '.norm.' in k:
                p.copy_((1.0 if k.endswith('weight') else 0.0) + 0.2 * torch.randn(p.shape, generator=g))
    x = torch.randn(2, 1, 6, 12, 16, generator=g)
    # one SGD step on a throw-away copy gives the optimizer state real momentum buffers; the weights saved are m's
    opt = torch.optim.SGD(m.parameters(), lr=1e-2, momentum=0.99, nesterov=True, weight_decay=3e-5)
    before = {k: v.clone() for k, v in m.state_dict().items()}
    m.train()
    sum(t.pow(2).mean() for t in m(x)).backward()
    opt.step()
    with torch.no_grad():
        for k, v in m.state_dict().items():
            v.copy_(before[k])
    options = {'spatialDims': 3, 'inChannels': 1, 'classes': 2, 'features': o['features'], 'kernels': o['kernels'],
               'strides': o['strides'], 'convsPerStage': 2, 'deepSupervision': True}
    outs = write_io(out_dir, 'nnunet3d', m, x, {'preset': 'nnunet3d', 'options': json.dumps(options), 'module': 'PlainConvUNet'})
    plans = {'dataset_name': 'Dataset999_Tiny', 'configurations': {'3d_fullres': {
        'patch_size': [6, 12, 16], 'n_conv_per_stage_encoder': [2, 2, 2], 'features_per_stage': o['features'],
        'kernel_sizes': o['kernels'], 'strides': o['strides']}}}
    checkpoint = {
        'network_weights': m.state_dict(),
        'optimizer_state': opt.state_dict(),
        'grad_scaler_state': None,
        'logging': {'mean_fg_dice': [np.float64(0.25), np.float64(0.5)], 'ema_fg_dice': [0.25, 0.275],
                    'dice_per_class_or_region': [[np.float64(0.25)], [np.float64(0.5)]], 'train_losses': [np.float64(-0.1), -0.2],
                    'lrs': [0.01, 0.0099], 'epoch_start_timestamps': [1.7e9, 1.7e9 + 60.5]},
        '_best_ema': np.float64(0.275),
        'current_epoch': 2,
        'init_args': {'plans': plans, 'configuration': '3d_fullres', 'fold': 0, 'dataset_json': {'labels': {'background': 0, 'x': 1}},
                      'unpack_dataset': True, 'device': torch.device('cpu')},
        'trainer_name': 'nnUNetTrainer',
        'inference_allowed_mirroring_axes': (0, 1, 2),
    }
    save_pth(os.path.join(out_dir, 'nnunet3d.pth'), checkpoint)
    print('nnunet3d params', sum(p.numel() for p in m.parameters()), 'outputs', [tuple(t.shape) for t in outs],
          'state_dict entries', len(m.state_dict()))


class Evil:
    """What a malicious checkpoint holds: unpickling it calls os.system('echo pwned') in torch.load(weights_only=False)."""
    def __reduce__(self):
        return (os.system, ('echo pwned',))


def tensors_fixture(out_dir):
    g = torch.Generator().manual_seed(1234)
    base = torch.randn(6, 8, generator=g)
    big = torch.randn(5, 7, 3, generator=g)
    shared = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    t = {
        'f32': base.clone(),
        'f16': base.half(),
        'bf16': base.bfloat16(),
        'f64': base.double() * 1e-3,
        'i64': torch.tensor([[3, -2, 7], [2 ** 31 - 1, -2 ** 31, 0]], dtype=torch.int64),
        'i32': torch.tensor([5, -6, 70000], dtype=torch.int32),
        'u8': torch.tensor([0, 1, 200, 255], dtype=torch.uint8),
        'bool': torch.tensor([True, False, True]),
        'transposed': base.t(),                                  # strides (1, 8)
        'sliced': big[1:4, ::2, 1:],                             # storage offset 22, strides (21, 6, 1)
        'permuted': big.permute(2, 0, 1),                        # 3-D, no axis contiguous
        'view_a': shared[1:3],                                   # two views of one storage
        'view_b': shared[:, 2],
        'expanded': torch.tensor([1.5, -2.5]).reshape(2, 1).expand(2, 3),  # stride 0
        'scalar': torch.tensor(3.25),
        'empty': torch.zeros(0, 4),
        'nested': {'inner': [base[0].clone(), (torch.ones(2),)]},
    }
    save_pth(os.path.join(out_dir, 'tensors.pth'), t)
    expect = {}
    for k, v in t.items():
        if k == 'nested':
            continue
        if v.dtype in (torch.int64, torch.int32):
            expect[k] = v.to(torch.int32).contiguous()
        elif v.dtype in (torch.uint8, torch.bool):
            expect[k] = v.to(torch.uint8).contiguous()
        else:
            expect[k] = v.float().contiguous()
    meta = {k: json.dumps({'dtype': str(v.dtype), 'shape': list(v.shape), 'stride': list(v.stride()),
                           'offset': v.storage_offset()}) for k, v in t.items() if k != 'nested'}
    meta['torch'] = torch.__version__
    save_safetensors(os.path.join(out_dir, 'tensors.io.safetensors'), expect, meta)
    print('tensors', len(t))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--dna', required=True, help='folder holding the package dynamic_network_architectures')
    ap.add_argument('--out', default=os.path.join(REPO, 'fixtures', 'pth'))
    a = ap.parse_args()
    torch.set_num_threads(1)
    os.makedirs(a.out, exist_ok=True)
    out = a.out

    # The chapter's U-Net, 2-D and 3-D (BatchNorm, bilinear / trilinear up-sampling): seed2d / seed3d.
    torch.manual_seed(0)
    network(out, 'unet2d_b4', torch_unet.UNet(1, 2, True, 2, 4), (2, 1, 32, 48), 'seed2d', {'base': 4, 'classes': 2}, 'torch_unet.UNet(1, 2, True, 2, 4)')
    torch.manual_seed(0)
    network(out, 'unet3d_b2', torch_unet.UNet(1, 3, True, 3, 2), (1, 1, 16, 16, 32), 'seed3d', {'base': 2}, 'torch_unet.UNet(1, 3, True, 3, 2)')
    # Ronneberger 2015 with the paper module's names (enc.*, up.*, dec.*, out.*), valid convolutions
    torch.manual_seed(0)
    network(out, 'ronneberger2015_b2', Ronneberger(1, 2, 2), (1, 1, 188, 188), 'ronneberger2015', {'base': 2}, 'Ronneberger(1, 2, base=2)')
    # The family (variants.py: upstream names)
    torch.manual_seed(0)
    network(out, 'attention_unet2d', variants.AttentionUnet(2, 1, 2, (4, 8, 16, 32), (2, 2, 2)), (2, 1, 16, 24), 'attention-unet2d',
            {'channels': [4, 8, 16, 32], 'strides': [2, 2, 2]}, 'AttentionUnet(2, 1, 2, (4, 8, 16, 32), (2, 2, 2))')
    torch.manual_seed(0)
    network(out, 'unetpp2d', variants.BasicUNetPlusPlus(2, 1, 2, (4, 4, 8, 8, 16, 4)), (1, 1, 32, 32), 'unetpp2d',
            {'features': [4, 4, 8, 8, 16, 4]}, 'BasicUNetPlusPlus(2, 1, 2, (4, 4, 8, 8, 16, 4))')
    torch.manual_seed(0)
    network(out, 'attention_unet3d', variants.AttentionUnet(3, 1, 2, (4, 8, 16), (2, 2)), (1, 1, 8, 8, 12), 'attention-unet3d',
            {'channels': [4, 8, 16], 'strides': [2, 2]}, 'AttentionUnet(3, 1, 2, (4, 8, 16), (2, 2))')
    torch.manual_seed(0)
    network(out, 'unetpp3d', variants.BasicUNetPlusPlus(3, 1, 2, (4, 4, 8, 8, 16, 4)), (1, 1, 16, 16, 32), 'unetpp3d',
            {'features': [4, 4, 8, 8, 16, 4]}, 'BasicUNetPlusPlus(3, 1, 2, (4, 4, 8, 8, 16, 4))')
    torch.manual_seed(0)
    network(out, 'unetr2d', variants.UNETR(1, 3, (32, 48), feature_size=4, hidden_size=24, mlp_dim=48, num_heads=2, spatial_dims=2),
            (1, 1, 32, 48), 'unetr-small2d', {'classes': 3, 'imgSize': [32, 48], 'featureSize': 4, 'hiddenSize': 24, 'mlpDim': 48, 'numHeads': 2},
            'UNETR(1, 3, (32, 48), feature_size=4, hidden_size=24, mlp_dim=48, num_heads=2, spatial_dims=2)')
    nnunet_checkpoint(out, a.dna)

    # Checkpoint forms and layouts, on a small chapter U-Net.
    torch.manual_seed(0)
    m = network(out, 'unet2d_b2', torch_unet.UNet(1, 1, True, 2, 2), (1, 1, 32, 32), 'seed2d', {'base': 2}, 'torch_unet.UNet(1, 1, True, 2, 2)')
    sd = m.state_dict()
    adam = torch.optim.Adam(m.parameters(), lr=1e-3)
    before = {k: v.clone() for k, v in sd.items()}  # the train forward below moves the BatchNorm statistics: restored
    m.train()
    m(torch.randn(1, 1, 32, 32, generator=torch.Generator().manual_seed(5))).pow(2).mean().backward()
    adam.step()
    with torch.no_grad():
        for k, v in m.state_dict().items():
            v.copy_(before[k])
    m.eval()
    save_pth(os.path.join(out, 'unet2d_b2.model.pth'), {'model': m.state_dict(), 'epoch': 7, 'optimizer': adam.state_dict()})
    save_pth(os.path.join(out, 'unet2d_b2.state_dict.pth'), {'state_dict': m.state_dict(), 'arch': 'UNet', 'best_dice': 0.91})
    save_pth(os.path.join(out, 'unet2d_b2.dataparallel.pth'), nn.DataParallel(m).state_dict())
    # PyTorch Lightning's layout: the LightningModule's state dict, every name under its attribute ('model.')
    save_pth(os.path.join(out, 'unet2d_b2.lightning.pth'), {
        'epoch': 3, 'global_step': 120, 'pytorch-lightning_version': '2.1.0',
        'state_dict': OrderedDict(('model.' + k, v) for k, v in m.state_dict().items()),
        'hyper_parameters': {'lr': 1e-3, 'base': 2}})
    cl = torch_unet.UNet(1, 1, True, 2, 2)
    cl.load_state_dict(m.state_dict())
    cl = cl.to(memory_format=torch.channels_last)
    assert not cl.down1.down[1].conv[0].weight.is_contiguous()
    save_pth(os.path.join(out, 'unet2d_b2.channels_last.pth'), cl.state_dict())
    half = torch_unet.UNet(1, 1, True, 2, 2)
    half.load_state_dict(m.state_dict())
    save_pth(os.path.join(out, 'unet2d_b2.half.pth'), half.half().state_dict())
    rounded = half.float()  # the float16-rounded weights (and statistics), run in float32
    x = torch.randn(1, 1, 32, 32, generator=torch.Generator().manual_seed(1234))
    write_io(out, 'unet2d_b2.half', rounded, x, {'preset': 'seed2d', 'options': json.dumps({'base': 2}), 'module': 'torch_unet.UNet(1, 1, True, 2, 2).half()'})
    save_pth(os.path.join(out, 'legacy.pth'), m.state_dict(), _use_new_zipfile_serialization=False)
    save_pth(os.path.join(out, 'malicious.pth'), {'model': {'w': torch.ones(2)}, 'payload': Evil()})
    save_pth(os.path.join(out, 'whole_module.pth'), torch_unet.DoubleConv(1, 2))
    # a 4-byte storage viewed as 2^31 elements (stride 0): what expand() saves; decoding it would take 8 GiB
    save_pth(os.path.join(out, 'expanded_bomb.pth'), {'w': torch.zeros(1).expand(2 ** 31)})
    tensors_fixture(out)
    total = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out))
    print('total', total, 'bytes in', out)


if __name__ == '__main__':
    main()
