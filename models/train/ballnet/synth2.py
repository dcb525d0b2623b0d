"""Domain-randomised synthetic frames of ball games filmed from the sideline (numpy + OpenCV only).

Frames are H x W = 288 x 512 RGB uint8 (16:9). A render draws
  * a venue: outdoor grass, artificial turf, clay, hard court or sand, or an indoor hall with a wooden or synthetic
    floor; the court lines of one or several overlapping sports (football, futsal, handball, basketball, volleyball,
    badminton, tennis) ray-traced on the ground plane of a pinhole camera and anti-aliased through cached distance
    fields; advertising boards, gym walls (padding, doors, wall bars, windows, posters), stands with a crowd, a
    ceiling with beams and lamps, or sky, trees, buildings, fences and floodlight masts;
  * a camera: a high broadcast camera, a phone in the stands, or a phone on a 1.2-3 m tripod at the sideline or
    behind the goal line (wide to zoomed, tilt and roll jitter);
  * players with kits (colours, stripes, numbers), skin, hair and boots, referees, substitutes on benches, ground
    shadows (sun, several floodlights, soft indoor blobs), goals with nets, basketball hoops, volleyball and tennis
    nets, and ball-like distractors (cones, marker discs, bottles, lamps and their reflections on glossy floors,
    round logos on boards, line crossings, heads, white boots);
  * balls of real sizes and looks (football, futsal, handball, volleyball, basketball, tennis, rugby), shaded by
    the scene light with a specular highlight, a ground shadow, defocus, a motion smear and rolling-shutter skew,
    possibly occluded by players or cut by the frame edge; 10% warm-up frames with 2-5 balls, 20% without a ball;
  * lighting (day, overcast, dusk, floodlight, night, indoor with flicker banding, vignetting) and a phone / stream
    pipeline (defocus, camera shake, sensor noise, low-resolution upscale, digital zoom, chroma subsampling,
    H.264-like blocking, JPEG 15-90).
Ball radii in the frame span about 1.5-40 px (log-uniform-ish over the data set). Per ball the label is the centre
(cx, cy) in continuous pixel coordinates (pixel u covers [u, u+1)), the radius r (px) and the visible fraction vis
(after occlusion and the frame edge).
"""
import functools

import numpy as np
import cv2

H, W = 288, 512
K_BALLS = 6                  # balls stored per frame by gen_batch (`extra`)
VIS_PRESENT = 0.3            # a ball counts as present when at least this fraction of it is visible
P_ABSENT = 0.2               # frames without a ball
P_WARMUP = 0.10              # frames with 2-5 balls
P_ZOOM = 0.12                # frames cropped and upscaled by a digital zoom
R_MIN, R_MAX = 1.5, 40.0     # the primary ball's radius in the frame is log-uniform in this range (px)
SHIFT = 4                    # sub-pixel bits of the cv2 drawing calls
SUB = 1 << SHIFT
NEAR = 0.25                  # metres: nothing closer to the lens is drawn
LINE_DMAX = 1.0              # metres: court distance fields are clamped here

BALL_SIZE = dict(football=0.11, futsal=0.10, handball=0.095, volleyball=0.105, basketball=0.12, tennis=0.0335,
                 rugby=(0.14, 0.095))  # radius, or (long, short) semi-axes for the oval rugby ball (metres)
BALL_LIFT = 1.15            # ball shading gain: its lit side is brighter than the flat-shaded scene
BALL_AIR = dict(  # probability that a ball of this kind is placed in the air (not on the floor)
    football=0.25, futsal=0.3, handball=0.5, volleyball=0.55, basketball=0.5, tennis=0.4, rugby=0.35)

# named colours (RGB 0..1)
WHITE, BLACK = (0.93, 0.93, 0.92), (0.07, 0.07, 0.08)
RED, DARK_RED, BLUE, NAVY = (0.82, 0.1, 0.12), (0.45, 0.06, 0.1), (0.1, 0.3, 0.8), (0.06, 0.1, 0.3)
SKY = (0.45, 0.7, 0.95)
YELLOW, ORANGE, GREEN, DARK_GREEN = (0.98, 0.85, 0.1), (1.0, 0.5, 0.08), (0.1, 0.6, 0.25), (0.05, 0.3, 0.15)
LIME, PINK, PURPLE = (0.7, 0.95, 0.2), (0.95, 0.4, 0.65), (0.4, 0.15, 0.6)
GREY, GOLD = (0.5, 0.5, 0.5), (0.85, 0.7, 0.3)
KIT_COLOURS = [WHITE, BLACK, RED, DARK_RED, BLUE, NAVY, SKY, YELLOW, ORANGE, GREEN, DARK_GREEN, LIME, PINK, PURPLE,
               GREY, GOLD]
LINE_COLOURS = [WHITE, BLACK, RED, YELLOW, BLUE, (0.1, 0.55, 0.2), ORANGE]
LOGO_COLOURS = [WHITE, RED, YELLOW, WHITE, BLUE, BLACK, ORANGE]   # round logos on boards: ball-like distractors


# ============================================================================ small helpers
def _hsv(h, s, v):
    """RGB (float32, 0..1) of an HSV colour; the hue wraps."""
    h = (h % 1.0) * 6
    i, f = int(h) % 6, h - int(h)
    p, q, t = v * (1 - s), v * (1 - f * s), v * (1 - (1 - f) * s)
    return np.array([(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)][i], np.float32)


def _pick(rng, items):
    return items[int(rng.integers(len(items)))]


def _loguniform(rng, lo, hi):
    return float(np.exp(rng.uniform(np.log(lo), np.log(hi))))


def _col(c, jitter=0.0, rng=None):
    c = np.asarray(c, np.float32)
    if jitter:
        c = np.clip(c * (1 + rng.uniform(-jitter, jitter, 3)), 0, 1).astype(np.float32)
    return c


def _hash(a, b, seed):
    """Deterministic pseudo-random value in [0, 1) per integer cell (a, b) (arrays broadcast)."""
    h = ((np.asarray(a, np.int64) * 73856093) ^ (np.asarray(b, np.int64) * 19349663) ^ (seed * 83492791)) & 0xFFFFFFFF
    h = ((h ^ (h >> 15)) * 0x2C1B3C6D) & 0xFFFFFFFF
    h = ((h ^ (h >> 12)) * 0x297A2D39) & 0xFFFFFFFF
    return (((h ^ (h >> 15)) & 0xFFFFFF) / float(1 << 24)).astype(np.float32)


def _frac(x):
    return x - np.floor(x)


def _stripe_cov(x, period, width, m):
    """Coverage of stripes of `width` repeating every `period` (world units) for pixel footprint m (box filter)."""
    d = np.abs(_frac(x / period + 0.5) - 0.5) * period
    return np.clip((np.minimum(d + m / 2, width / 2) - np.maximum(d - m / 2, -width / 2)) / m, 0, 1)


@functools.cache
def _noise_bank():
    """2H x 2W unit Gaussian noise, fixed (seed 7); made on first use."""
    return np.random.default_rng(7).standard_normal((2 * H, 2 * W)).astype(np.float32)


def _fine_noise(rng):
    """H x W unit Gaussian noise (a random window of a fixed bank: fast)."""
    y, x = int(rng.integers(0, H)), int(rng.integers(0, W))
    return _noise_bank()[y:y + H, x:x + W]


@functools.cache
def _periodic_noise(n=256, sigma=6.0, seed=11):
    """n x n unit-variance Gaussian-filtered noise that tiles (filtered in the frequency domain)."""
    g = np.random.default_rng(seed).standard_normal((n, n))
    f = np.fft.fftfreq(n)
    k = np.exp(-2 * (np.pi * sigma) ** 2 * (f[:, None] ** 2 + f[None, :] ** 2))
    out = np.real(np.fft.ifft2(np.fft.fft2(g) * k))
    return (out / out.std()).astype(np.float32)


def _remap(src, mx, my, border, value=0.0):
    """cv2.remap (bilinear) for maps of any shape (cv2 limits each side of the maps to 32767)."""
    shape = mx.shape
    if mx.size == 0:
        return np.zeros(shape, np.float32)
    if mx.ndim == 2 and max(shape) < 32767:
        return cv2.remap(src, mx, my, cv2.INTER_LINEAR, borderMode=border, borderValue=value)
    n = mx.size
    cols = 512
    pad = (-n) % cols
    fx = np.concatenate([mx.ravel(), np.zeros(pad, np.float32)]).reshape(-1, cols)
    fy = np.concatenate([my.ravel(), np.zeros(pad, np.float32)]).reshape(-1, cols)
    out = cv2.remap(src, fx, fy, cv2.INTER_LINEAR, borderMode=border, borderValue=value)
    return out.ravel()[:n].reshape(shape)


def _world_noise(rng, x, y, cell):
    """Smooth noise attached to the ground (x, y in metres; features about `cell` metres), random per call."""
    a = rng.uniform(0, np.pi)
    ca, sa = np.cos(a), np.sin(a)
    k = 6.0 / cell   # the texture's features are about 6 texels
    mx = ((ca * x - sa * y) * k + rng.uniform(0, 256)).astype(np.float32)
    my = ((sa * x + ca * y) * k + rng.uniform(0, 256)).astype(np.float32)
    return _remap(_periodic_noise(), mx, my, cv2.BORDER_WRAP)


def _value_noise(s, z, cell, seed):
    """Bilinearly interpolated hash noise in [0, 1) on a vertical surface (s, z in metres)."""
    fs, fz = s / cell, z / cell
    i, j = np.floor(fs), np.floor(fz)
    a, b = fs - i, fz - j
    return ((_hash(i, j, seed) * (1 - a) + _hash(i + 1, j, seed) * a) * (1 - b) +
            (_hash(i, j + 1, seed) * (1 - a) + _hash(i + 1, j + 1, seed) * a) * b)


def _lowfreq(rng, cells, amp, shape=(H, W)):
    g = rng.standard_normal((cells[0] + 1, cells[1] + 1)).astype(np.float32)
    return cv2.resize(g, (shape[1], shape[0]), interpolation=cv2.INTER_CUBIC) * amp


def _line_kernel(dx, dy):
    """Normalised line kernel (a motion smear of vector (dx, dy) px)."""
    n = int(np.ceil(max(abs(dx), abs(dy)) / 2)) * 2 + 3
    k = np.zeros((n, n), np.float32)
    c = (n - 1) / 2
    cv2.line(k, (int(round((c - dx / 2) * SUB)), int(round((c - dy / 2) * SUB))),
             (int(round((c + dx / 2) * SUB)), int(round((c + dy / 2) * SUB))), 1.0, 1, cv2.LINE_AA, SHIFT)
    return k / max(k.sum(), 1e-6)


# ============================================================================ court lines (metres, x along the court)
def _arc(cx, cy, R, a0, a1):
    """Polyline points of a circular arc from angle a0 to a1 (chord error below 4 mm)."""
    n = int(np.ceil(abs(a1 - a0) / np.sqrt(0.032 / R))) + 1
    a = np.linspace(a0, a1, max(n, 3))
    return np.stack([cx + R * np.cos(a), cy + R * np.sin(a)], 1)


def _segments(pts):
    pts = np.asarray(pts, np.float64)
    return [(a[0], a[1], b[0], b[1]) for a, b in zip(pts[:-1], pts[1:])]


def _dashes(pts, on, off):
    """Segments of a dashed polyline (dashes `on` long, gaps `off`)."""
    pts = np.asarray(pts, np.float64)
    cum = np.r_[0, np.cumsum(np.hypot(*np.diff(pts, axis=0).T))]
    out, s = [], 0.0
    while s < cum[-1]:
        e = min(s + on, cum[-1])
        inner = pts[(cum > s) & (cum < e)]
        ends = [[np.interp(q, cum, pts[:, 0]), np.interp(q, cum, pts[:, 1])] for q in (s, e)]
        out += _segments(np.vstack([ends[:1], inner, ends[1:]]))
        s += on + off
    return out


def _rect(x0, y0, x1, y1):
    return _segments([[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]])


def _dot(x, y):
    return [(x - 0.05, y, x + 0.05, y)]


def _mirror(segs):
    return [(-a, b, -c, d) for a, b, c, d in segs]


def _rot90(segs, dx=0.0):
    """Rotate a layout by 90 degrees (its length across the hall) and shift it along x."""
    return [(-b + dx, a, -d + dx, c) for a, b, c, d in segs]


def _goal_area(R, post):
    """The D of a handball / futsal goal area at the x = +20 end: quarter circles around the posts."""
    return np.vstack([_arc(20, post, R, np.pi / 2, np.pi), _arc(20, -post, R, np.pi, 1.5 * np.pi)])


def _layout_handball():
    segs = _rect(-20, -10, 20, 10) + [(0, -10, 0, 10)]
    six = _goal_area(6, 1.5)
    a9 = np.pi - np.arcsin(8.5 / 9)
    nine = np.vstack([_arc(20, 1.5, 9, a9, np.pi), _arc(20, -1.5, 9, np.pi, 2 * np.pi - a9)])
    end = _segments(six) + _dashes(nine, 0.15, 0.15) + [(13, -0.5, 13, 0.5), (16, -0.075, 16, 0.075)]
    segs += end + _mirror(end) + [(4.5, -10.15, 4.5, -9.85), (-4.5, -10.15, -4.5, -9.85)]
    d = np.vstack([[[20, 7.5]], six, [[20, -7.5]]])
    return segs, [d, d * [-1, 1]], (20.0, 10.0)


def _layout_futsal():
    segs = _rect(-20, -10, 20, 10) + [(0, -10, 0, 10)] + _segments(_arc(0, 0, 3, 0, 2 * np.pi)) + _dot(0, 0)
    six = _goal_area(6, 1.5)
    end = (_segments(six) + _dot(14, 0) + _dot(10, 0) + _segments(_arc(20, 10, 0.25, np.pi, 1.5 * np.pi))
           + _segments(_arc(20, -10, 0.25, np.pi / 2, np.pi)))
    d = np.vstack([[[20, 7.5]], six, [[20, -7.5]]])
    return segs + end + _mirror(end), [d, d * [-1, 1]], (20.0, 10.0)


def _layout_basketball():
    segs = _rect(-14, -7.5, 14, 7.5) + [(0, -7.5, 0, 7.5)] + _segments(_arc(0, 0, 1.8, 0, 2 * np.pi))
    xb, a = 14 - 1.575, np.arcsin(6.6 / 6.75)
    three = np.vstack([[[14, 6.6]], _arc(xb, 0, 6.75, np.pi - a, np.pi + a), [[14, -6.6]]])
    end = (_segments(three) + _rect(8.2, -2.45, 14, 2.45) + _segments(_arc(8.2, 0, 1.8, np.pi / 2, 1.5 * np.pi))
           + _dashes(_arc(8.2, 0, 1.8, -np.pi / 2, np.pi / 2), 0.3, 0.3)
           + _segments(_arc(xb, 0, 1.25, np.pi / 2, 1.5 * np.pi)))
    key = np.array([[8.2, -2.45], [14, -2.45], [14, 2.45], [8.2, 2.45]])
    return segs + end + _mirror(end), [key, key * [-1, 1], _arc(0, 0, 1.8, 0, 2 * np.pi)], (14.0, 7.5)


def _layout_volleyball():
    segs = _rect(-9, -4.5, 9, 4.5) + [(0, -4.75, 0, 4.75)]
    for x in (-3, 3):
        segs += [(x, -4.5, x, 4.5)]
        for y in (-1, 1):   # the attack lines' dashed extensions outside the court
            segs += _dashes([[x, 4.5 * y], [x, 6.25 * y]], 0.15, 0.2)
    return segs, [np.array([[-9, -4.5], [9, -4.5], [9, 4.5], [-9, 4.5]])], (9.0, 4.5)


def _layout_beach():
    return _rect(-8, -4, 8, 4), [], (8.0, 4.0)


def _layout_badminton():
    one = (_rect(-6.7, -3.05, 6.7, 3.05) + [(-6.7, 2.59, 6.7, 2.59), (-6.7, -2.59, 6.7, -2.59)]
           + [(x, -3.05, x, 3.05) for x in (-5.94, -1.98, 1.98, 5.94)] + [(1.98, 0, 6.7, 0), (-6.7, 0, -1.98, 0)])
    segs = []
    for dx in (-13.0, 0.0, 13.0):
        segs += _rot90(one, dx)
    return segs, [], (16.05, 6.7)


