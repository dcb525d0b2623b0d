"""Training samples: real dfl-soccer frames at true 1080p geometry, synthetic pool frames, Rust-renderer frames.

Every sample is a P x P patch (model input pixels) cut at a scale s (model px per native px) with an affine
warp (black outside the frame, like the engine's letterbox), plus its CenterNet targets at stride 4.
"""
import csv, glob, os
import numpy as np
import cv2

from . import contract

DFL = 'dfl-soccer'    # its folder under the data folder
NATIVE_W, NATIVE_H = 1920, 1080
SX, SY = 3.0, 1.6875  # stored 640x640 -> native 1920x1080
SMALL_K = 512 / 1920  # whole-frame 512x288 pass


def load_dfl(split, data_root):
    """dfl-soccer frames of a split, from the data folder data_root. Returns list of dicts: img (stored 640x640
    RGB), small (512x288 RGB), cx, cy, r, bw, bh (native px)."""
    root = os.path.join(data_root, DFL)
    out = []
    with open(os.path.join(root, 'labels.csv')) as f:
        for row in csv.DictReader(f):
            if not row['file'].startswith(split + '/'):
                continue
            img = cv2.imread(os.path.join(root, row['file']), cv2.IMREAD_COLOR)[..., ::-1].copy()
            vis = row['visible'] == '1'
            x, y = float(row['x'] or 0), float(row['y'] or 0)
            w, h = float(row['w'] or 2), float(row['h'] or 2)
            bw, bh = w * SX, h * SY
            out.append(dict(file=row['file'], clip=row['clip'], img=img,
                            small=cv2.resize(img, (512, 288), interpolation=cv2.INTER_AREA),
                            present=vis, cx=x * SX, cy=y * SY, bw=bw, bh=bh, r=(bw + bh) / 4))
    return out


def native_frame(stored):
    return cv2.resize(stored, (NATIVE_W, NATIVE_H), interpolation=cv2.INTER_LINEAR)


def warp_patch(src, sx, sy, pcx, pcy, s, P):
    """Patch P x P whose centre is native point (pcx,pcy), scale s; src pixel = native / (sx, sy)."""
    ax, ay = 1.0 / (s * sx), 1.0 / (s * sy)
    bx = (pcx + (0.5 - P / 2) / s) / sx - 0.5
    by = (pcy + (0.5 - P / 2) / s) / sy - 0.5
    M = np.array([[ax, 0, bx], [0, ay, by]], np.float64)
    return cv2.warpAffine(src, M, (P, P), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0))


def warp_patch_area(frame, pcx, pcy, s, P, below):
    """warp_patch of a frame stored at native scale; below scale `below` the frame is area-resized first (a
    downscaled pass, as the engine does: no aliasing)."""
    if s >= below:
        return warp_patch(frame, 1.0, 1.0, pcx, pcy, s, P)
    H, W = frame.shape[:2]
    src = cv2.resize(frame, (int(W * s / 0.9 + 1), int(H * s / 0.9 + 1)), interpolation=cv2.INTER_AREA)
    f = src.shape[1] / W
    return warp_patch(src, 1 / f, 1 / f, pcx, pcy, s, P)


