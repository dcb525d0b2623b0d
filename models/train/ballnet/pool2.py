"""Training patches from synth2 pool chunks (scripts/gen_pool2.py): frames with every ball labelled.

Like data.PoolSource, plus the other balls of a frame (warm-ups): every visible ball (vis >= synth2.VIS_PRESENT)
whose centre falls inside the patch becomes a heatmap peak (data.targets' `extras`).
"""
import glob

import numpy as np

from . import data
from .synth2 import VIS_PRESENT

SCALE_RANGE = (0.5, 2.0)   # patch scale s (patch px per frame px), log-uniform
P_AROUND_BALL = 0.85       # 'pos' / 'occ' / 'inpaint' patches placed around the primary ball
P_KEEP_INSIDE = 0.8        # patches kept inside the frame where possible (less black border)
AREA_BELOW = 0.7           # below this scale the frame is area-resized first (no aliasing)


class Pool2Source(data.Source):
    """Synthetic pool chunks (imgs, labels, extra); refreshes as chunks appear, keeps the newest max_frames."""

    def __init__(self, pattern, max_frames=8000):
        self.pattern, self.files, self.max = pattern, [], max_frames
        self.I = self.L = self.E = None
        self.start = {}   # chunk file -> index of its first frame in I (absent once truncated away)

    def refresh(self):
        """Load the chunks that appeared since the last call; returns the number of frames held."""
        new = [f for f in sorted(glob.glob(self.pattern)) if f not in self.files and not f.endswith('.tmp.npz')]
        if not new:
            return 0 if self.I is None else len(self.I)
        imgs, labs, extra = ([a] if a is not None else [] for a in (self.I, self.L, self.E))
        n = 0 if self.I is None else len(self.I)
        for fn in new:
            d = np.load(fn)
            imgs.append(d['imgs']); labs.append(d['labels']); extra.append(d['extra']); self.files.append(fn)
            self.start[fn] = n
            n += len(d['imgs'])
        self.I = np.concatenate(imgs)[-self.max:]
        self.L = np.concatenate(labs)[-self.max:]
        self.E = np.concatenate(extra)[-self.max:]
        cut = n - len(self.I)
        self.start = {fn: i - cut for fn, i in self.start.items() if i - cut >= 0}
        return len(self.I)

    def sample(self, rng, P, kind):
        """(img P x P uint8, present, u, v, r, extras): the primary ball in patch coordinates (present only when
        its centre is inside the patch) and [(u, v, r)] of the other visible balls whose centres are inside."""
        i = rng.integers(len(self.I))
        frame = self.I[i]
        pres, cx, cy, r, _ = self.L[i]
        H, W = frame.shape[:2]
        s = float(np.exp(rng.uniform(np.log(SCALE_RANGE[0]), np.log(SCALE_RANGE[1]))))
        if pres and kind != 'neg' and rng.random() < P_AROUND_BALL:
            u, v = rng.uniform(3, P - 3), rng.uniform(3, P - 3)
            pcx, pcy = cx - (u - P / 2) / s, cy - (v - P / 2) / s
        else:
            pcx, pcy = rng.uniform(0, W), rng.uniform(0, H)
        if rng.random() < P_KEEP_INSIDE:
            hw = P / 2 / s
            pcx = float(np.clip(pcx, min(hw, W / 2), max(W - hw, W / 2)))
            pcy = float(np.clip(pcy, min(hw, H / 2), max(H - hw, H / 2)))
        img = data.warp_patch_area(frame, pcx, pcy, s, P, below=AREA_BELOW)
        u, v = (cx - pcx) * s + P / 2, (cy - pcy) * s + P / 2
        inside = 0 <= u < P and 0 <= v < P
        rr = max(r * s, 0.6)
        if kind == 'inpaint' and pres and inside:
            img = data.inpaint_disc(img, u, v, rr + 1.5, rr + 1.5)
            pres = 0
        elif kind == 'occ' and pres and inside and rr >= 2.0:
            img = data.inpaint_disc(img, u, v, rr + 1.0, rr + 1.0, rng.uniform(0.2, 0.55), rng)
        extras = []
        for ecx, ecy, er, evis in self.E[i][1:]:
            eu, ev = (ecx - pcx) * s + P / 2, (ecy - pcy) * s + P / 2
            if er > 0 and evis >= VIS_PRESENT and 0 <= eu < P and 0 <= ev < P:
                extras.append((float(eu), float(ev), max(float(er) * s, 0.6)))
        return img, bool(pres) and inside, u, v, rr, extras
