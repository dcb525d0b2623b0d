"""Detector top-1 on every real set, whole frame at native (true-geometry) scale, plus the dfl-soccer scale check.

Run it with `python -m scripts.eval_sets` (from models/train).

Per frame with a labelled ball: the model runs on the whole frame (true geometry, letterboxed to multiples of 32);
top-1 = the highest peak; a hit when it lies within max(10 px, ball box size) of the ball (true px), whatever its
score. Also per set: recall and precision at the search threshold (a hit needs p >= thr; a detection is any top-1
>= thr, on frames with or without a ball), by ball size. The scale check resizes dfl-soccer's 1080p frames by each
factor (balls about 2-76 px) and reports top-1 at native scale of the resized frame.
"""
import numpy as np
import cv2

from . import contract, sets
from .infer import letterbox32, top1

SIZE_BUCKETS = ((0, 8), (8, 16), (16, 32), (32, 64), (64, 1e9))


def frame_result(run, img, cx, cy, present, tol, k=1.0):
    """Top-1 on img (true frame resized by k); returns dict(p, err in true px or None)."""
    o = run(letterbox32(img))
    p, x, y, _ = top1(o)
    err = float(np.hypot(x / k - cx, y / k - cy)) if present else None
    return dict(p=p, err=err, hit=bool(present and err <= tol))


def bucket(size):
    for lo, hi in SIZE_BUCKETS:
        if lo <= size < hi:
            return f'{lo}-{hi if hi < 1e9 else "inf"}px'
    return 'other'


def summarize(recs, thr=None):
    thr = contract.get().search_threshold if thr is None else thr
    pos = [r for r in recs if r['present']]
    neg = [r for r in recs if not r['present']]
    det = [r for r in recs if r['p'] >= thr]
    hits_thr = [r for r in pos if r['hit'] and r['p'] >= thr]
    S = dict(frames=len(recs), with_ball=len(pos), top1=float(np.mean([r['hit'] for r in pos])) if pos else None,
             recall=len(hits_thr) / max(len(pos), 1), precision=len(hits_thr) / max(len(det), 1), thr=thr,
             fp_ballfree=float(np.mean([r['p'] >= thr for r in neg])) if neg else None, n_ballfree=len(neg))
    by = {}
    for r in pos:
        b = by.setdefault(bucket(r['size']), [])
        b.append(r['hit'])
    S['top1_by_size'] = {k: dict(n=len(v), top1=float(np.mean(v))) for k, v in sorted(by.items(), key=lambda kv: float(kv[0].split('-')[0]))}
    return S


def evaluate_set(run, frames, thr=None):
    recs = []
    for fr in frames:
        img = sets.true_frame(fr)
        tol = max(sets.MIN_TOL_PX, fr['bw'], fr['bh'])
        r = frame_result(run, img, fr['cx'], fr['cy'], fr['present'], tol)
        r.update(file=fr['file'], present=fr['present'], size=max(fr['bw'], fr['bh']))
        recs.append(r)
    return summarize(recs, thr), recs


# The engine's search ladder on a still (desktop preset, core/src/schedule/; values from
# models/contract.json): a whole-frame pass 512 px wide; tiles at tile_scale 1.5 for frames whose shorter
# side is 720-1080 px, proportionally finer below (down to 0.5) and coarser above; and the still's fine
# pass, which sees the frame as a 1080 px one natively (upscaling at most 3x), where it is at least 1.2x finer than
# the tiles (min_fine_gain).
def ladder_scales(w, h):
    """Model px per frame px of the engine's search passes on a w x h still."""
    C = contract.get()
    side = min(w, h)
    tile = max(C.tile_scale * min(1.0, side / C.tile_reference_side) * max(1.0, side / C.tile_coarsen_side),
               C.min_tile_scale)
    fine = max(1.0 / C.max_fine_upscale, side / C.tile_coarsen_side)
    return sorted({C.full_input[0] / w, 1.0 / tile} | ({1.0 / fine} if fine * C.min_fine_gain <= tile else set()))


def ladder_result(run, img, cx, cy, tol, k):
    """Top-1 over the ladder's passes of img (the true frame resized by k): the most confident peak."""
    h, w = img.shape[:2]
    best = None
    for s in ladder_scales(w, h):
        im = img if s == 1.0 else cv2.resize(img, (max(round(w * s), 32), max(round(h * s), 32)),
                                             interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)
        p, x, y, _ = top1(run(letterbox32(im)))
        if best is None or p > best[0]:
            best = (p, x / (k * s), y / (k * s))
    p, x, y = best
    err = float(np.hypot(x - cx, y - cy))
    return dict(p=p, err=err, hit=bool(err <= tol))


def scale_check(run, frames, scales, thr=None):
    """dfl-soccer frames resized by each factor: top-1 at native scale, and over the engine's search ladder."""
    out = {}
    for k in scales:
        recs, lad = [], []
        for fr in frames:
            if not fr['present']:
                continue
            img = sets.true_frame(fr)
            im = cv2.resize(img, (round(fr['W'] * k), round(fr['H'] * k)), interpolation=cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR)
            tol = max(sets.MIN_TOL_PX, fr['bw'], fr['bh'])  # in true px: the error is mapped back by 1/k
            r = frame_result(run, im, fr['cx'], fr['cy'], True, tol, k)
            r.update(present=True, size=max(fr['bw'], fr['bh']) * k)
            recs.append(r)
            q = ladder_result(run, im, fr['cx'], fr['cy'], tol, k)
            q.update(present=True, size=r['size'])
            lad.append(q)
        S, L = summarize(recs, thr), summarize(lad, thr)
        out[str(k)] = dict(top1=S['top1'], recall=S['recall'], ladder_top1=L['top1'], ladder_recall=L['recall'],
                           ball_px=[round(min(r['size'] for r in recs), 1), round(float(np.median([r['size'] for r in recs])), 1),
                                    round(max(r['size'] for r in recs), 1)])
    rows = [v for v in out.values() if isinstance(v, dict)]
    for key in ('top1', 'ladder_top1'):
        best = max(v[key] for v in rows)
        out[f'{key}_within_0.05_of_best'] = all(v[key] >= best - 0.05 for v in rows)
    return out


def evaluate_all(run, root, split='valid', names=None, thr=None, scales=None, cache=None):
    """Every set named (default: every set under the data folder `root`) on `split`."""
    res = {}
    for name in names or sets.available(root):
        frames = cache[name] if cache is not None and name in cache else sets.load_set(name, split, root, pyramid=False)
        if cache is not None:
            cache[name] = frames
        res[name], _ = evaluate_set(run, frames, thr)
        if scales and name == 'dfl-soccer':
            res['dfl-soccer_scale_check'] = scale_check(run, frames, scales, thr)
    return res


# Acceptance bars of the product's detector (issue "Real footage first").
TARGETS = {'dfl-soccer': 0.92, 'soccer-scouting': 0.90, 'volleyball-club': 0.85, 'tennis-broadcast': 0.85, 'rugby-broadcast': 0.70}


def score(res):
    """Selection score: mean over sets of top-1 relative to its bar (capped at 1.05)."""
    v = [min(res[n]['top1'] / TARGETS[n], 1.05) for n in TARGETS if n in res and res[n]['top1'] is not None]
    return float(np.mean(v)) if v else 0.0