def targets(P, present, u, v, r, extras=()):
    """Heatmap (P/4,P/4), reg (offx, offy, r/8), flat index, mask. (u,v) continuous patch coords.
    `extras`: other balls in the patch [(u, v, r)] (a warm-up with several balls): each is a heatmap
    peak too; the offset and radius targets are the primary ball's."""
    STRIDE = contract.get().stride
    hh = P // STRIDE
    hm = np.zeros((hh, hh), np.float32)
    reg = np.zeros(3, np.float32)
    xs = np.arange(hh, dtype=np.float32) + 0.5
    for eu, ev, er in extras:
        if 0 <= eu < P and 0 <= ev < P:
            gx, gy = eu / STRIDE, ev / STRIDE
            ix, iy = min(int(gx), hh - 1), min(int(gy), hh - 1)
            sig = max(0.75, er / STRIDE / 1.5)
            g = np.exp(-((xs[None] - gx) ** 2 + (xs[:, None] - gy) ** 2) / (2 * sig ** 2))
            g = np.minimum(g / g[iy, ix], 1.0).astype(np.float32)
            g[iy, ix] = 1.0
            hm = np.maximum(hm, g)
    if present and 0 <= u < P and 0 <= v < P:
        gx, gy = u / STRIDE, v / STRIDE
        ix, iy = min(int(gx), hh - 1), min(int(gy), hh - 1)
        sig = max(0.75, r / STRIDE / 1.5)
        g = np.exp(-((xs[None] - gx) ** 2 + (xs[:, None] - gy) ** 2) / (2 * sig ** 2))
        g = np.minimum(g / g[iy, ix], 1.0).astype(np.float32)
        g[iy, ix] = 1.0
        hm = np.maximum(hm, g)
        reg[:] = (gx - ix, gy - iy, r / 8.0)
        return hm, reg, iy * hh + ix, 1.0
    return hm, reg, 0, 0.0


def inpaint_disc(img, u, v, ax, ay, frac=1.0, rng=None):
    """In-paint (Telea) an elliptical ball region; frac<1 masks only a half-plane part of it (occlusion).
    Works on a window around the ellipse (Telea's radius 3 reads a few pixels around the mask)."""
    P0, P1 = img.shape[:2]
    ax, ay = max(ax, 0.5), max(ay, 0.5)
    x0, x1 = max(int(u - ax) - 6, 0), min(int(u + ax) + 7, P1)
    y0, y1 = max(int(v - ay) - 6, 0), min(int(v + ay) + 7, P0)
    if x0 >= x1 or y0 >= y1:
        return img
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32) + 0.5
    dx, dy = (xx - u) / ax, (yy - v) / ay
    m = dx * dx + dy * dy <= 1.0
    if frac < 1.0:
        a = rng.uniform(0, 2 * np.pi)
        proj = dx * np.cos(a) + dy * np.sin(a)
        thr = 1.0 - 2.0 * frac  # half-plane offset: masks roughly `frac` of the disc
        m &= proj > thr
    if not m.any():
        return img
    out = np.ascontiguousarray(img).copy()
    out[y0:y1, x0:x1] = cv2.inpaint(np.ascontiguousarray(out[y0:y1, x0:x1]), m.astype(np.uint8), 3, cv2.INPAINT_TELEA)
    return out


def motion_blur(img, rng, max_len=11):
    """Linear motion blur of random length and direction (a panning camera, a fast ball, a long exposure)."""
    n = int(rng.integers(3, max_len + 1))
    k = np.zeros((n, n), np.float32)
    a = rng.uniform(0, np.pi)
    c, s = (n - 1) / 2, np.array([np.cos(a), np.sin(a)])
    for t in np.linspace(-c, c, 2 * n):
        k[int(round(c + t * s[1])), int(round(c + t * s[0]))] = 1.0
    return cv2.filter2D(img, -1, k / k.sum())


