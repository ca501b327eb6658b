"""nnU-Net v2's planner, replicated in Python around nnU-Net's own network_topology.py, to check `unet plan`.

Run: python3 scripts/nnunet_plan_crosscheck.py NNUNET_DIR (hippo | aniso | FINGERPRINT.json)
  NNUNET_DIR: a checkout of MIC-DKFZ/nnUNet (its nnunetv2/experiment_planning/experiment_planners/network_topology.py
  is imported as is; it needs only numpy). FINGERPRINT.json: `unet fingerprint --out`. Prints, per configuration, what
  nnU-Net v2 would plan: patch, batch (and the memory-only / 5%-cap batches), the feature-map estimate, strides,
  kernels, features — to compare with `unet plan --json`.

The rest follows nnunetv2 (checked at 0e495086): ExperimentPlanner.determine_fullres_target_spacing,
get_plans_for_configuration and plan_experiment (default_experiment_planner.py) without torch;
PlainConvUNet.compute_conv_feature_map_size (dynamic_network_architectures: PlainConvEncoder + UNetDecoder,
deep_supervision False, as the planner instantiates it) written out. 2-D fingerprints become 1×H×W with spacing 999
on the pseudo-axis, as nnU-Net's 2-D readers give them.
"""
import json
import os
import sys
from copy import deepcopy

import numpy as np

