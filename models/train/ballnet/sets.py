"""Every real labelled set in the shared data folder, at its true geometry, and patch sampling over ball sizes.

Sets (see the data folder's README; two are stored stretched and are mapped back to their true geometry):

| set | stored | true geometry | ball box (true px) |
|---|---|---|---|
| dfl-soccer | 640x640 | 1920x1080 | 6-38 |
| soccer-scouting | 1920x1080 | 1920x1080 | 11-54 |
| volleyball-club | 1200x700 | 1244x700 (16:9) | 20-40 |
| tennis-broadcast | 1280x720 | 1280x720 | 5-32 |
| rugby-broadcast | 416x416 | 740x416 | 5-110 |

A frame record holds the stored image, a pyramid of area-downscaled copies (so that a patch cut at a small scale is
not aliased) and the ball in true-geometry pixels. `SetSource` cuts P x P patches with the affine warp of `data.py`
at scales that cover what the engine and its users' cameras show: the native scale (the engine's region of interest
and native tiles), whole-frame passes, and any ball radius from 1.5 to 40 model pixels; a share of patches is cut
from a lower-resolution copy and upscaled back (an upscaled or digitally zoomed stream: soft, large balls).

Every function takes the data folder (`root`, one sub-folder per set) from its caller: the scripts' `--data` or
`$BALLCAM_DATA` (`paths.py`).
"""
import csv, os
import numpy as np
import cv2

from . import data

# name -> true (width, height) of the stored frames
GEOMETRY = {
    'dfl-soccer': (1920, 1080),
    'soccer-scouting': (1920, 1080),
    'volleyball-club': (1244, 700),
    'tennis-broadcast': (1280, 720),
    'rugby-broadcast': (740, 416),
}
SETS = tuple(GEOMETRY)
PYRAMID_LEVELS = 3          # stored, 1/2, 1/4 (area-resized)
MIN_TOL_PX = 10.0           # a hit: centre error <= max(MIN_TOL_PX, ball box size), true px


def available(root):
    """The sets present under the data folder root."""
    return [s for s in SETS if os.path.exists(os.path.join(root, s, 'labels.csv'))]


def load_set(name, split, root, pyramid=True):
    """Frames of one set and split: list of dicts with img (stored RGB), levels [(img, fx, fy)] where a level
    pixel covers fx x fy true pixels, W, H (true), present, cx, cy, bw, bh, r (true px)."""
    W, H = GEOMETRY[name]
    out = []
    with open(os.path.join(root, name, 'labels.csv')) as f:
        for row in csv.DictReader(f):
            if not row['file'].startswith(split + '/'):
                continue
            img = cv2.imread(os.path.join(root, name, row['file']), cv2.IMREAD_COLOR)
            if img is None:
                raise FileNotFoundError(os.path.join(root, name, row['file']))
            img = img[..., ::-1].copy()
            sh, sw = img.shape[:2]
            sx, sy = W / sw, H / sh
            vis = row['visible'] == '1' and row['x'] != ''
            x, y = float(row['x'] or 0), float(row['y'] or 0)
            w = float(row['w'] or 10) if vis else 10.0
            h = float(row['h'] or w) if vis else 10.0
            bw, bh = w * sx, h * sy
            levels = [(img, sx, sy)]
            if pyramid:
                for k in range(1, PYRAMID_LEVELS):
                    lw, lh = max(sw >> k, 1), max(sh >> k, 1)
                    levels.append((cv2.resize(img, (lw, lh), interpolation=cv2.INTER_AREA), W / lw, H / lh))
            out.append(dict(set=name, file=row['file'], clip=row['clip'], frame_index=int(row['frame_index'] or 0),
                            img=img, levels=levels, W=W, H=H, present=vis, cx=x * sx, cy=y * sy, bw=bw, bh=bh,
                            r=(bw + bh) / 4))
    return out


def true_frame(fr):
    """The stored image resized to its true geometry."""
    img = fr['img']
    if img.shape[1] == fr['W'] and img.shape[0] == fr['H']:
        return img
    return cv2.resize(img, (fr['W'], fr['H']), interpolation=cv2.INTER_LINEAR)


def pick_level(fr, s):
    """The coarsest pyramid level that still has at least the resolution a patch at scale s needs."""
    best = fr['levels'][0]
    for lvl in fr['levels'][1:]:
        _, fx, fy = lvl
        if 1.0 / max(fx, fy) >= s * 0.95:
            best = lvl
    return best


def cut(fr, pcx, pcy, s, P, soft=1.0):
    """P x P patch centred on true point (pcx, pcy) at scale s (model px per true px). soft > 1 cuts the patch
    at s / soft and upscales it back (an upscaled stream)."""
    if soft > 1.0:
        q = max(int(round(P / soft)), 8)
        src, fx, fy = pick_level(fr, s * q / P)
        small = data.warp_patch(src, fx, fy, pcx, pcy, s * q / P, q)
        interp = cv2.INTER_LINEAR if soft < 2.5 else cv2.INTER_CUBIC
        return cv2.resize(small, (P, P), interpolation=interp)
    src, fx, fy = pick_level(fr, s)
    return data.warp_patch(src, fx, fy, pcx, pcy, s, P)