def photometric(img, rng, wide=False):
    """Colour, lighting, blur, noise and compression jitter. wide=True adds the conditions users film in:
    floodlight, dusk and night grading (gamma, colour casts, lifted blacks), motion blur and phone-bitrate
    JPEG."""
    x = img.astype(np.float32)
    if rng.random() < 0.8:
        x *= rng.uniform(0.7, 1.3) * (1 + rng.uniform(-0.08, 0.08, 3)).astype(np.float32)
        m = x.mean()
        x = (x - m) * rng.uniform(0.75, 1.25) + m
        g = x.mean(2, keepdims=True)
        x = g + (x - g) * rng.uniform(0.6, 1.4)
    if wide and rng.random() < 0.3:
        gamma = rng.uniform(0.6, 1.8)                       # >1: darker mid-tones (dusk, night)
        x = 255.0 * (np.clip(x, 0, 255) / 255.0) ** gamma
        x *= (1 + rng.uniform(-0.18, 0.18, 3)).astype(np.float32)   # sodium / LED / tungsten casts
        x = x * rng.uniform(0.35, 1.0) + rng.uniform(0, 18)        # under-exposure, lifted blacks
    if wide and rng.random() < 0.12:
        x = motion_blur(x, rng)
    if rng.random() < 0.15:
        x = cv2.GaussianBlur(x, (0, 0), rng.uniform(0.4, 1.0))
    if rng.random() < 0.5:
        x += rng.standard_normal(x.shape).astype(np.float32) * rng.uniform(0, 6)
    out = np.clip(x + 0.5, 0, 255).astype(np.uint8)
    if rng.random() < (0.35 if wide else 0.2):
        lo = 20 if wide else 40
        ok, enc = cv2.imencode('.jpg', out, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(lo, 95))])
        out = cv2.imdecode(enc, cv2.IMREAD_UNCHANGED)
    return out


def real_scale(rng):
    k = rng.random()
    if k < 0.40:
        return 192.0 / rng.uniform(128, 256)            # ROI mode
    if k < 0.62:
        return rng.uniform(0.9, 1.1)                    # native tiles
    if k < 0.82:
        return 0.5 * rng.uniform(0.9, 1.1)              # half-res tiles
    return SMALL_K * rng.uniform(0.9, 1.12)            # whole frame 512x288


class Source:
    """Base: frames with ball labels in 'native' coords; subclasses give (src, sx, sy) for a scale."""
    def sample(self, rng, P, kind):
        raise NotImplementedError


class RealSource(Source):
    def __init__(self, frames):
        self.f = [f for f in frames]

    def sample(self, rng, P, kind):
        fr = self.f[rng.integers(len(self.f))]
        s = real_scale(rng)
        if s < 0.4:
            src, sx, sy = fr['small'], 1 / SMALL_K, 1 / SMALL_K
        else:
            src, sx, sy = fr['img'], SX, SY
        cx, cy, r = fr['cx'], fr['cy'], fr['r']
        if kind == 'pos' or kind == 'occ' or kind == 'inpaint':
            if rng.random() < 0.5:   # ROI-like displacement
                d = min(64 * s, P / 2 - 4)
                u, v = P / 2 + rng.uniform(-d, d), P / 2 + rng.uniform(-d, d)
            else:
                u, v = rng.uniform(3, P - 3), rng.uniform(3, P - 3)
            pcx, pcy = cx - (u - P / 2) / s, cy - (v - P / 2) / s
        else:  # random location anywhere in the frame (ball usually outside)
            hw, hh = P / 2 / s, P / 2 / s
            pcx = rng.uniform(min(hw, NATIVE_W / 2) - 40, max(NATIVE_W - hw, NATIVE_W / 2) + 40)
            pcy = rng.uniform(min(hh, NATIVE_H / 2) - 40, max(NATIVE_H - hh, NATIVE_H / 2) + 40)
        img = warp_patch(src, sx, sy, pcx, pcy, s, P)
        u, v = (cx - pcx) * s + P / 2, (cy - pcy) * s + P / 2
        rr = max(r * s, 0.6)
        present = fr['present'] and -1 <= u < P + 1 and -1 <= v < P + 1
        inside = 0 <= u < P and 0 <= v < P
        if kind == 'inpaint' and inside:
            img = inpaint_disc(img, u, v, fr['bw'] * s / 2 + 1.5, fr['bh'] * s / 2 + 1.5)
            present = False
        elif kind == 'occ' and inside and rr >= 2.0:
            img = inpaint_disc(img, u, v, fr['bw'] * s / 2 + 1.0, fr['bh'] * s / 2 + 1.0, rng.uniform(0.2, 0.55), rng)
        return img, present and inside, u, v, rr


