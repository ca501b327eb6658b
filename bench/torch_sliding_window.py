"""PyTorch side of `node bench/compare-predict.mjs`: the same sliding-window pass unet-ts's `unet predict` makes.

The chapter's U-Net from ../shared/reference/torch_unet.py (eval mode, no gradients), windows at 50% overlap placed
as MONAI/nnU-Net place them (first at 0, last flush with the edge, even steps), each window's softmax/sigmoid weighted
by a Gaussian importance map (sigma = 1/8 of the window per axis, normalised to max 1, floored at 1e-3 of it), summed
and divided by the summed weights; windows run `--sw-batch` at a time; a volume smaller than the window is zero-padded.
Prints one JSON line {"case", "ms_median", "ms_min", "windows"}.

  /usr/bin/python3 bench/torch_sliding_window.py --case isbi --image ../shared/data/.../7.png --reps 5
  /usr/bin/python3 bench/torch_sliding_window.py --case hippocampus --image ../shared/data/.../hippocampus_004.nii.gz
"""
import argparse, itertools, json, os, statistics, sys, time
import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared', 'reference'))
from torch_unet import UNet  # noqa: E402

CASES = {  # model, window
    'isbi': (dict(nc=1, ncls=1, interp=True, nd=2, base=64), (256, 256)),
    'hippocampus': (dict(nc=1, ncls=3, interp=True, nd=3, base=16), (48, 64, 48)),
}


def starts(n, w, overlap):
    if n <= w:
        return [0]
    step = max(1, int(w * (1 - overlap)))
    k = -(-(n - w) // step) + 1  # windows so that the step is at most `step`
    return [round(i * (n - w) / (k - 1)) for i in range(k)]


def gaussian(window):
    g = None
    for w in window:
        c = (w - 1) / 2; s = w / 8
        a = np.exp(-0.5 * ((np.arange(w) - c) / s) ** 2)
        g = a if g is None else np.multiply.outer(g, a)
    g = g / g.max()
    return torch.from_numpy(np.maximum(g, 1e-3).astype(np.float32))


def sliding_window(model, x, window, overlap, sw_batch, ncls):
    """x [C, *S] → probabilities [K, *S]."""
    spatial = x.shape[1:]
    pad = [max(0, w - n) for n, w in zip(spatial, window)]
    if any(pad):
        x = torch.nn.functional.pad(x, [v for p in reversed(pad) for v in (p // 2, p - p // 2)])
    S = x.shape[1:]
    imp = gaussian(window)
    acc = torch.zeros((ncls,) + tuple(S)); wsum = torch.zeros(tuple(S))
    corners = list(itertools.product(*[starts(n, w, overlap) for n, w in zip(S, window)]))
    for i in range(0, len(corners), sw_batch):
        group = corners[i:i + sw_batch]
        sl = [tuple(slice(c, c + w) for c, w in zip(cs, window)) for cs in group]
        batch = torch.stack([x[(slice(None),) + s] for s in sl])
        out = model(batch)
        p = torch.sigmoid(out) if ncls == 1 else torch.softmax(out, 1)
        for s, pi in zip(sl, p):
            acc[(slice(None),) + s] += pi * imp
            wsum[s] += imp
    prob = acc / wsum
    crop = tuple(slice(p // 2, p // 2 + n) for p, n in zip(pad, spatial))
    return prob[(slice(None),) + crop], len(corners)


def load(case, path):
    if case == 'isbi':
        from PIL import Image
        a = np.asarray(Image.open(path).convert('L'), dtype=np.float32)
    else:
        import nibabel as nib
        a = np.asarray(nib.load(path).get_fdata(dtype=np.float32))
    a = (a - a.mean()) / (a.std() + 1e-8)
    return torch.from_numpy(a[None].copy())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--case', choices=list(CASES), required=True)
    ap.add_argument('--image', required=True)
    ap.add_argument('--reps', type=int, default=5)
    ap.add_argument('--overlap', type=float, default=0.5)
    ap.add_argument('--sw-batch', type=int, default=1)
    ap.add_argument('--threads', type=int, default=os.cpu_count())
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    cfg, window = CASES[a.case]
    model = UNet(**cfg).eval()
    x = load(a.case, a.image)
    times = []
    with torch.no_grad():
        sliding_window(model, x, window, a.overlap, a.sw_batch, cfg['ncls'])  # warm-up
        for _ in range(a.reps):
            t0 = time.perf_counter()
            prob, n = sliding_window(model, x, window, a.overlap, a.sw_batch, cfg['ncls'])
            prob.argmax(0) if cfg['ncls'] > 1 else (prob[0] > 0.5)
            times.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({'case': a.case, 'shape': list(x.shape[1:]), 'windows': n, 'ms_median': round(statistics.median(times), 1),
                      'ms_min': round(min(times), 1), 'torch': torch.__version__, 'threads': torch.get_num_threads()}))


if __name__ == '__main__':
    main()