def _layout_tennis():
    segs = (_rect(-11.885, -5.485, 11.885, 5.485) + [(-11.885, y, 11.885, y) for y in (-4.115, 4.115)]
            + [(x, -4.115, x, 4.115) for x in (-6.4, 6.4)] + [(-6.4, 0, 6.4, 0)])
    segs += [(11.785, 0, 11.885, 0), (-11.885, 0, -11.785, 0)]
    return segs, [], (11.885, 5.485)


def _layout_football(s):
    L, Wd = 52.5 * s, 34.0 * s
    segs = _rect(-L, -Wd, L, Wd) + [(0, -Wd, 0, Wd)] + _segments(_arc(0, 0, 9.15 * s, 0, 2 * np.pi)) + _dot(0, 0)
    a = np.arccos(5.5 / 9.15)
    end = (_segments([[L, -20.16 * s], [L - 16.5 * s, -20.16 * s], [L - 16.5 * s, 20.16 * s], [L, 20.16 * s]])
           + _segments([[L, -9.16 * s], [L - 5.5 * s, -9.16 * s], [L - 5.5 * s, 9.16 * s], [L, 9.16 * s]])
           + _dot(L - 11 * s, 0) + _segments(_arc(L - 11 * s, 0, 9.15 * s, np.pi - a, np.pi + a))
           + _segments(_arc(L, Wd, 1.0, np.pi, 1.5 * np.pi)) + _segments(_arc(L, -Wd, 1.0, np.pi / 2, np.pi)))
    return segs + end + _mirror(end), [], (L, Wd)


def _layout_football_small():
    """Two small-sided pitches across the halves of a full-size pitch (the coloured lines on artificial turf)."""
    segs, _, (L, Wd) = _layout_football(0.55)
    return _rot90(segs, -26.0) + _rot90(segs, 26.0), [], (26.0 + Wd, L)


LAYOUTS = {'handball': (_layout_handball, 0.025), 'futsal': (_layout_futsal, 0.025),
           'basketball': (_layout_basketball, 0.025), 'volleyball': (_layout_volleyball, 0.025),
           'beach': (_layout_beach, 0.03), 'badminton': (_layout_badminton, 0.025), 'tennis': (_layout_tennis, 0.025),
           'football': (lambda: _layout_football(1.0), 0.06), 'football9': (lambda: _layout_football(0.8), 0.05),
           'football7': (lambda: _layout_football(0.62), 0.04), 'football5': (lambda: _layout_football(0.5), 0.04),
           'football_small': (_layout_football_small, 0.05)}
FOOTBALL_SCALE = {'football': 1.0, 'football9': 0.8, 'football7': 0.62, 'football5': 0.5}


class Court:
    """Court lines of one layout as a distance field on a top-down grid (cached per process): sampled per pixel
    it gives sharp anti-aliased lines of any width at any distance; `fills` are painted areas (e.g. a key)."""
    _cache = {}

    def __init__(self, name):
        build, res = LAYOUTS[name]
        segs, fills, self.half = build()
        self.res = res
        pad = LINE_DMAX + 1.0
        self.x0, self.y0 = -self.half[0] - pad, -self.half[1] - pad
        nx, ny = int((2 * self.half[0] + 2 * pad) / res) + 2, int((2 * self.half[1] + 2 * pad) / res) + 2
        sdf = np.full((ny, nx), LINE_DMAX, np.float32)
        for ax, ay, bx, by in segs:
            i0 = max(int((min(ax, bx) - LINE_DMAX - self.x0) / res), 0)
            i1 = min(int((max(ax, bx) + LINE_DMAX - self.x0) / res) + 2, nx)
            j0 = max(int((min(ay, by) - LINE_DMAX - self.y0) / res), 0)
            j1 = min(int((max(ay, by) + LINE_DMAX - self.y0) / res) + 2, ny)
            px = (self.x0 + np.arange(i0, i1, dtype=np.float32) * res - ax)[None, :]
            py = (self.y0 + np.arange(j0, j1, dtype=np.float32) * res - ay)[:, None]
            vx, vy = bx - ax, by - ay
            t = np.clip((px * vx + py * vy) / max(vx * vx + vy * vy, 1e-12), 0, 1)
            d = np.hypot(px - t * vx, py - t * vy)
            np.minimum(sdf[j0:j1, i0:i1], d, out=sdf[j0:j1, i0:i1])
        self.sdf = sdf
        fill = np.zeros((ny, nx), np.uint8)
        for poly in fills:
            q = np.round(((np.asarray(poly) - [self.x0, self.y0]) / res) * SUB).astype(np.int32)
            cv2.fillPoly(fill, [q], 255, cv2.LINE_AA, SHIFT)
        self.fill = fill.astype(np.float32) / 255 if fills else None

    @classmethod
    def get(cls, name):
        """The layout's Court, built once per process."""
        if name not in cls._cache:
            cls._cache[name] = cls(name)
        return cls._cache[name]

    def maps(self, gx, gy):
        """Grid coordinates (remap maps) of ground points (metres)."""
        return ((gx - self.x0) / self.res).astype(np.float32), ((gy - self.y0) / self.res).astype(np.float32)

    def lines(self, mx, my, half_width, m):
        """Line coverage for half width and pixel footprint m (metres): a box filter across the line."""
        d = _remap(self.sdf, mx, my, cv2.BORDER_CONSTANT, LINE_DMAX)
        return np.clip((np.minimum(d + m / 2, half_width) - np.maximum(d - m / 2, -half_width)) / m, 0, 1)

    def painted(self, mx, my):
        """Coverage of the painted areas."""
        return _remap(self.fill, mx, my, cv2.BORDER_CONSTANT)


# ============================================================================ camera
class Camera:
    """Pinhole camera. World: x along the court, y across it (towards the far side), z up (metres), origin at the
    court centre. R rows are the camera's right, down and forward axes; the principal point is the frame centre."""

    def __init__(self, C, target, f, roll):
        self.C = np.asarray(C, np.float64)
        fwd = np.asarray(target, np.float64) - self.C
        fwd /= np.linalg.norm(fwd)
        right = np.cross(fwd, [0.0, 0.0, 1.0])
        right /= np.linalg.norm(right)
        down = np.cross(fwd, right)
        cr, sr = np.cos(roll), np.sin(roll)
        self.R = np.stack([cr * right + sr * down, -sr * right + cr * down, fwd])
        self.f = float(f)

    def dirs(self, u, v):
        """World ray directions through continuous pixel coordinates (u, v), scaled to unit depth."""
        xn = (np.asarray(u, np.float32) - W / 2) / self.f
        yn = (np.asarray(v, np.float32) - H / 2) / self.f
        R = self.R.astype(np.float32)
        return xn[..., None] * R[0] + yn[..., None] * R[1] + R[2]

    def rays(self):
        """H x W x 3 directions of the pixel centres (depth along the optical axis = ray parameter)."""
        u = np.arange(W, dtype=np.float32) + 0.5
        v = np.arange(H, dtype=np.float32) + 0.5
        return self.dirs(u[None, :], v[:, None])

    def project(self, P):
        """World points (..., 3) -> (u, v, depth) arrays."""
        pc = (np.asarray(P, np.float64) - self.C) @ self.R.T
        z = pc[..., 2]
        zs = np.where(z > 1e-6, z, 1e-6)
        return W / 2 + self.f * pc[..., 0] / zs, H / 2 + self.f * pc[..., 1] / zs, z

    def depth(self, P):
        """Depth (along the optical axis) of one world point."""
        return float((np.asarray(P, np.float64) - self.C) @ self.R[2])


def _camera_kind(rng, r):
    """Which camera films a ball of final radius r px: broadcast cameras show small balls, tripods at the
    sideline all sizes up to the largest (then the radius stays log-uniform over the data set)."""
    kinds = ['broadcast', 'stand', 'tripod']
    p = [0.45, 0.3, 0.25] if r < 8 else ([0.0, 0.4, 0.6] if r < 16 else [0.0, 0.0, 1.0])
    return kinds[rng.choice(3, p=p)]


def _make_camera(rng, kind, venue, r_render):
    """A camera of `kind`. 'broadcast': high and far, its focal length set so that a ball at the view target is
    r_render px large; 'stand': a phone held in the stands; 'tripod': a phone 1.2-3 m high at the sideline or
    behind the goal line (wide or zoomed, tilted and rolled a little)."""
    (Lx, Ly), (Fx, Fy) = venue.court, venue.floor
    if kind == 'broadcast':
        if venue.indoor:
            back, hgt = rng.uniform(1, 10), rng.uniform(5, venue.ceil_h - 1)
        else:
            back, hgt = rng.uniform(4, 30), rng.uniform(8, 25)
        C = (rng.uniform(-0.5, 0.5) * Lx, -(Fy + back), hgt)
        T = (rng.uniform(-0.9, 0.9) * Lx, rng.uniform(-0.8, 0.8) * Ly, 0.0)
        dist = np.linalg.norm(np.subtract(T, C))
        f = np.clip(r_render * dist / venue.ball_r, W / 2 / np.tan(np.radians(35)), W / 2 / np.tan(np.radians(1.2)))
        roll = rng.normal(0, 0.01)
    elif kind == 'stand':
        top = venue.ceil_h - 1 if venue.indoor else 9
        C = (rng.uniform(-0.8, 0.8) * Lx, -(Fy + rng.uniform(0.5, 10)), rng.uniform(2.5, top))
        T = (rng.uniform(-0.9, 0.9) * Lx, rng.uniform(-0.8, 0.8) * Ly, rng.uniform(-1, 1))
        hfov = rng.uniform(50, 80) if rng.random() < 0.7 else rng.uniform(15, 45)
        f = W / 2 / np.tan(np.radians(hfov / 2))
        roll = rng.normal(0, 0.03)
    else:
        h = rng.uniform(1.2, 3.0)
        if rng.random() < 0.75:   # at the near sideline, looking across
            C = np.array([rng.uniform(-0.9, 0.9) * Lx, -rng.uniform(Ly + 0.3, Fy - 0.3), h])
            az = np.pi / 2 + rng.uniform(-0.9, 0.9)
        else:                     # behind a goal line, looking along the court
            sgn = _pick(rng, (-1, 1))
            C = np.array([sgn * rng.uniform(Lx + 0.3, Fx - 0.3), rng.uniform(-0.7, 0.7) * Ly, h])
            az = (np.pi if sgn > 0 else 0.0) + rng.uniform(-0.6, 0.6)
        d = _loguniform(rng, 5, 40)
        T = C + np.array([d * np.cos(az), d * np.sin(az), rng.uniform(0.0, 1.5) - h])
        hfov = rng.uniform(55, 85) if rng.random() < 0.7 else rng.uniform(20, 50)
        f = W / 2 / np.tan(np.radians(hfov / 2))
        roll = float(np.clip(rng.normal(0, 0.035), -0.1, 0.1))
    return Camera(C, T, f, roll)


# ============================================================================ venue
class Venue:
    """Everything about the place that is drawn: surface, court layouts, surroundings, goals, lights."""


SCENES = [('grass', 0.25), ('turf', 0.16), ('wood', 0.19), ('synthetic', 0.19), ('clay', 0.05), ('hard', 0.08),
          ('sand', 0.08)]   # surface kind and its share of the frames
INDOOR_SPORTS = ['handball', 'futsal', 'basketball', 'volleyball']
SPORT_BALL = {'handball': 'handball', 'futsal': 'futsal', 'basketball': 'basketball', 'volleyball': 'volleyball',
              'beach': 'volleyball', 'tennis': 'tennis', 'football': 'football'}
MAX_PLAYERS = dict(football=16, futsal=8, handball=12, basketball=9, volleyball=10, beach=4, tennis=2)


def _line_width(rng, name):
    """Painted line width (metres) of a layout."""
    if name.startswith('football'):
        return rng.uniform(0.08, 0.13) if name != 'football_small' else rng.uniform(0.06, 0.1)
    return rng.uniform(0.04, 0.06) if name != 'beach' else rng.uniform(0.05, 0.08)


def _make_venue(rng):
    """Surface, sport, court layouts (the main one and, indoors, those of other sports in other colours), floor
    size, the ball kind, looks and surroundings."""
    v = Venue()
    names, p = zip(*SCENES)
    v.surface = names[rng.choice(len(names), p=np.array(p) / sum(p))]
    v.indoor = v.surface in ('wood', 'synthetic')
    lines = []   # (layout name, line colour, paint colour of its areas or None)
    v.goal_scale = 0.0
    if v.surface in ('grass', 'turf'):
        name = _pick(rng, ['football', 'football', 'football9', 'football7', 'football5'])
        v.sport = 'football'
        lines.append((name, WHITE, None))
        v.goal_scale = FOOTBALL_SCALE[name]
        if v.surface == 'turf' and name == 'football' and rng.random() < 0.5:
            lines.append(('football_small', _pick(rng, [YELLOW, BLUE, WHITE, RED]), None))
        v.court = Court.get(name).half
        margin = (rng.uniform(3, 8), rng.uniform(3, 8))
    elif v.indoor:
        v.sport = _pick(rng, INDOOR_SPORTS)
        cols = [c for c in LINE_COLOURS]
        rng.shuffle(cols)
        others = [s for s in INDOOR_SPORTS + ['badminton'] if s != v.sport and rng.random() < 0.45]
        for i, name in enumerate([v.sport] + others):
            paint = _hsv(rng.random(), rng.uniform(0.3, 0.8), rng.uniform(0.3, 0.8)) if rng.random() < 0.3 else None
            lines.append((name, cols[i % len(cols)], paint))
        v.court = Court.get(v.sport).half
        half = np.max([Court.get(n).half for n, _, _ in lines], axis=0)   # room for every layout
        margin = (half[0] - v.court[0] + rng.uniform(1.0, 4.0), max(half[1] - v.court[1], 0) + rng.uniform(1.5, 5.0))
    elif v.surface in ('clay', 'hard'):
        v.sport = 'tennis' if (v.surface == 'clay' or rng.random() < 0.6) else 'basketball'
        lines.append((v.sport, WHITE, None))
        v.court = Court.get(v.sport).half
        margin = (rng.uniform(4, 7), rng.uniform(3, 6))
    else:
        v.sport = 'beach'
        lines.append(('beach', _pick(rng, [BLUE, RED, YELLOW, NAVY]), None))
        v.court = Court.get('beach').half
        margin = (rng.uniform(4, 10), rng.uniform(4, 10))
    v.lines = [(Court.get(n), np.asarray(c, np.float32), _line_width(rng, n) / 2, paint) for n, c, paint in lines]
    v.floor = (v.court[0] + margin[0], v.court[1] + margin[1])
    ball = SPORT_BALL[v.sport]
    if v.sport == 'football' and rng.random() < 0.15:
        ball = 'rugby'
    if v.sport == 'futsal' and rng.random() < 0.3:
        ball = 'football'
    if v.sport == 'beach' and rng.random() < 0.2:
        ball = 'football'
    if rng.random() < 0.1:
        ball = _pick(rng, list(BALL_SIZE))
    v.ball = ball
    bs = BALL_SIZE[ball]
    v.ball_r = float(np.mean(bs)) if isinstance(bs, tuple) else bs
    _venue_looks(rng, v)
    _venue_surroundings(rng, v)
    return v