class PoolSource(Source):
    """Synthetic pool chunks (uint8 frames + labels present,cx,cy,r,vis); refreshes as chunks appear."""
    def __init__(self, pattern, max_frames=8000):
        self.pattern, self.files, self.I, self.L, self.max = pattern, [], None, None, max_frames
        self.start = {}   # chunk file -> index of its first frame in I (absent once truncated away)

    def refresh(self):
        new = [f for f in sorted(glob.glob(self.pattern)) if f not in self.files and not f.endswith('.tmp.npz')]
        if not new:
            return 0 if self.I is None else len(self.I)
        imgs, labs = ([self.I] if self.I is not None else []), ([self.L] if self.L is not None else [])
        n = 0 if self.I is None else len(self.I)
        for fn in new:
            d = np.load(fn)
            imgs.append(d['imgs']); labs.append(d['labels']); self.files.append(fn)
            self.start[fn] = n; n += len(d['imgs'])
        self.I = np.concatenate(imgs)[-self.max:]
        self.L = np.concatenate(labs)[-self.max:]
        cut = n - len(self.I)
        self.start = {fn: i - cut for fn, i in self.start.items() if i - cut >= 0}
        return len(self.I)

    def sample(self, rng, P, kind):
        i = rng.integers(len(self.I))
        frame = self.I[i]
        pres, cx, cy, r, _ = self.L[i]
        H, W = frame.shape[:2]
        s = float(np.exp(rng.uniform(np.log(0.5), np.log(1.4))))
        if pres and kind != 'neg' and rng.random() < 0.85:
            u, v = rng.uniform(3, P - 3), rng.uniform(3, P - 3)
            pcx, pcy = cx - (u - P / 2) / s, cy - (v - P / 2) / s
        else:
            pcx, pcy = rng.uniform(0, W), rng.uniform(0, H)
        if rng.random() < 0.8:  # keep the patch inside the frame where possible (less black border)
            hw = P / 2 / s
            pcx = float(np.clip(pcx, min(hw, W / 2), max(W - hw, W / 2)))
            pcy = float(np.clip(pcy, min(hw, H / 2), max(H - hw, H / 2)))
        img = warp_patch(frame, 1.0, 1.0, pcx, pcy, s, P)
        u, v = (cx - pcx) * s + P / 2, (cy - pcy) * s + P / 2
        inside = 0 <= u < P and 0 <= v < P
        rr = max(r * s, 0.6)
        if kind == 'inpaint' and pres and inside:
            img = inpaint_disc(img, u, v, rr + 1.5, rr + 1.5)
            pres = 0
        elif kind == 'occ' and pres and inside and rr >= 2.0:
            img = inpaint_disc(img, u, v, rr + 1.0, rr + 1.0, rng.uniform(0.2, 0.55), rng)
        return img, bool(pres) and inside, u, v, rr


def label_of(row):
    """A labels.csv row as (present, x, y, radius, 1): present when visible with a position; the radius from the
    box (10 px when the box is empty)."""
    vis = row['visible'] == '1' and row['x'] != ''
    w = float(row['w']) if row.get('w') not in (None, '') else 10.0
    h = float(row['h']) if row.get('h') not in (None, '') else w
    return (1.0 if vis else 0.0, float(row['x'] or 0), float(row['y'] or 0), (w + h) / 4, 1.0)