# Scale modes, with their share of samples:
#   native   the ball as the engine's region of interest and native tiles see it (s around 1)
#   size     any ball radius from 1.5 to 40 model px (a 4 px ball on a far pitch to an 80 px one near the lens)
#   whole    the whole-frame passes: 512 px wide (desktop), 384 (phone), half resolution
SCALE_MODES = (('native', 0.40), ('size', 0.40), ('whole', 0.20))
SIZE_RADIUS = (1.5, 40.0)
SOFT_SHARE = 0.15            # share of patches cut from an upscaled copy
SOFT_FACTOR = (1.5, 3.5)


def sample_scale(rng, fr, P):
    k = rng.random()
    if k < SCALE_MODES[0][1]:
        return float(np.exp(rng.uniform(np.log(0.75), np.log(1.35))))
    if k < SCALE_MODES[0][1] + SCALE_MODES[1][1]:
        target = float(np.exp(rng.uniform(np.log(SIZE_RADIUS[0]), np.log(SIZE_RADIUS[1]))))
        return float(np.clip(target / max(fr['r'], 1.0), 0.12, 4.0))
    w = rng.choice([512.0, 384.0, fr['W'] / 2])
    return float(w / fr['W'] * rng.uniform(0.9, 1.12))


class SetSource(data.Source):
    """Patches from the frames of one or more real sets (all at their true geometry)."""

    def __init__(self, frames):
        self.f = frames
        self.pos = [i for i, fr in enumerate(frames) if fr['present']]

    def sample(self, rng, P, kind):
        if kind in ('pos', 'occ', 'inpaint') and self.pos:
            fr = self.f[self.pos[rng.integers(len(self.pos))]]
        else:
            fr = self.f[rng.integers(len(self.f))]
        W, H = fr['W'], fr['H']
        s = sample_scale(rng, fr, P)
        soft = float(rng.uniform(*SOFT_FACTOR)) if rng.random() < SOFT_SHARE else 1.0
        cx, cy, r = fr['cx'], fr['cy'], fr['r']
        if fr['present'] and kind in ('pos', 'occ', 'inpaint'):
            if rng.random() < 0.5:   # the ball near the centre, as in a region of interest
                d = min(64 * s, P / 2 - 4)
                u, v = P / 2 + rng.uniform(-d, d), P / 2 + rng.uniform(-d, d)
            else:
                u, v = rng.uniform(3, P - 3), rng.uniform(3, P - 3)
            pcx, pcy = cx - (u - P / 2) / s, cy - (v - P / 2) / s
        else:
            hw = P / 2 / s
            pcx = rng.uniform(min(hw, W / 2) - 40, max(W - hw, W / 2) + 40)
            pcy = rng.uniform(min(hw, H / 2) - 40, max(H - hw, H / 2) + 40)
        img = cut(fr, pcx, pcy, s, P, soft)
        u, v = (cx - pcx) * s + P / 2, (cy - pcy) * s + P / 2
        rr = max(r * s, 0.6)
        inside = 0 <= u < P and 0 <= v < P
        present = fr['present'] and inside
        if kind == 'inpaint' and present:
            img = data.inpaint_disc(img, u, v, fr['bw'] * s / 2 + 1.5, fr['bh'] * s / 2 + 1.5)
            present = False
        elif kind == 'occ' and present and rr >= 2.0:
            img = data.inpaint_disc(img, u, v, fr['bw'] * s / 2 + 1.0, fr['bh'] * s / 2 + 1.0, rng.uniform(0.2, 0.55), rng)
        return img, present, u, v, rr


class SetHardNegSource(data.Source):
    """Patches around mined false-positive peaks (scripts/mine_sets.py) on real training frames: records
    {set, i, x, y, s, p} in true pixels; the ball is labelled when the patch holds it."""

    def __init__(self, frames_by_set, recs, pmin=0.3):
        self.f = frames_by_set
        self.r = [r for r in recs if r['p'] >= pmin and r['set'] in frames_by_set and r['i'] < len(frames_by_set[r['set']])]

    def sample(self, rng, P, kind):
        rec = self.r[rng.integers(len(self.r))]
        fr = self.f[rec['set']][rec['i']]
        s = rec['s'] * rng.uniform(0.85, 1.2)
        u, v = rng.uniform(8, P - 8), rng.uniform(8, P - 8)
        pcx, pcy = rec['x'] - (u - P / 2) / s, rec['y'] - (v - P / 2) / s
        img = cut(fr, pcx, pcy, s, P)
        bu, bv = (fr['cx'] - pcx) * s + P / 2, (fr['cy'] - pcy) * s + P / 2
        inside = 0 <= bu < P and 0 <= bv < P
        return img, fr['present'] and inside, bu, bv, max(fr['r'] * s, 0.6)