def _venue_looks(rng, v):
    """Floor colours and textures."""
    s = v.surface
    v.floor_noise = rng.uniform(0.02, 0.07)
    v.fine = rng.uniform(0.01, 0.04)
    v.patch = rng.uniform(2, 8)   # metres: size of the floor's colour patches
    if s == 'grass':
        v.base = _hsv(rng.uniform(0.22, 0.33), rng.uniform(0.45, 0.85), rng.uniform(0.3, 0.65))
        v.stripe_w, v.stripe_a, v.stripe_axis = rng.uniform(4, 9), rng.uniform(0.0, 0.14), int(rng.random() < 0.25)
        v.wear = rng.uniform(0, 0.6)
    elif s == 'turf':
        v.base = _pick(rng, [_hsv(rng.uniform(0.25, 0.36), rng.uniform(0.55, 0.9), rng.uniform(0.35, 0.6))] * 4
                       + [_hsv(rng.uniform(0.55, 0.62), 0.7, 0.5), _hsv(rng.uniform(0.0, 0.03), 0.65, 0.45)])
        v.stripe_w, v.stripe_a, v.stripe_axis = rng.uniform(4, 6), rng.uniform(0.0, 0.07), 0
        v.wear, v.fine = 0.0, rng.uniform(0.03, 0.07)
    elif s == 'wood':
        v.base = _pick(rng, [_hsv(rng.uniform(0.07, 0.1), rng.uniform(0.3, 0.5), rng.uniform(0.7, 0.9)),
                             _hsv(rng.uniform(0.05, 0.09), rng.uniform(0.45, 0.7), rng.uniform(0.4, 0.62))])
        v.plank_w, v.plank_l = rng.uniform(0.05, 0.12), rng.uniform(0.5, 2.5)
        v.plank_var = rng.uniform(0.05, 0.18)
        v.gloss = rng.uniform(0.05, 0.4)
    elif s == 'synthetic':
        opts = [BLUE, (0.15, 0.45, 0.3), ORANGE, GREY, (0.6, 0.2, 0.15), (0.3, 0.55, 0.75), (0.75, 0.45, 0.2)]
        v.base = _col(_pick(rng, opts), 0.25, rng) * rng.uniform(0.6, 1.0)
        v.runoff = _col(_pick(rng, opts), 0.25, rng) * rng.uniform(0.6, 1.0) if rng.random() < 0.6 else v.base
        v.gloss = rng.uniform(0.0, 0.25)
    elif s == 'clay':
        v.base = _hsv(rng.uniform(0.03, 0.07), rng.uniform(0.5, 0.75), rng.uniform(0.5, 0.75))
    elif s == 'hard':
        v.base = _pick(rng, [_hsv(rng.uniform(0.55, 0.62), 0.6, rng.uniform(0.35, 0.6)),
                             _hsv(rng.uniform(0.3, 0.42), 0.5, rng.uniform(0.3, 0.5)),
                             _hsv(rng.uniform(0.0, 0.04), 0.6, rng.uniform(0.4, 0.6))])
        v.runoff = _pick(rng, [_hsv(rng.uniform(0.3, 0.42), 0.5, rng.uniform(0.3, 0.5)), v.base * 0.85,
                               _hsv(0, 0, rng.uniform(0.3, 0.5))])
        v.court_pad = (rng.uniform(3, 6), rng.uniform(2, 4))
    else:
        v.base = _hsv(rng.uniform(0.09, 0.12), rng.uniform(0.2, 0.45), rng.uniform(0.62, 0.9))
        v.fine, v.patch = rng.uniform(0.05, 0.1), rng.uniform(0.5, 3)
    v.surround = _pick(rng, [_hsv(0, 0, rng.uniform(0.25, 0.5)), _hsv(0.28, 0.5, rng.uniform(0.25, 0.45)),
                             _hsv(0.02, 0.55, rng.uniform(0.35, 0.5))])   # concrete / grass / athletics track


def _venue_surroundings(rng, v):
    """Walls, boards, stands, ceiling, backdrop, goals and nets."""
    v.hash_seed = int(rng.integers(1 << 20))
    v.ceil_h = rng.uniform(7, 13) if v.indoor else None
    v.arena = rng.random() < 0.3 and (v.indoor or v.surface in ('grass', 'turf'))   # stands all around
    v.sides = []
    for axis, sign in ((0, 1), (0, -1), (1, 1), (1, -1)):
        side = dict(axis=axis, sign=sign, d=v.floor[axis], surfaces=[])
        if v.indoor and not v.arena:
            side['surfaces'].append(('wall', 0.0, 0.0, v.ceil_h))
        else:
            if v.surface in ('clay', 'hard') or (v.surface in ('grass', 'turf', 'sand') and rng.random() < 0.35):
                side['fence'] = rng.uniform(1.1, 5.0) if v.surface != 'sand' else rng.uniform(1.0, 2.0)
            elif v.surface != 'sand' or rng.random() < 0.3:
                side['surfaces'].append(('boards', 0.0, 0.0, rng.uniform(0.8, 1.1)))
            if v.arena or (not v.indoor and rng.random() < 0.3):
                e0, z0 = rng.uniform(0.5, 4.0), rng.uniform(0.8, 2.5)
                depth, slope = rng.uniform(6, 30), np.tan(np.radians(rng.uniform(22, 36)))
                top = z0 + depth * slope
                side['surfaces'] += [('front', e0, 0.0, z0), ('stand', e0, z0, slope, e0 + depth),
                                     ('back', e0 + depth, top, v.ceil_h if v.indoor else top + rng.uniform(0, 8))]
            elif v.indoor:
                side['surfaces'].append(('wall', rng.uniform(0.5, 3.0), 0.0, v.ceil_h))
            if not v.indoor:
                side['surfaces'].append(('backdrop', rng.uniform(15, 70), 0.0, rng.uniform(6, 25)))
        v.sides.append(side)
    # looks of the surroundings
    v.board_seg = rng.uniform(3, 8)
    v.board_cols = [_hsv(rng.random(), rng.uniform(0.2, 1), rng.uniform(0.25, 1)) for _ in range(7)]
    v.board_ink = [_hsv(rng.random(), rng.uniform(0, 1), _pick(rng, [0.1, 0.95])) for _ in range(7)]
    v.led = rng.random() < 0.4
    v.wall = _pick(rng, [_hsv(rng.uniform(0.1, 0.15), 0.15, 0.85), _hsv(0, 0, rng.uniform(0.6, 0.9)),
                         _hsv(rng.uniform(0.5, 0.65), rng.uniform(0.2, 0.6), rng.uniform(0.4, 0.8)),
                         _hsv(rng.uniform(0.1, 0.17), rng.uniform(0.4, 0.7), rng.uniform(0.6, 0.9)),
                         _hsv(rng.uniform(0.25, 0.4), rng.uniform(0.2, 0.5), rng.uniform(0.5, 0.8))])
    v.wall_top = v.wall * rng.uniform(0.7, 1.1) if rng.random() < 0.5 else _hsv(0, 0, rng.uniform(0.6, 0.9))
    v.pad_h, v.pad = rng.uniform(1.6, 2.4), _col(_pick(rng, [BLUE, NAVY, RED, GREEN, GREY, (0.2, 0.2, 0.25)]), 0.2, rng)
    v.pad_seam = rng.uniform(1.0, 2.0)
    v.windows = (rng.uniform(3.5, 5.5), rng.uniform(6.0, 8.0)) if rng.random() < 0.6 else None
    v.crowd_occ = rng.uniform(0.15, 0.95)
    v.seat = _col(_pick(rng, [BLUE, RED, GREEN, GREY, YELLOW, ORANGE, NAVY]), 0.2, rng) * rng.uniform(0.5, 0.9)
    v.ceiling = _hsv(rng.uniform(0, 1), rng.uniform(0, 0.15), rng.uniform(0.15, 0.85))
    v.beam = (rng.uniform(3, 7), rng.uniform(0.2, 0.6))
    v.lamp_sp = (rng.uniform(4, 9), rng.uniform(4, 9))
    v.lamp_round = rng.random() < 0.5
    v.lamp_size = (rng.uniform(0.2, 0.45),) * 2 if v.lamp_round else (rng.uniform(0.6, 1.6), rng.uniform(0.15, 0.5))
    v.trees = _hsv(rng.uniform(0.2, 0.35), rng.uniform(0.3, 0.7), rng.uniform(0.12, 0.35))
    v.building_p = rng.uniform(0, 0.6)
    v.posters = [(rng.uniform(-v.floor[0], v.floor[0]), rng.uniform(2.5, 5), rng.uniform(1, 4), rng.uniform(0.6, 2),
                  _hsv(rng.random(), rng.uniform(0.3, 1), rng.uniform(0.2, 1))) for _ in range(int(rng.integers(0, 5)))]
    v.doors = [(rng.uniform(-v.floor[0] + 2, v.floor[0] - 2), rng.uniform(1.0, 2.2), rng.uniform(2.1, 2.5))
               for _ in range(int(rng.integers(0, 4)))]
    v.door = _col(_pick(rng, [_hsv(0.08, 0.5, 0.5), GREY, _col(RED) * 0.7, _col(BLUE) * 0.7, _hsv(0, 0, 0.8)]))
    v.bars = (rng.uniform(-v.floor[0], v.floor[0] - 8), rng.uniform(3, 10)) if rng.random() < 0.5 else None
    v.back = rng.uniform(0.15, 0.4)
    v.fence_col = _hsv(rng.uniform(0.25, 0.45), rng.uniform(0, 0.5), rng.uniform(0.1, 0.5))


# ============================================================================ lighting
class Light:
    """Scene lighting: kind, light direction (towards the light), shadow casters, exposure, colour cast, sky."""


def _make_light(rng, v):
    """Indoor: gym, dim or bright (TV) lighting from above; outdoor: day, overcast, dusk, floodlight or night."""
    L = Light()
    L.flicker = 0.0
    L.points = []               # floodlight positions (their shadows and light pools)
    L.noise = rng.uniform(0.003, 0.02)
    if v.indoor:
        L.kind = _pick(rng, ['gym', 'gym', 'gym', 'dim', 'bright'])   # bright: TV lighting on the court
        L.exposure = dict(gym=rng.uniform(0.75, 1.1), dim=rng.uniform(0.45, 0.7), bright=rng.uniform(0.9, 1.15))[L.kind]
        L.cast = _pick(rng, [np.array([1.08, 1.0, 0.85]), np.array([0.95, 1.03, 0.95]), np.array([0.92, 0.98, 1.08]),
                             np.ones(3)]) * (1 + rng.uniform(-0.04, 0.04, 3))
        L.sun = np.array([rng.normal(0, 0.3), rng.normal(0, 0.3), 1.0])
        L.shadow = ('blob', rng.uniform(0.2, 0.45))
        L.ambient, L.spec = rng.uniform(0.5, 0.75), rng.uniform(0.2, 0.5)
        L.lamp = rng.uniform(1.3, 2.5)
        L.flicker = rng.uniform(0.03, 0.12) if rng.random() < 0.25 else 0.0
        if L.kind == 'dim':
            L.noise = rng.uniform(0.01, 0.035)
        L.sky = None
    else:
        L.kind = _pick(rng, ['day', 'day', 'day', 'overcast', 'overcast', 'dusk', 'flood', 'flood', 'night'])
        az = rng.uniform(0, 2 * np.pi)
        el = np.radians(dict(day=rng.uniform(25, 70), overcast=rng.uniform(60, 85), dusk=rng.uniform(3, 14),
                             flood=rng.uniform(35, 60), night=rng.uniform(35, 60))[L.kind])
        L.sun = np.array([np.cos(az) * np.cos(el), np.sin(az) * np.cos(el), np.sin(el)])
        L.lamp = rng.uniform(1.5, 3.0)
        if L.kind in ('flood', 'night'):
            fx, fy, fh = v.floor[0] + rng.uniform(1, 5), v.floor[1] + rng.uniform(1, 5), rng.uniform(15, 30)
            corners = [(sx * fx, sy * fy, fh) for sx in (-1, 1) for sy in (-1, 1)]
            L.points = [np.array(c) for c in corners if rng.random() < 0.85] or [np.array(corners[0])]
            L.shadow = ('points', rng.uniform(0.12, 0.28))
            L.exposure = rng.uniform(0.7, 1.0) if L.kind == 'flood' else rng.uniform(0.35, 0.6)
            L.cast = _pick(rng, [np.array([1.12, 0.98, 0.78]), np.array([0.9, 0.98, 1.1]), np.ones(3)])
            L.cast = L.cast * (1 + rng.uniform(-0.05, 0.05, 3))
            L.ambient, L.spec = rng.uniform(0.4, 0.6), rng.uniform(0.3, 0.6)
            L.noise = rng.uniform(0.01, 0.03) if L.kind == 'flood' else rng.uniform(0.02, 0.05)
            L.sky = (_hsv(0.62, 0.6, rng.uniform(0.04, 0.15)), _hsv(0.65, 0.7, rng.uniform(0.0, 0.05)), 0.0)
        elif L.kind == 'dusk':
            L.shadow = ('sun', rng.uniform(0.2, 0.4))
            L.exposure = rng.uniform(0.55, 0.85)
            L.cast = np.array([1.12, 0.96, 0.8]) * (1 + rng.uniform(-0.05, 0.05, 3))
            L.ambient, L.spec = rng.uniform(0.5, 0.7), rng.uniform(0.2, 0.4)
            L.sky = (_hsv(rng.uniform(0.0, 0.1), rng.uniform(0.4, 0.7), rng.uniform(0.6, 0.95)),
                     _hsv(rng.uniform(0.6, 0.72), rng.uniform(0.4, 0.7), rng.uniform(0.15, 0.45)), rng.uniform(0, 0.5))
        else:
            overcast = L.kind == 'overcast'
            L.shadow = ('blob', rng.uniform(0.15, 0.3)) if overcast else ('sun', rng.uniform(0.3, 0.6))
            L.exposure = rng.uniform(0.75, 1.0) if overcast else rng.uniform(0.9, 1.15)
            L.cast = np.ones(3) * (1 + rng.uniform(-0.05, 0.05, 3))
            if overcast:
                L.ambient, L.spec = rng.uniform(0.7, 0.85), 0.15
            else:
                L.ambient, L.spec = rng.uniform(0.45, 0.65), rng.uniform(0.3, 0.6)
            grey = rng.uniform(0.7, 0.92)
            if overcast:
                L.sky = ((grey, grey, grey + 0.02), (grey - 0.1,) * 3, 0.0)   # (horizon, zenith, clouds)
            else:
                L.sky = (np.array([0.75, 0.85, 0.95]) * rng.uniform(0.85, 1.05),
                         np.array([0.3, 0.55, 0.9]) * rng.uniform(0.7, 1.05), rng.uniform(0, 0.7))
    L.sun = L.sun / np.linalg.norm(L.sun)
    L.gain = (L.exposure * L.cast).astype(np.float32)
    return L


# ============================================================================ background (ray-traced venue)
def _pal(cols, idx):
    return np.asarray(cols, np.float32)[np.asarray(idx, np.int64) % len(cols)]


def _shade_ground(rng, v, gx, gy, m, noise):
    """Colour (N, 3) of ground points (x, y) seen with pixel footprint m (metres): floor texture, painted areas
    and court lines; noise: per-pixel unit noise."""
    low = _world_noise(rng, gx, gy, v.patch) * 0.7 + _world_noise(rng, gx, gy, v.patch * 0.2) * 0.3
    (Lx, Ly), (Fx, Fy), s = v.court, v.floor, v.surface
    lum = 1 + v.floor_noise * low + v.fine * noise
    base = np.broadcast_to(v.base, gx.shape + (3,))
    if s in ('grass', 'turf'):
        coord = gx if v.stripe_axis == 0 else gy
        lum = lum + v.stripe_a * np.tanh(3 * np.sin(np.pi * coord / v.stripe_w)) * np.clip(v.stripe_w / (4 * m), 0, 1)
        if s == 'turf':
            lum = lum - 0.35 * (noise > 2.0)
    elif s == 'wood':
        row = np.floor(gy / v.plank_w)
        k = np.floor(gx / v.plank_l + _hash(row, 0, v.hash_seed))
        aa = np.clip(1.5 - m / v.plank_w, 0, 1)
        grain = 0.05 * np.sin(gx * (20 + 15 * _hash(row, k, v.hash_seed + 1)) + 6 * _hash(row, k, v.hash_seed + 2))
        lum = lum + aa * (v.plank_var * 2 * (_hash(row, k, v.hash_seed) - 0.5) + grain * np.clip(0.02 / m, 0, 1))
        lum = lum - 0.25 * _stripe_cov(gy, v.plank_w, 0.004, m) - 0.2 * _stripe_cov(gx + _hash(row, 0, v.hash_seed) *
                                                                                    v.plank_l, v.plank_l, 0.004, m)
    elif s in ('synthetic', 'hard'):
        pad = v.court_pad if s == 'hard' else (0.0, 0.0)
        inner = np.minimum(Lx + pad[0] - np.abs(gx), Ly + pad[1] - np.abs(gy))
        a = np.clip(inner / m + 0.5, 0, 1)[..., None]
        base = v.base * a + v.runoff * (1 - a)
    elif s == 'clay':
        lum = lum + 0.04 * np.sin(gy * 2.5 + 3 * low) + 0.03 * np.sin(gx * 0.7)
    col = base * lum[..., None]
    if s == 'grass' and v.wear > 0:
        w = v.wear * np.exp(-((np.abs(gx) - (Lx - 6)) ** 2 / 40 + gy ** 2 / 60))[..., None]
        col = col * (1 - w) + np.array([0.42, 0.35, 0.22], np.float32) * lum[..., None] * w
    outside = np.maximum(np.abs(gx) - Fx, np.abs(gy) - Fy)
    a = np.clip(outside / m + 0.5, 0, 1)[..., None]
    col = col * (1 - a) + v.surround * (1 + 0.05 * noise)[..., None] * a
    for court, lcol, hw, paint in v.lines:
        mx, my = court.maps(gx, gy)
        if paint is not None and court.fill is not None:
            p = court.painted(mx, my)[..., None]
            col = col * (1 - p) + paint * lum[..., None] * p
        c = (court.lines(mx, my, hw, m) * (1 - a[..., 0]))[..., None]
        col = col * (1 - c) + lcol * (0.95 + 0.5 * v.fine * noise)[..., None] * c
    return col