class FolderSource(Source):
    """Frames on disk with a labels.csv in the dfl format (e.g. the Rust renderer's dump_dataset)."""
    def __init__(self, root, max_frames=6000):
        self.items = []
        with open(os.path.join(root, 'labels.csv')) as f:
            for row in csv.DictReader(f):
                self.items.append(row)
        self.items = self.items[:max_frames]
        self.root = root
        self.imgs = [cv2.imread(os.path.join(root, it['file']), cv2.IMREAD_COLOR)[..., ::-1].copy() for it in self.items]
        self.L = np.array([label_of(it) for it in self.items], np.float32)
        self.I = self.imgs

    def scale(self, rng, W):
        """Patch pixels per frame pixel: the engine's ROI scales, native, a half-scale pass, a whole-frame pass."""
        k = rng.random()
        return 192.0 / rng.uniform(128, 256) if k < 0.5 else (rng.uniform(0.9, 1.1) if k < 0.7 else
                                                              (0.5 * rng.uniform(0.9, 1.1) if k < 0.85 else 512 / W * rng.uniform(0.9, 1.1)))

    def sample(self, rng, P, kind):
        i = rng.integers(len(self.imgs))
        frame = self.imgs[i]
        pres, cx, cy, r, _ = self.L[i]
        H, W = frame.shape[:2]
        s = self.scale(rng, W)
        if pres and kind != 'neg' and rng.random() < 0.85:
            u, v = rng.uniform(3, P - 3), rng.uniform(3, P - 3)
            pcx, pcy = cx - (u - P / 2) / s, cy - (v - P / 2) / s
        else:
            pcx, pcy = rng.uniform(0, W), rng.uniform(0, H)
        img = warp_patch_area(frame, pcx, pcy, s, P, below=0.45)
        u, v = (cx - pcx) * s + P / 2, (cy - pcy) * s + P / 2
        inside = 0 <= u < P and 0 <= v < P
        rr = max(r * s, 0.6)
        if kind == 'inpaint' and pres and inside:
            img = inpaint_disc(img, u, v, rr + 1.5, rr + 1.5)
            pres = 0
        elif kind == 'occ' and pres and inside and rr >= 2.0:
            img = inpaint_disc(img, u, v, rr + 1.0, rr + 1.0, rng.uniform(0.2, 0.55), rng)
        return img, bool(pres) and inside, u, v, rr


class QueueSource(FolderSource):
    """Reviewed capture queues (`--capture DIR`, then `ballcam label review`) from all the folders as one source.
    Only reviewed rows are read: a `review` column set and not `unknown` (an annotator correcting rows by hand
    writes `manual`), `visible` 1 with a position or 0. The queue's pre-filled rows are the model's own guesses,
    false positives included, so a row nobody reviewed is skipped. A captured image is already a region of its
    frame at about the engine's ROI scale, so patches stay near it."""
    SCALE_RANGE = (0.7, 1.4)
    UNREVIEWED = ('', 'unknown')

    def __init__(self, roots):
        self.items, self.imgs, L = [], [], []
        for root in roots:
            with open(os.path.join(root, 'labels.csv')) as f:
                for row in csv.DictReader(f):
                    if (row.get('review') or '') in self.UNREVIEWED or row['visible'] not in ('0', '1'):
                        continue
                    if row['visible'] == '1' and row['x'] == '':
                        continue
                    img = cv2.imread(os.path.join(root, row['file']), cv2.IMREAD_COLOR)
                    if img is None:
                        raise FileNotFoundError(os.path.join(root, row['file']))
                    self.items.append(row)
                    self.imgs.append(img[..., ::-1].copy())
                    L.append(label_of(row))
        if not self.imgs:
            raise ValueError(f'no reviewed rows (a review column set, visible 1 or 0) in {roots}')
        self.L = np.array(L, np.float32)
        self.I = self.imgs

    def scale(self, rng, W):
        return rng.uniform(*self.SCALE_RANGE)