sys.path.insert(0, os.path.join(sys.argv[1], 'nnunetv2', 'experiment_planning', 'experiment_planners'))
from network_topology import get_pool_and_conv_props  # noqa: E402  (nnU-Net's own file)
def fmap(patch, strides, feats, classes, convs=2):
    out = 0; size = list(patch); skips = []
    for s, st in enumerate(strides):
        size = [i // j for i, j in zip(size, st)]
        out += convs * int(np.prod([feats[s], *size]))   # StackedConvBlocks: first conv at strided size, rest same
        skips.append(size)
    for s in range(len(strides) - 1):                     # decoder stage s: encoder stage n-2-s (convs + transposed conv)
        sk = skips[-(s + 2)]; f = feats[-(s + 2)]
        out += convs * int(np.prod([f, *sk])) + int(np.prod([f, *sk]))
        if s == len(strides) - 2: out += int(np.prod([classes, *sk]))
    return out

def cfg(spacing, median_shape, approx, classes, gb=8):
    spacing = np.array(spacing, float)
    tmp = 1 / spacing
    d = len(spacing)
    init = [round(i) for i in tmp * ((256 ** 3 if d == 3 else 2048 ** 2) / np.prod(tmp)) ** (1 / d)]
    init = np.array([min(i, j) for i, j in zip(init, median_shape[:d])])
    maxf = 512 if d == 2 else 320
    feats = lambda n: [min(maxf, 32 * 2 ** i) for i in range(n)]
    _, pool, conv, patch, div = get_pool_and_conv_props(spacing, init, 4, 999999)
    est = fmap(patch, pool, feats(len(pool)), classes)
    ref = (85e6 if d == 2 else 560e6) * gb / 8; rbs = 12 if d == 2 else 2
    while est / rbs * 2 > ref:
        ax = np.argsort([i / j for i, j in zip(patch, median_shape[:d])])[-1]
        patch = list(patch); t = deepcopy(patch); t[ax] -= div[ax]
        _, _, _, _, div = get_pool_and_conv_props(spacing, t, 4, 999999)
        patch[ax] -= div[ax]
        _, pool, conv, patch, div = get_pool_and_conv_props(spacing, patch, 4, 999999)
        est = fmap(patch, pool, feats(len(pool)), classes)
    bs = round(ref / est * rbs); bs5 = round(approx * 0.05 / np.prod(patch, dtype=np.float64))
    return dict(patch=[int(x) for x in patch], batch=max(min(bs, bs5), 2), bs_mem=bs, bs_5pct=bs5, est=int(est),
                strides=[list(p) for p in pool], kernels=[list(k) for k in conv], features=feats(len(pool)))

def target_spacing(sp, sh):
    sp = np.vstack(sp); target = np.percentile(sp, 50, 0); ts = np.percentile(np.vstack(sh), 50, 0)
    w = np.argmax(target); o = [i for i in range(len(target)) if i != w]
    if target[w] > 3 * max(target[o]) and ts[w] * 3 < min(ts[o]):
        t = np.percentile(sp[:, w], 10)
        if t < max(target[o]): t = max(max(target[o]), t) + 1e-5
        target[w] = t
    return target

def plan(sp, sh, classes, n):
    target = target_spacing(sp, sh)
    tf = [int(np.argmax(target))] + [i for i in range(3) if i != int(np.argmax(target))]
    new = [np.array([int(round(i / j * k)) for i, j, k in zip(p, target, s)]) for p, s in zip(sp, sh)]  # compute_new_shape
    med = np.median(new, 0)[tf]; tt = target[tf]
    approx = float(np.prod(med) * n)
    out = {'transpose': tf, 'target': tt.tolist(), 'median': med.tolist()}
    if med[0] != 1:
        full = cfg(tt, med, approx, classes); out['3d_fullres'] = full
        mv = np.prod(med); inp = np.prod(full['patch']); low = None; ls = tt.copy()
        while inp / mv < 0.25:
            mx = max(ls)
            if np.any(mx / ls > 2): ls[(mx / ls) > 2] *= 1.03
            else: ls *= 1.03
            mv = np.prod(tt / ls * med)
            low = cfg(ls, tuple(round(i) for i in tt / ls * med), float(mv * n), classes); low['spacing'] = ls.tolist()
            inp = np.prod(low['patch'])
        if low is not None and np.prod(med) / mv < 2: low = None
        out['3d_lowres'] = low
    out['2d'] = cfg(tt[1:], med[1:], approx, classes)
    return out

def in_data_order(f):
    """nnU-Net's plan of a unet-ts fingerprint, its 3-D configurations transposed back to the data's axis order; the
    2d configuration only when nnU-Net slices along axis 0 (as unet-ts always does)."""
    sp, sh = f['spacings'], f['shapesAfterCrop']
    if f['spatialDims'] == 2:  # nnU-Net: 1 x H x W with spacing 999 on the pseudo-axis
        sp = [[999] + s for s in sp]; sh = [[1] + s for s in sh]
    r = plan(sp, sh, len(f['labels']), len(sp))
    tf = r['transpose']; inv = [tf.index(i) for i in range(3)]
    out = {}
    for k in ('3d_fullres', '3d_lowres'):
        v = r.get(k)
        if v is not None:
            out[k] = dict(patch=[v['patch'][i] for i in inv], batch=v['batch'], est=v['est'],
                          strides=[[s[i] for i in inv] for s in v['strides']], kernels=[[s[i] for i in inv] for s in v['kernels']])
    if tf[0] == 0:
        out['2d'] = {k: r['2d'][k] for k in ('patch', 'batch', 'est', 'strides', 'kernels')}
    return out


def random_fingerprints(count, seed):
    """Varied fingerprints (2-D and 3-D, anisotropic or not, 2…5 labels) in unet-ts's format."""
    import random
    rnd = random.Random(seed)
    fps = []
    for k in range(count):
        d = 3 if k % 4 else 2
        n = rnd.choice([3, 8, 20, 40])
        base = [rnd.choice([0.5, 0.7, 0.8, 1, 1, 1.5, 2, 3, 5, 7]) for _ in range(d)]
        shp = [rnd.choice([16, 30, 36, 50, 80, 128, 200, 256, 320, 512]) for _ in range(d)]
        fps.append(dict(spatialDims=d, cases=[f'c{i}' for i in range(n)],
                        spacings=[[round(b * rnd.choice([1, 1, 1, 0.9, 1.2]), 4) for b in base] for _ in range(n)],
                        shapesAfterCrop=[[max(4, int(s * rnd.uniform(0.7, 1.3))) for s in shp] for _ in range(n)],
                        labels=list(range(rnd.choice([2, 3, 5])))))
    return fps


if __name__ == '__main__':
    which = sys.argv[2]
    if which == 'hippo':
        print(json.dumps(plan([[1, 1, 1]] * 260, [[36, 50, 35]] * 260, 3, 260)))
    elif which == 'aniso':
        print(json.dumps(plan([[5, .8, .8]] * 40, [[80, 512, 512]] * 40, 3, 40)))
    elif which == 'fixture':  # fixtures/nnunet-plans.json: random fingerprints and nnU-Net's plans of them
        fps = random_fingerprints(int(sys.argv[3]) if len(sys.argv) > 3 else 120, 13)
        print(json.dumps({'source': 'scripts/nnunet_plan_crosscheck.py fixture (nnunetv2 network_topology.py @ 0e495086)',
                          'cases': [dict(fingerprint=f, nnunet=in_data_order(f)) for f in fps]}, separators=(',', ':')))
    else:
        print(json.dumps(in_data_order(json.load(open(which)))))