def _shade_boards(v, L, s, z, h, side, m):
    """Advertising boards: segments with colours, glyph rows, round logos; LED boards glow at night."""
    k = np.floor((s + 1000) / v.board_seg).astype(np.int64)
    u = _frac((s + 1000) / v.board_seg)
    idx = (_hash(k, side, v.hash_seed) * 7).astype(np.int64)
    col = _pal(v.board_cols, idx)
    ink = _pal(v.board_ink, idx + 3)
    zn = z / h
    ng = max(int(v.board_seg / 0.35), 4)
    g = np.floor(u * ng)
    glyph = (_hash(g, k, v.hash_seed + 5) < 0.7) & (np.abs(zn - 0.5) < 0.22) & (np.abs(u - 0.5) < 0.4) & \
        (_frac(u * ng) > 0.15) & (_hash(g, np.floor(zn * 6), v.hash_seed) < 0.85)
    logo = _hash(k, side, v.hash_seed + 9) < 0.35
    sc = (0.15 + 0.2 * _hash(k, 1, v.hash_seed)) * v.board_seg
    dl = np.hypot(u * v.board_seg - sc, z - h / 2) - h * 0.33
    c_logo = np.clip(0.5 - dl / m, 0, 1) * logo
    glyph = glyph & ~(logo & (u * v.board_seg < sc + h * 0.4))
    out = np.where(glyph[:, None], ink, col)
    out = out * (1 - c_logo[:, None]) + _pal(LOGO_COLOURS, idx) * c_logo[:, None]
    out = np.where((z > h - 0.04)[:, None], out * 0.3, out)
    if v.led:
        out = out * (1.0 / L.exposure if L.kind in ('flood', 'night', 'bright', 'dim') else 1.1)
    return out


def _shade_wall(v, L, s, z, side, m):
    """Gym wall: paint, padding with seams, doors, wall bars, high windows, posters."""
    n = len(s)
    out = np.broadcast_to(np.where(z[:, None] > 3.0, v.wall_top, v.wall), (n, 3)).copy()
    pad = z < v.pad_h
    seam = _stripe_cov(s, v.pad_seam, 0.02, m)
    out[pad] = v.pad * (1 - 0.4 * seam[pad])[:, None]
    if v.bars is not None and side % 2 == 0:
        bars = (s > v.bars[0]) & (s < v.bars[0] + v.bars[1]) & (z < 2.6)
        wood = np.maximum(_stripe_cov(s, 0.9, 0.06, m), _stripe_cov(z, 0.15, 0.035, m))
        out[bars] = (v.wall * 0.8 * (1 - wood[bars, None]) + np.array([0.75, 0.55, 0.3], np.float32) * wood[bars, None])
    for ds, dw, dh in v.doors[side::2]:
        door = (np.abs(s - ds) < dw / 2) & (z < dh)
        frame = (np.abs(np.abs(s - ds) - dw / 2) < 0.05) | (np.abs(z - dh) < 0.05)
        out[door] = np.where(frame[door, None], v.door * 0.5, v.door)
    if v.windows is not None and side >= 2:
        win = (z > v.windows[0]) & (z < v.windows[1])
        mull = np.maximum(_stripe_cov(s, 1.6, 0.1, m), _stripe_cov(z, 1.2, 0.08, m))
        glass = np.array([0.85, 0.9, 0.95], np.float32) * (1.3 / L.exposure if L.kind != 'dim' else 0.5)
        out[win] = glass * (1 - mull[win, None]) + np.float32(0.3) * mull[win, None]
    for ps, pz, pw, ph, pc in v.posters[side::2]:
        p = (np.abs(s - ps) < pw / 2) & (np.abs(z - pz) < ph / 2)
        ring = np.hypot(s - ps, z - pz) < min(pw, ph) * 0.3
        out[p] = np.where(ring[p, None], np.float32(0.95), pc)
    return out


def _shade_stand(v, L, s, e, side):
    """Stands: rows of seats with people (shirt, skin, hair) where occupied; aisles; far away the cells alias
    into crowd noise as they do in a real frame."""
    cs, ce = 0.5, 0.8
    i, j = np.floor(s / cs), np.floor(e / ce)
    fs, fe = _frac(s / cs), _frac(e / ce)
    hseed = v.hash_seed + 31 * side
    occ = _hash(i, j, hseed) < v.crowd_occ
    shirt = _pal(KIT_COLOURS, (_hash(i, j, hseed + 1) * 64).astype(np.int64))
    shirt = shirt * (0.5 + 0.5 * _hash(i, j, hseed + 2))[:, None]
    skin = _pal([_hsv(0.06, 0.45, 0.3 + 0.6 * q) for q in (0.1, 0.5, 0.9)], (_hash(i, j, hseed + 3) * 3).astype(int))
    head = ((fs - 0.5) / 0.2) ** 2 + ((fe - 0.72) / 0.22) ** 2 < 1
    body = (np.abs(fs - 0.5) < 0.32) & (fe < 0.6)
    seatback = (np.abs(fs - 0.5) < 0.42) & (fe > 0.15) & (fe < 0.55)
    riser = (0.35 * (1 - 0.4 * (fe < 0.12)))[:, None] * np.ones(3, np.float32)
    out = np.where(seatback[:, None], v.seat, riser)
    person = np.where(head[:, None], skin, shirt)
    out = np.where((occ & (head | body))[:, None], person, out)
    aisle = _frac(s / 12.0) < 0.1
    out[aisle] = 0.45 * (1 - 0.5 * (fe[aisle, None] < 0.2))
    if L.kind == 'bright':   # the court is lit, the stands are not
        out = out * 0.45
    return out


def _shade_backdrop(v, L, s, z, side):
    """Far surroundings: tree lines and buildings with windows (lit at night)."""
    seed = v.hash_seed + 77 * side
    cell = np.floor(s / 25.0)
    bld = _hash(cell, 0, seed) < v.building_p
    bh = 6 + 25 * _hash(cell, 1, seed)
    facade = _pal([(0.6, 0.58, 0.55), (0.7, 0.65, 0.55), (0.45, 0.45, 0.5), (0.75, 0.75, 0.78), (0.55, 0.4, 0.3)],
                  (_hash(cell, 2, seed) * 5).astype(np.int64))
    win = (_frac(s / 3.0) > 0.35) & (_frac(z / 3.0) > 0.4)
    lit = (_hash(np.floor(s / 3.0), np.floor(z / 3.0), seed) < 0.4) & (L.kind in ('night', 'flood', 'dusk'))
    wcol = np.where(lit[:, None], np.array([1.4, 1.2, 0.7], np.float32) / L.exposure, facade * 0.45)
    bcol = np.where(win[:, None], wcol, facade)
    leaf = v.trees * (0.55 + 0.5 * _value_noise(s, z, 1.2, seed) + 0.3 * _value_noise(s, z, 0.3, seed + 1))[:, None]
    return np.where((bld & (z < bh))[:, None], bcol, leaf)


def _backdrop_top(v, s, side, h):
    """Height profile of the far surroundings along s (tree crowns, building tops)."""
    seed = v.hash_seed + 77 * side
    cell = np.floor(s / 25.0)
    trees = h * (0.6 + 0.25 * np.sin(s / 7.0 + side) + 0.15 * np.sin(s / 2.3 + 2 * side))
    trees = trees + 0.8 * _hash(np.floor(s / 1.5), 5, seed)
    bh = np.where(_hash(cell, 0, seed) < v.building_p, 6 + 25 * _hash(cell, 1, seed), 0)
    return np.maximum(trees, bh)


def _shade_ceiling(v, L, x, y, m):
    """Ceiling with beams and a grid of lamps (round high-bay discs or long panels); returns (albedo, emission)."""
    n = len(x)
    beams = np.maximum(_stripe_cov(x, v.beam[0], v.beam[1], m), _stripe_cov(y, v.beam[0] * 2, v.beam[1], m))
    col = (v.ceiling * (1 - 0.6 * beams)[:, None]).astype(np.float32)
    sx, sy = v.lamp_sp
    ix, iy = np.round(x / sx), np.round(y / sy)
    dx, dy = x - ix * sx, y - iy * sy
    if v.lamp_round:
        cov = np.clip((v.lamp_size[0] - np.hypot(dx, dy)) / m + 0.5, 0, 1)
    else:
        cov = np.clip((v.lamp_size[0] / 2 - np.abs(dx)) / m + 0.5, 0, 1)
        cov = cov * np.clip((v.lamp_size[1] / 2 - np.abs(dy)) / m + 0.5, 0, 1)
    cov = cov * (_hash(ix, iy, v.hash_seed) > 0.08)
    emit = np.zeros((n, 3), np.float32) + (cov * L.lamp / L.exposure)[:, None] * np.array([1.0, 0.98, 0.92], np.float32)
    return col * (1 - cov[:, None]), emit


def _shade_fence(s, z, h, m):
    """Chain-link fence of height h: diamond wire mesh (a veil from afar), posts and a top rail; returns the
    coverage (alpha) per pixel."""
    mesh = np.maximum(_stripe_cov(s + z, 0.07, 0.005, m), _stripe_cov(s - z, 0.07, 0.005, m)) * 0.9
    posts = _stripe_cov(s, 3.0, 0.06, m)
    rail = np.clip((0.03 - np.abs(z - h)) / m + 0.5, 0, 1)
    return np.maximum(np.maximum(mesh, posts), rail)


def _background(rng, cam, v, L):
    """Ray-trace the venue. Returns float32 H x W x 3 (albedo x light + emission, may exceed 1 where things glow),
    the depth of the hit surface (inf for sky), the mask of floor pixels (inside the venue) and the ground
    coordinates (x, y) of the ground pixels. A ray that meets the floor inside the venue meets nothing before
    (the walls and stands stand on or beyond its edge), so only the other rays are traced further."""
    D = cam.rays()
    C = cam.C.astype(np.float32)
    (Fx, Fy) = v.floor
    with np.errstate(divide='ignore', invalid='ignore', over='ignore'):
        tg = np.where(D[..., 2] < -1e-6, -C[2] / D[..., 2], np.inf).astype(np.float32)
        gx, gy = C[0] + tg * D[..., 0], C[1] + tg * D[..., 1]
    floor = np.isfinite(tg) & (tg > NEAR) & (np.abs(gx) <= Fx) & (np.abs(gy) <= Fy)
    rest = ~floor
    Dr = D[rest]
    Dx, Dy, Dz = Dr[:, 0], Dr[:, 1], Dr[:, 2]
    best = np.full(len(Dr), np.inf, np.float32)
    sid = np.full(len(Dr), -1, np.int16)
    surfs, fences = [], []

    def add(t, valid, info):
        sel = valid & (t > NEAR) & (t < best)
        best[sel] = t[sel]
        sid[sel] = len(surfs)
        surfs.append(info)

    with np.errstate(divide='ignore', invalid='ignore', over='ignore'):
        add(tg[rest], np.isfinite(tg[rest]), ('ground', -1, None))
        if v.indoor:
            add((v.ceil_h - C[2]) / Dz, Dz > 1e-6, ('ceiling', -1, None))
        for si, side in enumerate(v.sides):
            ax, sg = side['axis'], side['sign']
            nD = (Dx if ax == 0 else Dy) * sg
            ecam = sg * C[ax] - side['d']
            if ecam > 0:
                continue   # the camera is beyond this side: it stands in (or above) that side's stands
            lat = Dy if ax == 0 else Dx
            for surf in side['surfaces']:
                kind, e = surf[0], surf[1]
                if kind == 'stand':
                    z0, slope, e1 = surf[2:]
                    t = (z0 + (ecam - e) * slope - C[2]) / (Dz - slope * nD)
                    ee = ecam + t * nD
                    add(t, (ee >= e) & (ee <= e1), (kind, si, surf))
                    continue
                t = (e - ecam) / nD
                z = C[2] + t * Dz
                ok = (nD > 1e-6) & (z >= surf[2])
                if kind == 'backdrop':
                    ok &= z <= _backdrop_top(v, C[1 - ax] + t * lat, si, surf[3])
                else:
                    ok &= z <= surf[3]
                add(t, ok, (kind, si, surf))
            if 'fence' in side:
                t = -ecam / nD
                z = C[2] + t * Dz
                fences.append((t, (nD > 1e-6) & (z >= 0) & (z <= side['fence']), si))
    norm = np.sqrt((Dr * Dr).sum(1))
    m = np.maximum(np.where(np.isfinite(best), best, 1e3) * norm / cam.f, 1e-4)
    col = np.zeros((len(Dr), 3), np.float32)
    emit = np.zeros((len(Dr), 3), np.float32)
    noise = _fine_noise(rng)
    # the floor (inside the venue) and the ground beyond it
    ground = np.zeros((H, W), bool)
    ground[rest] = sid == 0
    gsel = floor | ground
    Dg = D[gsel]
    ng = np.sqrt((Dg * Dg).sum(1))
    mg = np.maximum(tg[gsel] * ng / cam.f * np.sqrt(ng / np.maximum(-Dg[:, 2], 1e-3)), 1e-4)
    img = np.zeros((H, W, 3), np.float32)
    if gsel.any():
        img[gsel] = _shade_ground(rng, v, gx[gsel], gy[gsel], mg, noise[gsel])
    for k, (kind, si, surf) in enumerate(surfs):
        sel = sid == k
        if k == 0 or not sel.any():
            continue
        t, mm = best[sel], m[sel]
        P = C + t[:, None] * Dr[sel]
        if kind == 'ceiling':
            col[sel], emit[sel] = _shade_ceiling(v, L, P[:, 0], P[:, 1], mm)
            continue
        side = v.sides[si]
        ax = side['axis']
        s = P[:, 1 - ax]
        if kind == 'boards':
            col[sel] = _shade_boards(v, L, s, P[:, 2], surf[3], si, mm)
        elif kind == 'wall':
            col[sel] = _shade_wall(v, L, s, P[:, 2], si, mm)
        elif kind == 'front':
            col[sel] = _shade_boards(v, L, s, P[:, 2], surf[3], si + 4, mm) if si % 2 else v.wall * 0.5
        elif kind == 'stand':
            e = side['sign'] * P[:, ax] - side['d']
            col[sel] = _shade_stand(v, L, s, (e - surf[1]) * np.sqrt(1 + surf[3] ** 2), si)
        elif kind == 'back':
            col[sel] = (v.back * (1 - 0.5 * _stripe_cov(s, 8.0, 0.6, mm)))[:, None] * np.ones(3, np.float32)
        else:
            col[sel] = _shade_backdrop(v, L, s, P[:, 2], si)
    sky = sid < 0
    if sky.any() and L.sky is not None:
        hor, zen, clouds = L.sky
        el = Dz[sky] / np.sqrt(Dx[sky] ** 2 + Dy[sky] ** 2)
        a = (np.clip(el * 1.5, 0, 1) ** 0.7)[:, None]
        c = np.asarray(hor, np.float32) * (1 - a) + np.asarray(zen, np.float32) * a
        if clouds > 0:
            cl = np.clip((_lowfreq(rng, (3, 6), 1.0)[rest][sky] - 1 + clouds * 1.5) * 1.5, 0, 1)[:, None] * 0.8
            c = c * (1 - cl) + np.asarray(hor, np.float32) * 1.05 * cl
        emit[sky] = c / L.exposure
    for t, ok, si in fences:
        sel = ok & (t < best)
        if sel.any():
            side = v.sides[si]
            P = C + t[sel][:, None] * Dr[sel]
            mf = np.maximum(t[sel] * norm[sel] / cam.f, 1e-4)
            a = _shade_fence(P[:, 1 - side['axis']], P[:, 2], side['fence'], mf)[:, None]
            col[sel] = col[sel] * (1 - a) + v.fence_col * a
            emit[sel] = emit[sel] * (1 - a)
    rest_img = np.where((sid == 0)[:, None], img[rest], col)
    img[rest] = (rest_img + emit) * L.gain
    img[floor] *= L.gain
    depth = tg.copy()
    depth[rest] = best
    return img, depth, floor, np.where(gsel, gx, 0).astype(np.float32), np.where(gsel, gy, 0).astype(np.float32)