def make_batch(sources, weights, rng, B, P, kinds=(('pos', 0.55), ('occ', 0.12), ('neg', 0.23), ('inpaint', 0.10)), wide=False):
    X = np.empty((B, P, P, 3), np.uint8)
    hh = P // contract.get().stride
    HM = np.empty((B, hh, hh), np.float32)
    REG = np.empty((B, 3), np.float32)
    IND = np.empty(B, np.int64)
    M = np.empty(B, np.float32)
    kn, kp = [k for k, _ in kinds], np.array([p for _, p in kinds])
    w = np.array(weights, np.float64); w /= w.sum()
    for b in range(B):
        src = sources[rng.choice(len(sources), p=w)]
        kind = kn[rng.choice(len(kn), p=kp / kp.sum())]
        out = src.sample(rng, P, kind)
        img, pres, u, v, r = out[:5]
        extras = out[5] if len(out) > 5 else ()
        if rng.random() < 0.5:
            img = img[:, ::-1]; u = P - u
            extras = [(P - eu, ev, er) for eu, ev, er in extras]
        X[b] = photometric(img, rng, wide)
        HM[b], REG[b], IND[b], M[b] = targets(P, pres, u, v, r, extras)
    return X, HM, REG, IND, M


class HardNegSource(Source):
    """Patches around mined false-positive peaks on real train frames (see scripts/mine.py); the ball is labelled if inside."""
    def __init__(self, frames, recs, pmin=0.3):
        self.f = frames
        self.r = [r for r in recs if r['p'] >= pmin]

    def sample(self, rng, P, kind):
        rec = self.r[rng.integers(len(self.r))]
        fr = self.f[rec['i']]
        s = rec['s'] * rng.uniform(0.85, 1.2)
        if s < 0.4:
            src, sx, sy = fr['small'], 1 / SMALL_K, 1 / SMALL_K
        else:
            src, sx, sy = fr['img'], SX, SY
        u, v = rng.uniform(8, P - 8), rng.uniform(8, P - 8)
        pcx, pcy = rec['x'] - (u - P / 2) / s, rec['y'] - (v - P / 2) / s
        img = warp_patch(src, sx, sy, pcx, pcy, s, P)
        bu, bv = (fr['cx'] - pcx) * s + P / 2, (fr['cy'] - pcy) * s + P / 2
        inside = 0 <= bu < P and 0 <= bv < P
        return img, fr['present'] and inside, bu, bv, max(fr['r'] * s, 0.6)


class FrameHardNegSource(Source):
    """Patches around mined false-positive peaks on synthetic frames (pool chunks or renderer folders; see
    scripts/mine.py --synthetic): records {key, chunk, j, x, y, s, p} where key names the chunk file or folder, j the frame."""
    def __init__(self, sources, recs, pmin=0.3):
        # sources: {key: (I, L, start)}; start maps a chunk file to its first index in I (None for folders)
        self.src = sources
        self.r = []
        # chunk files by name: the mining and training scripts may glob the pool by different paths
        firsts = {key: None if start is None else {os.path.basename(k): v for k, v in start.items()}
                  for key, (_, _, start) in sources.items()}
        for r in recs:
            if r['p'] < pmin or r['key'] not in sources:
                continue
            I, L, _ = sources[r['key']]
            first = firsts[r['key']]
            if first is None:
                i = r['j']
            else:
                i = first.get(os.path.basename(r['chunk']), -len(I) - 1) + r['j']
            if 0 <= i < len(I):
                self.r.append((r['key'], i, r['x'], r['y'], r['s']))

    def sample(self, rng, P, kind):
        key, i, x, y, s = self.r[rng.integers(len(self.r))]
        I, L, _ = self.src[key]
        frame = I[i]
        pres, cx, cy, r, _ = L[i]
        s *= rng.uniform(0.85, 1.2)
        u, v = rng.uniform(8, P - 8), rng.uniform(8, P - 8)
        pcx, pcy = x - (u - P / 2) / s, y - (v - P / 2) / s
        img = warp_patch_area(frame, pcx, pcy, s, P, below=0.7)
        bu, bv = (cx - pcx) * s + P / 2, (cy - pcy) * s + P / 2
        inside = 0 <= bu < P and 0 <= bv < P
        return img, bool(pres) and inside, bu, bv, max(r * s, 0.6)