# ============================================================================ drawing objects
class Canvas:
    """The uint8 frame that objects are drawn on (anti-aliased cv2 primitives, colours are albedos scaled by the
    scene light), plus a layer-id buffer: opaque primitives also write the id of the object being drawn, so a
    ball's visible part is where no object drawn after it wrote a larger id."""

    def __init__(self, img, gain):
        self.img, self.gain = img, np.asarray(gain, np.float32)
        self.lid = np.zeros((H, W), np.uint8)
        self.id = 0

    def next_object(self):
        self.id = min(self.id + 1, 255)
        return self.id

    def c(self, col, emissive=False):
        col = np.asarray(col, np.float32) * (1.0 if emissive else self.gain)
        return tuple(float(x) for x in np.clip(col * 255, 0, 255))

    @staticmethod
    def q(p):
        """Continuous pixel coordinates -> cv2 fixed point (cv2 puts pixel centres at integers)."""
        return np.round((np.asarray(p, np.float64) - 0.5) * SUB).clip(-(1 << 26), 1 << 26).astype(np.int32)

    def poly(self, pts, col, occlude=True, emissive=False):
        q = self.q(pts).reshape(-1, 2)
        cv2.fillPoly(self.img, [q], self.c(col, emissive), cv2.LINE_AA, SHIFT)
        if occlude:
            cv2.fillPoly(self.lid, [q], self.id, cv2.LINE_8, SHIFT)

    def line(self, a, b, width, col, occlude=True):
        w = int(np.clip(round(width), 1, 2000))
        pa, pb = tuple(int(x) for x in self.q(a)), tuple(int(x) for x in self.q(b))
        cv2.line(self.img, pa, pb, self.c(col), w, cv2.LINE_AA, SHIFT)
        if occlude:
            cv2.line(self.lid, pa, pb, self.id, w, cv2.LINE_8, SHIFT)

    def ellipse(self, c, ax, ay, ang, col, a0=0, a1=360, occlude=True, emissive=False):
        cc = tuple(int(x) for x in self.q(c))
        axes = (int(np.clip(ax * SUB, 1, 1 << 24)), int(np.clip(ay * SUB, 1, 1 << 24)))
        cv2.ellipse(self.img, cc, axes, float(np.degrees(ang)), a0, a1, self.c(col, emissive), -1, cv2.LINE_AA, SHIFT)
        if occlude:
            cv2.ellipse(self.lid, cc, axes, float(np.degrees(ang)), a0, a1, self.id, -1, cv2.LINE_8, SHIFT)

    def thin_lines(self, segs, col, alpha):
        """Semi-transparent 1-px lines (nets, far wires): they do not hide a ball behind them."""
        if not segs:
            return
        pts = np.concatenate([np.asarray(sg, np.float64).reshape(2, 2) for sg in segs])
        x0, y0 = (np.clip(np.floor(pts.min(0)) - 2, 0, [W, H])).astype(int)
        x1, y1 = (np.clip(np.ceil(pts.max(0)) + 3, 0, [W, H])).astype(int)
        if x1 <= x0 or y1 <= y0:
            return
        mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
        q = [self.q(np.asarray(sg, np.float64).reshape(2, 2) - [x0, y0]) for sg in segs]
        cv2.polylines(mask, q, False, 255, 1, cv2.LINE_AA, SHIFT)
        a = (mask.astype(np.float32) * (alpha / 255))[..., None]
        sub = self.img[y0:y1, x0:x1]
        sub[:] = (sub * (1 - a) + np.asarray(self.c(col), np.float32) * a + 0.5).astype(np.uint8)


def _kit(rng):
    """A team kit: shirt (plain, stripes, hoops or halves), shorts, socks, number colour."""
    if rng.random() < 0.75:
        shirt = _col(_pick(rng, KIT_COLOURS), 0.15, rng)
    else:
        shirt = _hsv(rng.random(), rng.uniform(0.3, 1), rng.uniform(0.2, 1))
    shorts = shirt if rng.random() < 0.3 else _col(_pick(rng, [WHITE, BLACK, NAVY, _pick(rng, KIT_COLOURS)]), 0.1, rng)
    socks = _pick(rng, [shirt, shorts, _col(WHITE), _col(BLACK)])
    pattern = _pick(rng, ['plain'] * 5 + ['vstripes', 'hoops', 'half'])
    second = _col(_pick(rng, KIT_COLOURS), 0.1, rng)
    num = _col(WHITE) if shirt.mean() < 0.55 else _col(BLACK)
    return dict(shirt=shirt, shorts=shorts, socks=socks, pattern=pattern, second=second, num=num,
                long=rng.random() < 0.15)


def _person_look(rng, kit, gk=False):
    """A player in `kit`: skin, hair, boots (often white: the classic false positive), shirt number."""
    p = dict(kit)
    p['skin'] = _hsv(rng.uniform(0.03, 0.09), rng.uniform(0.25, 0.65), rng.uniform(0.25, 0.95))
    p['hair'] = _hsv(rng.uniform(0.05, 0.1), rng.uniform(0.2, 0.8), _pick(rng, [0.05, 0.12, 0.25, 0.5, 0.8]))
    p['hair_style'] = _pick(rng, ['short', 'short', 'short', 'long', 'bald', 'band'])
    p['boots'] = _col(_pick(rng, [WHITE, WHITE, BLACK, BLACK, ORANGE, YELLOW, LIME, PINK, BLUE, RED]))
    p['number'] = int(rng.integers(1, 100))
    p['gloves'] = gk
    if gk:
        p['long'] = True
    return p


def _draw_person(cv, cam, foot, height, p, rng, pose):
    """A standing / running / jumping / sitting person as a flat figure on the vertical through `foot`."""
    foot = np.asarray(foot, np.float64)
    u0, v0, z0 = cam.project(foot)
    u1, v1, z1 = cam.project(foot + [0, 0, height])
    if min(z0, z1) < NEAR or v1 > v0 or np.hypot(u1 - u0, v1 - v0) < 0.6 * cam.f * height / ((z0 + z1) / 2):
        return   # behind the lens, or seen from above (a flat figure cannot show that)
    up = np.array([u1 - u0, v1 - v0]) / height
    right = np.array([-up[1], up[0]])
    k, face = height / 1.8, _pick(rng, (-1, 1))
    lift = rng.uniform(0.15, 0.6) if pose == 'jump' else 0.0
    sit = pose == 'sit'
    base = np.array([u0, v0])

    def P(x, h):
        return base + (x * k) * right + (h * k + lift) * up

    sc = np.hypot(*up) * k
    ang = np.arctan2(right[1], right[0])
    th = lambda m: m * sc
    drop = 0.45 if sit else 0.0   # a sitting person: hips at seat height, upper body lowered

    def Q(x, h):
        return P(x, h - drop) if h > 0.6 else P(x, h)

    # legs and boots
    if pose in ('run', 'jump'):
        spread = rng.uniform(0.05, 0.4)
        feet = [(-spread * face, rng.uniform(0, 0.3)), (spread * face, 0.0)]
    else:
        feet = [(-0.12, 0.0), (0.12, 0.0)]
    arm_sw = rng.uniform(-0.9, 0.9)
    arms = [(-0.22, arm_sw), (0.22, -arm_sw)]
    if pose == 'jump' or rng.random() < 0.1:
        arms = [(-0.22, rng.uniform(2.3, 3.1)), (0.22, -rng.uniform(2.3, 3.1))]

    def arm(x, a):
        sh = np.array([x, 1.42 - drop])
        el = sh + 0.3 * np.array([np.sin(a), -np.cos(a)])
        a2 = a + rng.uniform(0, 1.2) * np.sign(x)
        hand = el + 0.27 * np.array([np.sin(a2), -np.cos(a2)])
        cv.line(P(*sh), P(*el), th(0.09), p['shirt'])
        cv.line(P(*el), P(*hand), th(0.075), p['shirt'] if p['long'] else p['skin'])
        cv.ellipse(P(*hand), th(0.05), th(0.05), 0, p['second'] if p['gloves'] else p['skin'])

    arm(*arms[0])
    for hx, (fx, fh) in zip((-0.09, 0.09), feet):
        hip = (hx, 0.92 - drop) if not sit else (hx, 0.47)
        if sit:
            knee = (hx + face * 0.35, 0.47)
        else:
            knee = (fx * 0.5 + hx * 0.5 + face * rng.uniform(0, 0.12), 0.5 + fh * 0.5)
        cv.line(P(*hip), P(*knee), th(0.15), p['shorts'] if p['long'] else p['skin'])
        cv.line(P(*knee), P(fx, fh + 0.1), th(0.11), p['socks'])
        cv.ellipse(P(fx + face * 0.05, fh + 0.05), th(0.14), th(0.055), ang, p['boots'])
    # shorts, shirt and its pattern, number
    cv.poly([Q(-0.19, 1.0), Q(0.19, 1.0), Q(0.21, 0.72), Q(0.02, 0.74), Q(-0.02, 0.74), Q(-0.21, 0.72)], p['shorts'])
    torso = [(-0.17, 0.98), (0.17, 0.98), (0.2, 1.3), (0.23, 1.44), (0.1, 1.5), (-0.1, 1.5), (-0.23, 1.44), (-0.2, 1.3)]
    cv.poly([Q(*t) for t in torso], p['shirt'])
    if p['pattern'] == 'vstripes':
        for x in np.arange(-0.15, 0.16, 0.1):
            cv.poly([Q(x, 0.99), Q(x + 0.05, 0.99), Q(x + 0.05, 1.46), Q(x, 1.46)], p['second'])
    elif p['pattern'] == 'hoops':
        for h in np.arange(1.02, 1.45, 0.14):
            cv.poly([Q(-0.19, h), Q(0.19, h), Q(0.2, h + 0.07), Q(-0.2, h + 0.07)], p['second'])
    elif p['pattern'] == 'half':
        cv.poly([Q(0, 0.98), Q(0.17, 0.98), Q(0.2, 1.3), Q(0.23, 1.44), Q(0, 1.5)], p['second'])
    digit_px = th(0.2)
    if digit_px >= 7:
        txt = str(p['number'])
        fs = digit_px / 22.0
        tw = cv2.getTextSize(txt, cv2.FONT_HERSHEY_SIMPLEX, fs, max(1, int(fs * 2.5)))[0][0]
        c = Q(0, 1.15)
        cv2.putText(cv.img, txt, (int(c[0] - tw / 2), int(c[1])), cv2.FONT_HERSHEY_SIMPLEX, fs, cv.c(p['num']),
                    max(1, int(fs * 2.5)), cv2.LINE_AA)
    arm(*arms[1])
    # neck, head, hair
    lean = rng.uniform(-0.04, 0.04)
    cv.line(Q(0, 1.47), Q(lean, 1.56), th(0.08), p['skin'])
    hc = Q(lean, 1.66)
    if p['hair_style'] == 'long':
        cv.ellipse(Q(lean - face * 0.03, 1.56), th(0.12), th(0.17), ang, p['hair'])
    cv.ellipse(hc, th(0.1), th(0.125), ang, p['skin'])
    if p['hair_style'] != 'bald':
        cv.ellipse(Q(lean, 1.675), th(0.105), th(0.12), ang, p['hair'], 180, 360)
    if p['hair_style'] == 'band':
        cv.line(Q(lean - 0.1, 1.7), Q(lean + 0.1, 1.7), th(0.03), p['second'])


def _ground_poly(cam, pts):
    """Project world points; None if any is behind the near plane."""
    u, v, z = cam.project(np.asarray(pts, np.float64))
    return None if np.any(z < NEAR) else np.stack([u, v], -1)


def _circle_pts(c, r, n=16, z=None):
    a = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return np.stack([c[0] + r * np.cos(a), c[1] + r * np.sin(a), np.full(n, c[2] if z is None else z)], -1)


def _clip_segment(cam, a, b):
    """Image end points of the world segment a-b clipped to the near plane (None if wholly behind it)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    da, db = cam.depth(a), cam.depth(b)
    if da < NEAR and db < NEAR:
        return None
    if da < NEAR:
        a = a + (b - a) * (NEAR - da) / (db - da)
    elif db < NEAR:
        b = b + (a - b) * (NEAR - db) / (da - db)
    u, v, _ = cam.project(np.stack([a, b]))
    return np.stack([u, v], -1), (a + b) / 2


def _post(cv, cam, a, b, thick_m, cols, band=0.2):
    """A pole from a to b (world), in alternating colour bands (handball posts) when len(cols) > 1."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    n = max(int(round(np.linalg.norm(b - a) / band)), 1) if len(cols) > 1 else 1
    for i in range(n):
        seg = _clip_segment(cam, a + (b - a) * i / n, a + (b - a) * (i + 1) / n)
        if seg is not None:
            pp, mid = seg
            cv.line(pp[0], pp[1], cam.f * thick_m / max(cam.depth(mid), NEAR), cols[i % len(cols)])


def _mesh(cam, corners, spacing):
    """Image segments of a net mesh on the quad `corners` (world, c0-c1-c2-c3), at least 3 px per cell."""
    c = np.asarray(corners, np.float64)
    d = max(cam.depth(c.mean(0)), NEAR)
    sp = max(spacing, 3 * d / cam.f)
    nu = int(np.clip(np.linalg.norm(c[1] - c[0]) / sp, 1, 80))
    nv = int(np.clip(np.linalg.norm(c[3] - c[0]) / sp, 1, 80))
    segs = [(c[0] + (c[1] - c[0]) * i / nu, c[3] + (c[2] - c[3]) * i / nu) for i in range(nu + 1)]
    segs += [(c[0] + (c[3] - c[0]) * j / nv, c[1] + (c[2] - c[1]) * j / nv) for j in range(nv + 1)]
    out = [_clip_segment(cam, a, b) for a, b in segs]
    return [o[0] for o in out if o is not None]


def _draw_goal(cv, cam, g):
    x, sgn, w, h, dn, cols, net, thick = g['x'], g['sgn'], g['w'], g['h'], g['depth'], g['cols'], g['net'], g['thick']
    xb = x + sgn * dn
    quads = [[(xb, -w / 2, 0), (xb, w / 2, 0), (xb, w / 2, h * 0.8), (xb, -w / 2, h * 0.8)],
             [(x, -w / 2, h), (x, w / 2, h), (xb, w / 2, h * 0.8), (xb, -w / 2, h * 0.8)],
             [(x, w / 2, 0), (xb, w / 2, 0), (xb, w / 2, h * 0.8), (x, w / 2, h)],
             [(x, -w / 2, 0), (xb, -w / 2, 0), (xb, -w / 2, h * 0.8), (x, -w / 2, h)]]
    cv.thin_lines([sg for qd in quads for sg in _mesh(cam, qd, 0.12)], net[0], net[1])
    _post(cv, cam, (xb, -w / 2, 0), (xb, w / 2, 0), thick * 0.5, [GREY])
    for y in (-w / 2, w / 2):
        _post(cv, cam, (x, y, 0), (x, y, h), thick, cols)
    _post(cv, cam, (x, -w / 2, h), (x, w / 2, h), thick, cols)


def _draw_hoop(cv, cam, g):
    sgn = g['sgn']
    xr, xbb = sgn * (14 - 1.575), sgn * (14 - 1.2)
    _post(cv, cam, (sgn * 15.2, 0, 0), (sgn * 15.2, 0, 3.4), 0.15, [g['pole']])
    _post(cv, cam, (sgn * 15.2, 0, 3.4), (xbb + sgn * 0.1, 0, 3.4), 0.1, [g['pole']])
    board = _ground_poly(cam, [(xbb, -0.9, 2.9), (xbb, 0.9, 2.9), (xbb, 0.9, 3.95), (xbb, -0.9, 3.95)])
    if board is not None:
        cv.poly(board, g['board'])
        inner = _ground_poly(cam, [(xbb, -0.3, 3.0), (xbb, 0.3, 3.0), (xbb, 0.3, 3.45), (xbb, -0.3, 3.45)])
        cv.thin_lines([np.stack([inner[i], inner[(i + 1) % 4]]) for i in range(4)], g['mark'], 0.9)
    ring = _ground_poly(cam, _circle_pts((xr, 0, 3.05), 0.225, 20))
    if ring is not None:
        w = cam.f * 0.02 / max(cam.depth((xr, 0, 3.05)), NEAR)
        for i in range(20):
            cv.line(ring[i], ring[(i + 1) % 20], w, ORANGE)
        low = _ground_poly(cam, _circle_pts((xr, 0, 2.65), 0.13, 20))
        if low is not None:
            cv.thin_lines([np.stack([ring[i], low[i]]) for i in range(20)], WHITE, 0.6)


def _draw_net(cv, cam, g):
    """Volleyball / tennis net across the court at x = 0."""
    yp, top, depth_m, band = g['posts'], g['top'], g['height'], g['band']
    for y in (-yp, yp):
        _post(cv, cam, (0, y, 0), (0, y, g['post_h']), 0.08, [g['post']])
    q = [(0, -yp, top - depth_m), (0, yp, top - depth_m), (0, yp, top), (0, -yp, top)]
    if g['sag']:
        q[1], q[2] = (0, 0.0, top - depth_m), (0, 0.0, g['sag'])
        q2 = [(0, 0.0, top - depth_m), (0, yp, top - depth_m), (0, yp, top), (0, 0.0, g['sag'])]
        cv.thin_lines(_mesh(cam, q2, 0.045), BLACK, g['alpha'])
    cv.thin_lines(_mesh(cam, q, 0.1 if not g['sag'] else 0.045), BLACK, g['alpha'])
    tops = [(0, -yp, top), (0, 0, g['sag'] or top), (0, yp, top)]
    for a, b in zip(tops[:-1], tops[1:]):
        _post(cv, cam, a, b, band, [WHITE])
    for y in g['antennas']:
        _post(cv, cam, (0, y, top - depth_m), (0, y, top + 0.8), 0.02, [RED, WHITE], 0.1)


def _draw_cone(cv, cam, o):
    c, r, h, col = o['pos'], o['r'], o['h'], o['col']
    base = _ground_poly(cam, _circle_pts(c, r, 16))
    apex = _ground_poly(cam, [(c[0], c[1], h)])
    if base is None or apex is None:
        return
    if h < 0.08:   # flat marker disc
        cv.poly(base, col)
        return
    cv.poly(base, np.asarray(col) * 0.7)
    left, right = base[np.argmin(base[:, 0])], base[np.argmax(base[:, 0])]
    cv.poly([left, right, apex[0]], col)


def _draw_bottle(cv, cam, o):
    c, r, h = o['pos'], 0.035, o['h']
    pts = _ground_poly(cam, [(c[0], c[1], 0), (c[0], c[1], h), (c[0], c[1], h + 0.03)])
    if pts is None:
        return
    w = cam.f * 2 * r / max(cam.depth(c), NEAR)
    cv.line(pts[0], pts[1], w, o['col'])
    cv.line(pts[1], pts[2], w * 0.5, o['cap'])


def _draw_bench(cv, cam, o, rng):
    x, y, ln, sgn = o['x'], o['y'], o['len'], o['sgn']
    box = [(x - ln / 2, y, 0), (x + ln / 2, y, 0), (x + ln / 2, y, 0.45), (x - ln / 2, y, 0.45),
           (x - ln / 2, y + sgn * 0.45, 0.45), (x + ln / 2, y + sgn * 0.45, 0.45)]
    pp = _ground_poly(cam, box)
    if pp is None:
        return
    cv.poly(pp[[0, 1, 2, 3]], o['col'])
    cv.poly(pp[[3, 2, 5, 4]], np.asarray(o['col']) * 1.2)
    for i, px in enumerate(np.linspace(x - ln / 2 + 0.3, x + ln / 2 - 0.3, o['n'])):
        look = o['looks'][i % len(o['looks'])]
        _draw_person(cv, cam, (px, y + sgn * 0.2, 0), rng.uniform(1.65, 1.9), look, rng, 'sit')


def _draw_mast(cv, cam, o):
    """Floodlight mast: a pole and a head of lamps facing the court (bright when lit)."""
    p, h = np.asarray(o['pos'], np.float64), o['h']
    _post(cv, cam, (p[0], p[1], 0), (p[0], p[1], h - 1), 0.5, [GREY])
    d = -p[:2] / np.linalg.norm(p[:2])
    t = np.array([-d[1], d[0], 0.0])
    corners = [p + t * s * 2 + [0, 0, z] for s, z in ((-1, -1), (1, -1), (1, 1), (-1, 1))]
    pp = _ground_poly(cam, corners)
    if pp is None:
        return
    cv.poly(pp, (0.15, 0.15, 0.16))
    for i in range(4):
        for j in range(3):
            c = p + t * (-1.5 + i) + [0, 0, -0.6 + j * 0.6]
            q = _ground_poly(cam, [c])
            if q is not None:
                rr = cam.f * 0.22 / max(cam.depth(c), NEAR)
                cv.ellipse(q[0], rr, rr, 0, (1, 1, 0.95) if o['lit'] else (0.6, 0.6, 0.6), emissive=o['lit'])


# ============================================================================ balls
_PHI = (1 + 5 ** 0.5) / 2


def _unit(v):
    v = np.asarray(v, np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _cyc(v):
    v = np.asarray(v, np.float32)
    return np.concatenate([v, v[:, [2, 0, 1]], v[:, [1, 2, 0]]])


_SIGNS = np.array([(a, b) for a in (-1, 1) for b in (-1, 1)], np.float32)
ICO = _unit(_cyc([(0, a, b * _PHI) for a, b in _SIGNS]))                                   # 12 pentagon centres
DOD = _unit(np.concatenate([[(a, b, c) for a in (-1, 1) for b in (-1, 1) for c in (-1, 1)],
                            _cyc([(0, a / _PHI, b * _PHI) for a, b in _SIGNS])]))            # 20 hexagon centres
CUBE = np.concatenate([np.eye(3), -np.eye(3)]).astype(np.float32)
PANELS = {'cube': (CUBE, np.ones(6)), 'ico': (ICO, np.ones(12)), 'dod': (DOD, np.ones(20)),
          'classic': (np.concatenate([ICO, DOD]), np.r_[np.full(12, 0.688), np.full(20, 0.866)])}
HANDBALL_COLOURS = [(YELLOW, BLUE), (RED, YELLOW, BLUE), (WHITE, RED, BLACK), (BLACK, RED), (WHITE, BLUE, LIME),
                    (YELLOW, PINK, BLUE), (WHITE, ORANGE, NAVY), (LIME, BLACK, WHITE)]
VOLLEY_COLOURS = [(YELLOW, BLUE), (YELLOW, BLUE, WHITE), (WHITE, BLUE, RED), (WHITE,), (WHITE, NAVY),
                  (YELLOW, GREEN, WHITE)]


def _ball_look(rng, kind):
    """Pattern and colours of a ball of `kind` (see _ball_albedo)."""
    look = dict(kind=kind, seam=np.asarray(BLACK, np.float32), shin=rng.uniform(15, 60), gloss=rng.uniform(0.3, 1.0),
                fuzzy=kind == 'tennis', rot=np.linalg.qr(rng.standard_normal((3, 3)))[0].astype(np.float32))
    dark = [BLACK, NAVY, BLUE, RED, DARK_GREEN, PURPLE, GOLD]
    if kind in ('football', 'futsal'):
        if kind == 'football' and rng.random() < 0.75:
            c0 = _col(WHITE)
        else:
            c0 = _col(_pick(rng, [YELLOW, ORANGE, LIME, WHITE, PINK]))
        c1, c2 = _col(_pick(rng, dark)), _col(_pick(rng, dark + [ORANGE, SKY]))
        style = rng.random()
        if style < 0.45:
            look.update(pattern='classic', cols=[c0, c1 if rng.random() < 0.3 else _col(BLACK)])
        elif style < 0.8:
            name = _pick(rng, ['ico', 'dod', 'classic', 'cube'])
            n = len(PANELS[name][0])
            cols = [c0 if rng.random() < 0.6 else _pick(rng, [c1, c2]) for _ in range(n)]
            look.update(pattern='panels', panels=name, cols=cols, seam=c0 * 0.55)
        else:
            look.update(pattern='swirl', cols=[c0, c1, c0, c2], nb=int(rng.integers(3, 7)), twist=rng.uniform(1, 4))
    elif kind == 'handball':
        cols = [_col(c) for c in _pick(rng, HANDBALL_COLOURS)]
        if rng.random() < 0.5:
            name = _pick(rng, ['ico', 'dod', 'classic'])
            look.update(pattern='panels', panels=name, cols=[_pick(rng, cols) for _ in range(len(PANELS[name][0]))])
        else:
            look.update(pattern='swirl', cols=cols, nb=int(rng.integers(3, 9)), twist=rng.uniform(1, 4))
    elif kind == 'volleyball':
        cols = [_col(c) for c in _pick(rng, VOLLEY_COLOURS)]
        look.update(pattern='swirl', cols=cols, nb=3 * int(rng.integers(1, 3)), twist=rng.uniform(1.5, 3.5),
                    seam=cols[0] * 0.5)
    elif kind == 'basketball':
        c0 = _hsv(rng.uniform(0.04, 0.08), rng.uniform(0.7, 0.9), rng.uniform(0.55, 0.9))
        look.update(pattern='basket', cols=[c0], gloss=rng.uniform(0.1, 0.4))
    elif kind == 'tennis':
        c0 = _hsv(rng.uniform(0.16, 0.2), rng.uniform(0.7, 0.95), rng.uniform(0.8, 1.0))
        look.update(pattern='tennis', cols=[c0], seam=_col(WHITE) * 0.95, gloss=0.05)
    else:
        c0 = _col(_pick(rng, [WHITE, WHITE, WHITE, YELLOW, ORANGE, (0.45, 0.25, 0.12)]))
        look.update(pattern='rugby', cols=[c0, _col(_pick(rng, KIT_COLOURS))])
    return look


def _ball_albedo(look, p, r):
    """Albedo (N, 3) of the ball surface at unit directions p (N, 3) (ball coordinates); r is the radius in px
    (seams narrower than a pixel are left out)."""
    pat, cols = look['pattern'], np.asarray(look['cols'], np.float32)
    seam_w = 0.03 if r >= 10 else 0.0
    if pat in ('classic', 'panels'):
        C, w = PANELS['classic' if pat == 'classic' else look['panels']]
        ang = np.arccos(np.clip(p @ C.T, -1, 1)) / w
        order = np.argsort(ang, axis=1)[:, :2]
        first = np.take_along_axis(ang, order, 1)
        cell = order[:, 0]
        if pat == 'classic':
            out = np.where((cell < 12)[:, None], cols[1], cols[0])
        else:
            out = cols[cell]
        seam = (first[:, 1] - first[:, 0]) < seam_w * 1.5
    elif pat == 'swirl':
        th = np.arctan2(p[:, 1], p[:, 0]) + look['twist'] * p[:, 2]
        band = (th / (2 * np.pi) + 1) * look['nb']
        out = cols[np.floor(band).astype(np.int64) % len(cols)]
        seam = np.abs(_frac(band + 0.5) - 0.5) < seam_w * look['nb'] / 4
    elif pat == 'basket':
        seam = ((np.abs(p[:, 0]) < 0.025) | (np.abs(p[:, 2]) < 0.025) |
                (np.abs(np.abs(p[:, 1]) - 0.72 + 0.45 * p[:, 2] ** 2) < 0.025)) & (r >= 3)
        out = np.broadcast_to(cols[0], p.shape)
    elif pat == 'tennis':
        seam = (np.abs(p[:, 2] - 0.55 * np.cos(2 * np.arctan2(p[:, 1], p[:, 0]))) < 0.06) & (r >= 4)
        out = np.broadcast_to(cols[0], p.shape)
    else:
        stripe = np.abs(np.abs(p[:, 0]) - 0.55) < 0.09
        out = np.where(stripe[:, None], cols[1], cols[0])
        seam = (np.abs(p[:, 1]) < 0.02) & (r >= 6)
    return np.where(seam[:, None], look['seam'], out)


def _ball_sprite(look, cx, cy, ra, rb, psi, sun_cam, L, smear, skew, blur):
    """The ball rendered in a patch: ellipse of semi-axes (ra, rb) px rotated by psi (a circle for round balls),
    Lambert + ambient shading and a specular highlight for the light direction sun_cam (camera coordinates), then
    the rolling-shutter skew (px per row), the motion smear (vector, px) and defocus (sigma px).
    Returns (x0, y0, premultiplied colour (h, w, 3) 0..1, alpha (h, w)); the patch may extend past the frame."""
    hx = ra + abs(smear[0]) / 2 + abs(skew) * ra + 3 * blur + 3
    hy = ra + abs(smear[1]) / 2 + 3 * blur + 3
    x0, y0 = int(np.floor(cx - hx)), int(np.floor(cy - hy))
    X = (np.arange(x0, int(np.ceil(cx + hx)) + 1, dtype=np.float32) + 0.5 - cx)[None, :]
    Y = (np.arange(y0, int(np.ceil(cy + hy)) + 1, dtype=np.float32) + 0.5 - cy)[:, None]
    Xs = X - skew * Y
    cp, sp = np.cos(psi), np.sin(psi)
    xr, yr = cp * Xs + sp * Y, -sp * Xs + cp * Y
    d = np.sqrt((xr / ra) ** 2 + (yr / rb) ** 2)
    edge = min(ra, rb) * (0.5 if look['fuzzy'] else 1.0)
    alpha = np.clip((1 - d) * edge + 0.5, 0, 1).astype(np.float32)
    col = np.zeros(alpha.shape + (3,), np.float32)
    inside = alpha > 0
    nx, ny = (xr / ra)[inside], (yr / rb)[inside]
    nz = -np.sqrt(np.clip(1 - nx * nx - ny * ny, 0, 1))
    local = np.stack([nx, ny, nz], 1)
    n_img = np.stack([cp * nx - sp * ny, sp * nx + cp * ny, nz], 1)
    p = local if look['pattern'] == 'rugby' else local @ look['rot'].T
    alb = _ball_albedo(look, p.astype(np.float32), min(ra, rb))
    lam = np.clip(n_img @ sun_cam, 0, 1)
    shade = (L.ambient + (1 - L.ambient) * lam) * BALL_LIFT
    refl = np.stack([-2 * nz * n_img[:, 0], -2 * nz * n_img[:, 1], 1 - 2 * nz * nz], 1)
    spec = look['gloss'] * L.spec * np.clip(refl @ sun_cam, 0, 1) ** look['shin']
    rim = 0.8 + 0.2 * (-nz)
    c = (alb * (shade * rim)[:, None] + spec[:, None]) * L.gain
    if look['fuzzy']:
        c = c * (1 + 0.08 * np.sin(nx * 57 + ny * 31))[:, None]
    col[inside] = c * alpha[inside][:, None]
    if np.hypot(*smear) >= 1:
        k = _line_kernel(*smear)
        col = cv2.filter2D(col, -1, k, borderType=cv2.BORDER_CONSTANT)
        alpha = cv2.filter2D(alpha, -1, k, borderType=cv2.BORDER_CONSTANT)
    if blur > 0.2:
        col = cv2.GaussianBlur(col, (0, 0), blur)
        alpha = cv2.GaussianBlur(alpha, (0, 0), blur)
    return x0, y0, col, alpha


# ============================================================================ placement
class Grid:
    """Candidate cells (every 4 px) for placing players and balls: the rays through the cell centres and what
    they hit (depth of the background, visible floor)."""
    STEP = 4

    def __init__(self, cam, v, depth):
        s = self.STEP
        self.u = (np.arange(W // s, dtype=np.float32) * s + s / 2)[None, :].repeat(H // s, 0)
        self.v = (np.arange(H // s, dtype=np.float32) * s + s / 2)[:, None].repeat(W // s, 1)
        self.d = cam.dirs(self.u, self.v)
        self.bg = depth[s // 2::s, s // 2::s]
        self.cam, self.venue = cam, v

    def plane(self, z):
        """Depth where each cell's ray meets the horizontal plane at height z, and whether that point is on the
        visible floor of the venue (not hidden by a wall, not behind the camera)."""
        dz = self.d[..., 2]
        with np.errstate(divide='ignore', invalid='ignore'):
            t = np.where(dz < -1e-6, (z - self.cam.C[2]) / dz, np.inf)
        P = self.cam.C + np.where(np.isfinite(t), t, 0)[..., None] * self.d
        Fx, Fy = self.venue.floor
        ok = np.isfinite(t) & (t > 0.6) & (t <= self.bg * 1.001)
        ok &= (np.abs(P[..., 0]) < Fx - 0.3) & (np.abs(P[..., 1]) < Fy - 0.3)
        return t, ok

    def pick(self, rng, ok):
        idx = np.flatnonzero(ok)
        i = idx[rng.integers(len(idx))]
        return float(self.u.flat[i] + rng.uniform(-2, 2)), float(self.v.flat[i] + rng.uniform(-2, 2))


def _place_ball(rng, grid, R, r_want, p_air):
    """World centre of a ball of radius R (m) that should appear about r_want px large: resting on the floor
    (centre at height R) or in the air in front of the background. None if the view has no room for it."""
    cam, v = grid.cam, grid.venue
    t, ok_g = grid.plane(R)
    zmax = min(v.ceil_h - 1, 8) if v.indoor else 12
    z = cam.f * R / r_want
    P = cam.C + z * grid.d
    Fx, Fy = v.floor
    air = (P[..., 2] > R + 0.25) & (P[..., 2] < zmax) & (z < grid.bg) & (z > 0.6) & (np.abs(P[..., 0]) < Fx) & \
        (np.abs(P[..., 1]) < Fy)
    with np.errstate(divide='ignore'):
        err = np.abs(np.log(cam.f * R / t / r_want))
    near = ok_g & (err < 0.15)
    if air.any() and (rng.random() < p_air or not near.any()):
        u, vv = grid.pick(rng, air)
        return cam.C + z * cam.dirs(u, vv).astype(np.float64)
    if not near.any():
        if not ok_g.any():
            return None
        near = ok_g & (err <= err[ok_g].min() + 0.05)
    u, vv = grid.pick(rng, near)
    d = cam.dirs(u, vv).astype(np.float64)
    return cam.C + (R - cam.C[2]) / d[2] * d if d[2] < -1e-6 else None


def _shadow_poly(L, foot, height, width):
    """Ground polygons of the shadow of a vertical object: (points, strength, light index) per light, plus a
    contact blob under it."""
    foot = np.asarray(foot, np.float64)
    kind, strength = L.shadow
    if kind == 'blob':
        return [(_circle_pts((foot[0], foot[1], 0), width * 0.9, 12), strength, 0)]
    dirs = [-L.sun[:2] / max(L.sun[2], 0.08)] if kind == 'sun' else \
        [(foot[:2] - lp[:2]) / max(lp[2] - height, 1.0) for lp in L.points]
    out = []
    for i, d in enumerate(dirs):
        perp = np.array([-d[1], d[0]]) / max(np.linalg.norm(d), 1e-6) * width / 2
        tip = foot[:2] + d * height
        q = [(foot[0] - perp[0], foot[1] - perp[1], 0), (foot[0] + perp[0], foot[1] + perp[1], 0),
             (tip[0] + perp[0] * 0.6, tip[1] + perp[1] * 0.6, 0), (tip[0] - perp[0] * 0.6, tip[1] - perp[1] * 0.6, 0)]
        out.append((np.array(q), strength, i))
    out.append((_circle_pts((foot[0], foot[1], 0), width * 0.6, 12), strength * 0.6, len(dirs)))
    return out


def _ball_shadow(L, P, R):
    """Shadow discs of a ball at world centre P: offset along each light by its height, fading with height."""
    h = max(P[2] - R, 0.0)
    kind, strength = L.shadow
    fade = strength * 1.4 * np.exp(-h / 1.5)
    if kind == 'blob':
        return [(_circle_pts((P[0], P[1], 0), R * (1 + 0.5 * h), 12), fade * 0.8, 0)]
    dirs = [-L.sun[:2] / max(L.sun[2], 0.08)] if kind == 'sun' else \
        [(P[:2] - lp[:2]) / max(lp[2] - P[2], 1.0) for lp in L.points]
    return [(_circle_pts((P[0] + d[0] * P[2], P[1] + d[1] * P[2], 0), R * (1 + 0.3 * h), 12), fade, i)
            for i, d in enumerate(dirs)]


def _draw_shadows(cam, polys):
    """Shadow darkness (H x W, 0..1) of ground polygons: the shadows of one light do not add up, those of
    different lights do."""
    layers = {}
    for pts, strength, light in polys:
        pp = _ground_poly(cam, pts)
        if pp is None:
            continue
        key = (light, round(float(strength), 3))
        if key not in layers:
            layers[key] = np.zeros((H, W), np.uint8)
        cv2.fillPoly(layers[key], [Canvas.q(pp).reshape(-1, 2)], 255, cv2.LINE_AA, SHIFT)
    acc = np.zeros((H, W), np.float32)
    for (_, strength), layer in layers.items():
        acc += layer.astype(np.float32) * (strength / 255)
    return np.clip(acc, 0, 0.85)


# ============================================================================ scene assembly
def _team_kits(rng):
    k1 = _kit(rng)
    k2 = _kit(rng)
    if np.abs(k1['shirt'] - k2['shirt']).sum() < 0.4:
        k2 = _kit(rng)
    ref = dict(shirt=_col(_pick(rng, [BLACK, BLACK, YELLOW, PINK, RED, (0.1, 0.7, 0.9)])), shorts=_col(BLACK),
               socks=_col(BLACK), pattern='plain', second=_col(BLACK), num=_col(WHITE), long=False)
    return k1, k2, ref


def _structures(rng, v, cam):
    """Goals, hoops and nets of the venue's sport: (depth, draw) pairs."""
    out = []
    Lx = v.court[0]
    if v.sport in ('football', 'handball', 'futsal'):
        s = v.goal_scale
        w, h = (7.32, 2.44) if s >= 0.8 else ((5.0, 2.0) if s >= 0.6 else (3.0, 2.0))
        cols = [_col(WHITE)] if v.sport == 'football' and s >= 0.6 else \
            [_col(_pick(rng, [RED, BLACK, BLUE, RED])), _col(WHITE)]
        net = (_col(_pick(rng, [WHITE, WHITE, GREY, RED, BLUE])), rng.uniform(0.3, 0.6))
        for sgn in (-1, 1):
            g = dict(x=sgn * Lx, sgn=sgn, w=w, h=h, depth=rng.uniform(0.8, 2.0), cols=cols, net=net,
                     thick=0.12 if w > 5 else 0.08)
            out.append((cam.depth((sgn * Lx, 0, h / 2)), lambda cv, g=g: _draw_goal(cv, cam, g)))
    elif v.sport == 'basketball':
        look = dict(pole=_col(_pick(rng, [GREY, BLUE, RED, NAVY])), board=_col(WHITE) * rng.uniform(0.7, 1.0),
                    mark=_col(_pick(rng, [BLACK, RED])))
        for sgn in (-1, 1):
            g = dict(look, sgn=sgn)
            out.append((cam.depth((sgn * 13.5, 0, 3)), lambda cv, g=g: _draw_hoop(cv, cam, g)))
    elif v.sport in ('volleyball', 'beach', 'tennis') and (v.sport != 'volleyball' or rng.random() < 0.7):
        if v.sport == 'tennis':
            g = dict(posts=6.4, post_h=1.07, top=1.07, height=1.07, sag=0.914, band=0.05, antennas=[],
                     post=_col(_pick(rng, [DARK_GREEN, GREY, BLACK])), alpha=rng.uniform(0.6, 0.85))
        else:
            top = _pick(rng, [2.43, 2.24])
            yp = 5.5 if v.sport == 'volleyball' else 5.0
            g = dict(posts=yp, post_h=top + 0.1, top=top, height=1.0, sag=None, band=0.07, antennas=[-4.5, 4.5],
                     post=_col(_pick(rng, [GREY, WHITE, BLUE, YELLOW])), alpha=rng.uniform(0.5, 0.8))
        out.append((cam.depth((0, 0, 1)), lambda cv, g=g: _draw_net(cv, cam, g)))
    return out


def _populate(rng, v, L, cam, grid, balls):
    """Players, referee, goalkeepers, substitutes, structures, masts and distractors around the balls.
    Returns (objects as (depth, draw) pairs, shadow polygons)."""
    objs, shadows = _structures(rng, v, cam), []
    (Lx, Ly), (Fx, Fy) = v.court, v.floor
    k1, k2, ref = _team_kits(rng)
    youth = rng.random() < 0.2
    tall = 0.1 if v.sport in ('basketball', 'volleyball') else 0.0
    t0, ok0 = grid.plane(0.0)
    P0 = cam.C + np.where(ok0, t0, 0)[..., None] * grid.d
    on_court = ok0 & (np.abs(P0[..., 0]) < Lx + 2) & (np.abs(P0[..., 1]) < Ly + 2)

    def add(foot, look, pose='run'):
        foot = np.array([foot[0], foot[1], 0.0])
        if abs(foot[0]) > Fx - 0.2 or abs(foot[1]) > Fy - 0.2:
            return
        h = rng.uniform(1.2, 1.65) if youth else rng.uniform(1.65, 1.95) + tall
        d = cam.depth(foot + [0, 0, h / 2])
        if d < 0.6:
            return
        objs.append((d, lambda cv, f=foot, h=h, lk=look, ps=pose: _draw_person(cv, cam, f, h, lk, rng, ps)))
        shadows.extend(_shadow_poly(L, foot, h, 0.5 * h / 1.8))

    def ground_point(u, vv):
        d = cam.dirs(u, vv).astype(np.float64)
        return cam.C + (-cam.C[2] / d[2]) * d

    pose_p = [0.6, 0.3, 0.1] if v.sport in ('football', 'futsal', 'tennis') else [0.55, 0.25, 0.2]
    poses = lambda: ['run', 'stand', 'jump'][rng.choice(3, p=pose_p)]
    if on_court.any():
        for i in range(int(rng.integers(0, MAX_PLAYERS[v.sport] + 1))):
            add(ground_point(*grid.pick(rng, on_court)), _person_look(rng, k1 if i % 2 else k2), poses())
        if v.sport in ('football', 'futsal', 'handball', 'basketball') and rng.random() < 0.6:
            add(ground_point(*grid.pick(rng, on_court)), _person_look(rng, ref), 'run')
    if v.sport in ('football', 'futsal', 'handball') and rng.random() < 0.5:
        gk = _kit(rng)
        for sgn in (-1, 1):
            add((sgn * (Lx - rng.uniform(0.5, 3)), rng.uniform(-2, 2)), _person_look(rng, gk, gk=True), 'stand')
    if balls:
        bp = balls[0]['P']
        for _ in range(int(rng.integers(0, 4))):
            a, r = rng.uniform(0, 2 * np.pi), rng.uniform(0.4, 3.0)
            add((bp[0] + r * np.cos(a), bp[1] + r * np.sin(a)), _person_look(rng, _pick(rng, [k1, k2])), poses())
        if rng.random() < 0.25:   # someone between the camera and the ball
            q = rng.uniform(0.2, 0.85)
            c, b = cam.C[:2], bp[:2]
            perp = np.array([-(b - c)[1], (b - c)[0]]) / max(np.linalg.norm(b - c), 1e-6)
            add(c + q * (b - c) + perp * rng.uniform(-0.35, 0.35), _person_look(rng, _pick(rng, [k1, k2])), poses())
    if cam.C[2] < 3.5 and rng.random() < 0.3:   # players close to a low camera, partly cropped
        fwd = cam.R[2][:2] / max(np.linalg.norm(cam.R[2][:2]), 1e-6)
        for _ in range(int(rng.integers(1, 3))):
            d, lat = rng.uniform(1.2, 4.0), rng.uniform(-1.5, 1.5)
            foot = cam.C[:2] + fwd * d + np.array([-fwd[1], fwd[0]]) * lat
            add(foot, _person_look(rng, _pick(rng, [k1, k2])), poses())
    if Fy - Ly > 1.8 and rng.random() < 0.35:   # bench with substitutes
        sgn = _pick(rng, (-1, 1))
        o = dict(x=rng.uniform(-0.4, 0.4) * Lx, y=sgn * (Ly + rng.uniform(1.0, min(2.5, Fy - Ly - 0.8))), sgn=sgn,
                 len=rng.uniform(2, 5), n=int(rng.integers(1, 6)),
                 col=_col(_pick(rng, [GREY, BLUE, RED, (0.5, 0.35, 0.2)])),
                 looks=[_person_look(rng, dict(_pick(rng, [k1, k2]), long=True)) for _ in range(3)])
        objs.append((cam.depth((o['x'], o['y'], 0.5)), lambda cv, o=o: _draw_bench(cv, cam, o, rng)))
    if ok0.any() and rng.random() < 0.4:   # cones and marker discs
        col = _col(_pick(rng, [ORANGE, YELLOW, RED, BLUE, WHITE, LIME, PINK]))
        for _ in range(int(rng.integers(1, 9))):
            p = ground_point(*grid.pick(rng, ok0))
            flat = rng.random() < 0.4
            r, h = (0.1, 0.03) if flat else (rng.uniform(0.08, 0.15), rng.uniform(0.2, 0.45))
            o = dict(pos=(p[0], p[1], 0.0), r=r, h=h, col=col)
            objs.append((cam.depth(p), lambda cv, o=o: _draw_cone(cv, cam, o)))
    if rng.random() < 0.3:   # bottles along a sideline
        for _ in range(int(rng.integers(1, 5))):
            p = (rng.uniform(-Lx, Lx), _pick(rng, (-1, 1)) * (Ly + rng.uniform(0.3, 1.5)), 0.0)
            if abs(p[1]) < Fy:
                o = dict(pos=p, h=rng.uniform(0.2, 0.3),
                         col=_col(_pick(rng, [(0.75, 0.85, 0.95), WHITE, GREEN, RED, BLUE, ORANGE])),
                         cap=_col(_pick(rng, [WHITE, BLUE, RED, BLACK])))
                objs.append((cam.depth(p), lambda cv, o=o: _draw_bottle(cv, cam, o)))
    if not v.indoor and (L.points or rng.random() < 0.4):
        lit = bool(L.points)
        for lp in (L.points or [np.array([sx * (Fx + 3), sy * (Fy + 3), 20.0]) for sx in (-1, 1) for sy in (-1, 1)]):
            o = dict(pos=lp, h=lp[2], lit=lit)
            objs.append((cam.depth(lp) + 50, lambda cv, o=o: _draw_mast(cv, cam, o)))
    return objs, shadows


def _floor_glare(rng, cam, v, floor):
    """Reflections of the ceiling lamps on a glossy floor: blurred, stretched blobs where the mirror image of
    each lamp (below the floor) projects."""
    sx, sy = v.lamp_sp
    Fx, Fy = v.floor
    ix = np.arange(np.ceil(-Fx / sx), np.floor(Fx / sx) + 1)
    iy = np.arange(np.ceil(-Fy / sy), np.floor(Fy / sy) + 1)
    gx, gy = np.meshgrid(ix, iy)
    on = _hash(gx, gy, v.hash_seed) > 0.08
    pts = np.stack([gx[on] * sx, gy[on] * sy, np.full(on.sum(), -v.ceil_h)], -1)
    u, vv, z = cam.project(pts)
    glare = np.zeros((H, W), np.float32)
    for a, b, zz in zip(u, vv, z):
        if zz < 1 or not (-20 < a < W + 20 and -20 < b < H + 40):
            continue
        rr = cam.f * v.lamp_size[0] / zz
        axes = (max(int(rr), 1), max(int(rr * rng.uniform(1.5, 3)), 1))   # stretched towards the camera
        cv2.ellipse(glare, (int(a), int(b)), axes, 0, 0, 360, 1.0, -1)
    if not glare.any():
        return glare
    return cv2.GaussianBlur(glare, (0, 0), rng.uniform(1.5, 4)) * floor * v.gloss * 0.4


def _composite(cv, sprite):
    x0, y0, col, a = sprite
    h, w = a.shape
    fx0, fy0, fx1, fy1 = max(x0, 0), max(y0, 0), min(x0 + w, W), min(y0 + h, H)
    if fx1 <= fx0 or fy1 <= fy0:
        return
    sub = cv.img[fy0:fy1, fx0:fx1].astype(np.float32)
    aa = a[fy0 - y0:fy1 - y0, fx0 - x0:fx1 - x0, None]
    cc = col[fy0 - y0:fy1 - y0, fx0 - x0:fx1 - x0]
    cv.img[fy0:fy1, fx0:fx1] = np.clip(sub * (1 - aa) + cc * 255 + 0.5, 0, 255).astype(np.uint8)


def _visible(cv, sprite, oid):
    """Visible part of a ball's alpha: inside the frame and not covered by objects drawn after it."""
    x0, y0, _, a = sprite
    h, w = a.shape
    vis = np.zeros_like(a)
    fx0, fy0, fx1, fy1 = max(x0, 0), max(y0, 0), min(x0 + w, W), min(y0 + h, H)
    if fx1 > fx0 and fy1 > fy0:
        region = a[fy0 - y0:fy1 - y0, fx0 - x0:fx1 - x0]
        vis[fy0 - y0:fy1 - y0, fx0 - x0:fx1 - x0] = region * (cv.lid[fy0:fy1, fx0:fx1] <= oid)
    return vis


def _make_balls(rng, v, L, cam, grid, r0, p_absent):
    """The balls of the frame (primary first, about r0 px large; others up to 3x smaller or larger): world
    position, look, projected centre and size, motion, and the rendered sprite."""
    if rng.random() < p_absent:
        return []
    n = int(rng.integers(2, 6)) if rng.random() < P_WARMUP / (1 - P_ABSENT) else 1
    sun_cam = (cam.R @ L.sun).astype(np.float32)
    balls = []
    for i in range(n):
        kind = v.ball if i == 0 or rng.random() < 0.8 else _pick(rng, list(BALL_SIZE))
        size = BALL_SIZE[kind]
        R = float(np.mean(size)) if isinstance(size, tuple) else size
        r_want = min(r0 if i == 0 else r0 * _loguniform(rng, 0.3, 3.0), cam.f * R / 0.6)
        P = _place_ball(rng, grid, R, max(r_want, 0.8), BALL_AIR[kind])
        if P is None:
            continue
        u, vv, z = cam.project(P)
        if z < 0.5 or not (0 <= u < W and 0 <= vv < H):
            continue
        r = cam.f * R / z
        if kind == 'rugby':
            ra, rb = cam.f * size[0] / z * rng.uniform(0.7, 1.0), cam.f * size[1] / z
            r = (ra + rb) / 2
        else:
            ra = rb = r
        smear = (0.0, 0.0)
        if rng.random() < 0.35:
            ln, a = min(r * _loguniform(rng, 0.3, 5.0), 150.0), rng.uniform(0, 2 * np.pi)
            smear = (ln * np.cos(a), ln * np.sin(a) * 0.6)
        skew = rng.uniform(-0.4, 0.4) if smear != (0.0, 0.0) and rng.random() < 0.3 else 0.0
        blur = rng.uniform(0, 0.7) + (rng.uniform(0, 1.0) if r > 15 else 0.0)
        look = _ball_look(rng, kind)
        sprite = _ball_sprite(look, float(u), float(vv), ra, rb, rng.uniform(0, np.pi), sun_cam, L, smear, skew, blur)
        balls.append(dict(P=P, R=R, kind=kind, cx=float(u), cy=float(vv), r=float(r), sprite=sprite))
    return balls


# ============================================================================ camera pipeline
def _h264ish(img, rng):
    """Low-bitrate video look: flat macroblocks collapse to their mean (blocking), chroma is subsampled 4:2:0
    and coarsely quantised."""
    ycc = cv2.cvtColor(img, cv2.COLOR_RGB2YCrCb).astype(np.float32)
    B = _pick(rng, (8, 16))
    blocks = ycc.reshape(H // B, B, W // B, B, 3)
    mean = blocks.mean((1, 3), keepdims=True)
    flat = blocks[..., :1].std((1, 3), keepdims=True) < rng.uniform(1.5, 5.0)
    blocks = np.where(flat, mean + (blocks - mean) * rng.uniform(0, 0.4), blocks)
    ycc = blocks.reshape(H, W, 3)
    step = rng.uniform(2, 5)
    for c in (1, 2):
        small = cv2.resize(ycc[..., c], (W // 2, H // 2), interpolation=cv2.INTER_AREA)
        ycc[..., c] = cv2.resize(np.round(small / step) * step, (W, H), interpolation=cv2.INTER_LINEAR)
    return cv2.cvtColor(np.clip(ycc + 0.5, 0, 255).astype(np.uint8), cv2.COLOR_YCrCb2RGB)


def _pipeline(rng, img, L, meta):
    """Lens, sensor and encoder: vignetting, flicker banding, defocus, camera shake, noise, tone curve,
    low-resolution upscale, compression. Geometry is unchanged (the digital zoom is applied by the caller)."""
    x = img.astype(np.float32) / 255
    yy = (np.arange(H, dtype=np.float32)[:, None] + 0.5 - H / 2) / (H / 2)
    xx = (np.arange(W, dtype=np.float32)[None, :] + 0.5 - W / 2) / (W / 2)
    if rng.random() < 0.6:
        x *= (1 - rng.uniform(0, 0.45) * (xx * xx + yy * yy) / 2)[..., None]
    if L.flicker:
        rows = np.arange(H, dtype=np.float32)[:, None]
        x *= (1 + L.flicker * np.sin(2 * np.pi * (rows / rng.uniform(30, 150) + rng.random())))[..., None]
    if rng.random() < 0.25:
        x = cv2.GaussianBlur(x, (0, 0), rng.uniform(0.4, 1.3))
    if rng.random() < 0.1:
        a, ln = rng.uniform(0, np.pi), rng.uniform(2, 8)
        x = cv2.filter2D(x, -1, _line_kernel(ln * np.cos(a), ln * np.sin(a)))
    sigma = L.noise * rng.uniform(0.5, 1.5)
    x += _fine_noise(rng)[..., None] * sigma * (0.5 + x)                         # luminance (shot-like) noise
    x += np.stack([_fine_noise(rng) for _ in range(3)], -1) * sigma * 0.5         # chroma noise
    x = np.clip(x, 0, 1) ** rng.uniform(0.85, 1.2)
    g = x.mean(2, keepdims=True)
    x = g + (x - g) * rng.uniform(0.8, 1.25)
    out = np.clip(x * 255 + 0.5, 0, 255).astype(np.uint8)
    if rng.random() < 0.15:
        k = rng.uniform(0.3, 0.7)
        small = cv2.resize(out, (int(W * k), int(H * k)), interpolation=cv2.INTER_AREA)
        out = cv2.resize(small, (W, H), interpolation=_pick(rng, (cv2.INTER_LINEAR, cv2.INTER_CUBIC)))
        meta['lowres'] = round(k, 2)
    return out


def _compress(rng, out, meta):
    if rng.random() < 0.3:
        out = _h264ish(out, rng)
        meta['h264'] = True
    if rng.random() < 0.75:
        q = int(15 + 75 * rng.random() ** 1.3)
        ok, enc = cv2.imencode('.jpg', out[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, q])
        out = cv2.imdecode(enc, cv2.IMREAD_COLOR)[..., ::-1]
        meta['jpeg'] = q
    return np.ascontiguousarray(out)


# ============================================================================ frame
def render(rng, p_absent=P_ABSENT):
    """One frame: (img uint8 H x W x 3 RGB, balls [{cx, cy, r, vis}] with the primary ball first, meta)."""
    v = _make_venue(rng)
    L = _make_light(rng, v)
    r_want = _loguniform(rng, R_MIN, R_MAX)   # the primary ball's radius in the final frame
    zoom = min(_loguniform(rng, 1.2, 2.5), r_want / 1.2) if rng.random() < P_ZOOM else 1.0
    zoom = zoom if zoom > 1.05 else 1.0
    cam_kind = _camera_kind(rng, r_want)
    cam = _make_camera(rng, cam_kind, v, r_want / zoom)
    bg, depth, floor, gx, gy = _background(rng, cam, v, L)
    grid = Grid(cam, v, depth)
    balls = _make_balls(rng, v, L, cam, grid, r_want / zoom, p_absent)
    objs, shadows = _populate(rng, v, L, cam, grid, balls)
    for b in balls:
        shadows += _ball_shadow(L, b['P'], b['R'])
    # light on the floor: shadows, floodlight pools, lamp reflections; then the glow of bright things
    sh = _draw_shadows(cam, shadows)
    sh = cv2.GaussianBlur(sh, (0, 0), 0.8 if L.shadow[0] != 'blob' else 2.5)
    bg *= (1 - sh * floor)[..., None]
    if L.points:
        pool = sum(np.exp(-((gx - lp[0]) ** 2 + (gy - lp[1]) ** 2) / (2 * (0.6 * lp[2]) ** 2)) for lp in L.points)
        bg *= (0.7 + 0.5 * np.clip(pool, 0, 1.2) * floor + 0.3 * ~floor)[..., None]
    if v.indoor and v.surface in ('wood', 'synthetic'):
        bg += _floor_glare(rng, cam, v, floor)[..., None] * L.gain
    excess = np.clip(bg - 1, 0, None)
    if excess.any():
        bg += cv2.GaussianBlur(excess, (0, 0), rng.uniform(2, 5)) * rng.uniform(0.3, 0.8)
    cv = Canvas(np.ascontiguousarray(np.clip(bg * 255 + 0.5, 0, 255).astype(np.uint8)), L.gain)
    # objects far to near; balls are composited in between and remember their id
    items = [(d, 0, fn) for d, fn in objs] + [(float(cam.depth(b['P'])), 1, b) for b in balls]
    for _, is_ball, it in sorted(items, key=lambda t: -t[0]):
        oid = cv.next_object()
        if is_ball:
            _composite(cv, it['sprite'])
            it['id'] = oid
        else:
            it(cv)
    for b in balls:
        b['vismap'] = _visible(cv, b['sprite'], b['id'])
        b['total'] = max(float(b['sprite'][3].sum()), 1e-6)
    meta = dict(scene=v.surface, sport=v.sport, ball=v.ball, camera=cam_kind, light=L.kind,
                venue='arena' if v.arena else ('hall' if v.indoor else 'open'), zoom=round(zoom, 2),
                lowres=1.0, h264=False, jpeg=0)
    out = _pipeline(rng, cv.img, L, meta)
    # digital zoom: crop around the primary ball and upscale
    wx, wy = 0.0, 0.0
    if zoom > 1:
        ww, wh = W / zoom, H / zoom
        if balls:
            wx = balls[0]['cx'] - ww * rng.uniform(0.1, 0.9)
            wy = balls[0]['cy'] - wh * rng.uniform(0.1, 0.9)
        else:
            wx, wy = rng.uniform(0, W - ww), rng.uniform(0, H - wh)
        wx, wy = float(np.clip(wx, 0, W - ww)), float(np.clip(wy, 0, H - wh))
        M = np.array([[zoom, 0, zoom * (0.5 - wx) - 0.5], [0, zoom, zoom * (0.5 - wy) - 0.5]])
        out = cv2.warpAffine(out, M, (W, H), flags=_pick(rng, (cv2.INTER_LINEAR, cv2.INTER_CUBIC)),
                             borderMode=cv2.BORDER_REPLICATE)
    out = _compress(rng, out, meta)
    labels = []
    for b in balls:
        x0, y0, _, a = b['sprite']
        h, w = a.shape
        xs = np.arange(x0, x0 + w) + 0.5
        ys = np.arange(y0, y0 + h) + 0.5
        inx = (xs >= wx) & (xs < wx + W / zoom)
        iny = (ys >= wy) & (ys < wy + H / zoom)
        vis = float(b['vismap'][np.ix_(iny, inx)].sum() / b['total'])
        if vis >= 0.01:
            labels.append(dict(cx=(b['cx'] - wx) * zoom, cy=(b['cy'] - wy) * zoom, r=b['r'] * zoom, vis=min(vis, 1.0)))
    if labels and labels[0]['vis'] < VIS_PRESENT:
        best = max(range(len(labels)), key=lambda i: labels[i]['vis'])
        labels.insert(0, labels.pop(best))
    meta['n_balls'] = len(labels)
    return out, labels, meta


def gen_batch(seed, n, p_absent=P_ABSENT):
    """n frames from one seed: imgs uint8 (n, H, W, 3); labels float32 (n, 5) = (present, cx, cy, r, vis) of the
    primary ball (present when vis >= VIS_PRESENT); extra float32 (n, K_BALLS, 4) = (cx, cy, r, vis) of up to
    K_BALLS balls, the primary first, zero-padded."""
    rng = np.random.default_rng(seed)
    imgs = np.empty((n, H, W, 3), np.uint8)
    labels = np.zeros((n, 5), np.float32)
    extra = np.zeros((n, K_BALLS, 4), np.float32)
    for i in range(n):
        img, balls, _ = render(rng, p_absent)
        imgs[i] = img
        if balls:
            b = balls[0]
            labels[i] = (float(b['vis'] >= VIS_PRESENT), b['cx'], b['cy'], b['r'], b['vis'])
        for j, b in enumerate(balls[:K_BALLS]):
            extra[i, j] = (b['cx'], b['cy'], b['r'], b['vis'])
    return dict(imgs=imgs, labels=labels, extra=extra)


def contact_sheet(path, seed=0, n=16, cols=4, width=1600):
    """PNG of n frames (balls circled: red the primary, yellow the others, grey below VIS_PRESENT) with their
    scene / sport, ball, camera and light, scaled to `width` px."""
    rng = np.random.default_rng(seed)
    tiles = []
    for _ in range(n):
        img, balls, meta = render(rng)
        big = cv2.resize(img, (W * 2, H * 2), interpolation=cv2.INTER_NEAREST)[..., ::-1].copy()
        for j, b in enumerate(balls):
            col = (0, 0, 255) if j == 0 else (0, 255, 255)
            if b['vis'] < VIS_PRESENT:
                col = (160, 160, 160)
            cv2.circle(big, (int(b['cx'] * 2 * SUB), int(b['cy'] * 2 * SUB)), int((b['r'] * 2 + 8) * SUB), col, 2,
                       cv2.LINE_AA, SHIFT)
        txt = f"{meta['scene']}/{meta['sport']} {meta['ball']} {meta['camera']} {meta['light']}"
        cv2.putText(big, txt, (8, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (0, 0, 0), 4, cv2.LINE_AA)
        cv2.putText(big, txt, (8, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (255, 255, 255), 2, cv2.LINE_AA)
        tiles.append(big)
    rows = [np.concatenate(tiles[i:i + cols], 1) for i in range(0, n, cols)]
    sheet = np.concatenate(rows, 0)
    sheet = cv2.resize(sheet, (width, int(sheet.shape[0] * width / sheet.shape[1])), interpolation=cv2.INTER_AREA)
    sheet = (sheet // 8) * 8 + 4   # 5 bits per channel: keeps the PNG under 1 MB
    cv2.imwrite(path, sheet, [cv2.IMWRITE_PNG_COMPRESSION, 9])
