"""Procedural synthetic football frames with a ball (numpy only).

Adapted from the train-spike renderer. Frames are H x W = 256 x 448 RGB uint8. The camera zoom is drawn
so that the ball radius at the view target is log-uniform in [1.5, 20] px; players, lines and the ball
then all follow the same perspective (ball 0.11 m radius, players ~1.8 m). Adds advertising boards,
hard-negative decoys (white boots/socks-like blobs, heads, spots, bright specks), occlusion by players,
motion blur, lighting, defocus, noise and JPEG artefacts.
Label per frame: present, cx, cy, r (px), visible fraction.
"""
import numpy as np

H, W = 256, 448

# ---------------------------------------------------------------- pitch geometry (metres)
PL, PW = 105.0, 68.0


def _pitch_segments():
    s = []
    s += [((0, 0), (PL, 0)), ((0, PW), (PL, PW)), ((0, 0), (0, PW)), ((PL, 0), (PL, PW))]
    s += [((PL / 2, 0), (PL / 2, PW))]
    for x0, sgn in ((0.0, 1), (PL, -1)):
        # penalty box 16.5 x 40.32, goal area 5.5 x 18.32
        for d, w in ((16.5, 40.32), (5.5, 18.32)):
            y0, y1 = PW / 2 - w / 2, PW / 2 + w / 2
            x1 = x0 + sgn * d
            s += [((x0, y0), (x1, y0)), ((x0, y1), (x1, y1)), ((x1, y0), (x1, y1))]
    return np.array(s, np.float32)  # (n,2,2)


SEGS = _pitch_segments()
CIRCLES = np.array([[PL / 2, PW / 2, 9.15]], np.float32)
SPOTS = np.array([[11.0, PW / 2], [PL - 11.0, PW / 2], [PL / 2, PW / 2]], np.float32)


def _seg_dist(px, py, segs, box=None):
    d = np.full(px.shape, 1e9, np.float32)
    for (ax, ay), (bx, by) in segs:
        if box is not None and (max(ax, bx) < box[0] or min(ax, bx) > box[1] or max(ay, by) < box[2] or min(ay, by) > box[3]):
            continue
        if ay == by:  # horizontal
            lo, hi = min(ax, bx), max(ax, bx)
            dx = np.maximum(np.maximum(lo - px, px - hi), 0)
            d = np.minimum(d, np.sqrt(dx * dx + (py - ay) ** 2))
            continue
        if ax == bx:
            lo, hi = min(ay, by), max(ay, by)
            dy = np.maximum(np.maximum(lo - py, py - hi), 0)
            d = np.minimum(d, np.sqrt(dy * dy + (px - ax) ** 2))
            continue
        vx, vy = bx - ax, by - ay
        L2 = vx * vx + vy * vy
        t = np.clip(((px - ax) * vx + (py - ay) * vy) / L2, 0, 1)
        dx, dy = px - (ax + t * vx), py - (ay + t * vy)
        d = np.minimum(d, np.sqrt(dx * dx + dy * dy))
    return d


def _hsv2rgb(h, s, v):
    i = int(h * 6) % 6
    f = h * 6 - int(h * 6)
    p, q, t = v * (1 - s), v * (1 - f * s), v * (1 - (1 - f) * s)
    return np.array([(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)][i], np.float32)


def _lowfreq_noise(rng, h, w, cells, amp):
    g = rng.standard_normal((cells[0] + 1, cells[1] + 1)).astype(np.float32)
    ys = np.linspace(0, cells[0], h, dtype=np.float32)
    xs = np.linspace(0, cells[1], w, dtype=np.float32)
    y0 = np.minimum(ys.astype(int), cells[0] - 1)
    x0 = np.minimum(xs.astype(int), cells[1] - 1)
    fy = (ys - y0)[:, None]
    fx = (xs - x0)[None, :]
    a = g[y0][:, x0]; b = g[y0][:, x0 + 1]; c = g[y0 + 1][:, x0]; d = g[y0 + 1][:, x0 + 1]
    return amp * (a * (1 - fx) * (1 - fy) + b * fx * (1 - fy) + c * (1 - fx) * fy + d * fx * fy)


_BANK = {}


def _noise(rng, shape):
    key = shape
    if key not in _BANK:
        r = np.random.default_rng(12345)
        _BANK[key] = r.standard_normal((shape[0] * 2,) + (shape[1] * 2,) + tuple(shape[2:])).astype(np.float32)
    b = _BANK[key]
    oy, ox = rng.integers(0, shape[0]), rng.integers(0, shape[1])
    out = b[oy:oy + shape[0], ox:ox + shape[1]]
    return out[:, ::-1] if rng.random() < 0.5 else out


class Camera:
    def __init__(self, rng, r_target=None):
        # camera behind the near touchline (y<0), elevated, looking at a random pitch point
        self.C = np.array([rng.uniform(10, 95), rng.uniform(-45, -15), rng.uniform(8, 30)], np.float32)
        tgt = np.array([rng.uniform(5, 100), rng.uniform(10, 60), 0.0], np.float32)
        fwd = tgt - self.C
        fwd /= np.linalg.norm(fwd)
        right = np.cross(fwd, [0, 0, 1.0]).astype(np.float32)
        right /= np.linalg.norm(right)
        down = np.cross(fwd, right)
        self.R = np.stack([right, down, fwd])  # world->cam rows
        dist = np.linalg.norm(tgt - self.C)
        hfov_m = rng.uniform(18, 70) if r_target is None else W * 0.11 / r_target  # metres visible at target
        self.f = W * dist / hfov_m
        self.roll = rng.uniform(-0.03, 0.03)

    def rays(self):
        u = np.arange(W, dtype=np.float32) + 0.5 - W / 2
        v = np.arange(H, dtype=np.float32) + 0.5 - H / 2
        uu, vv = np.meshgrid(u, v)
        cr, sr = np.cos(self.roll), np.sin(self.roll)
        uu, vv = cr * uu - sr * vv, sr * uu + cr * vv
        dc = np.stack([uu / self.f, vv / self.f, np.ones_like(uu)], -1)
        return dc @ self.R  # world directions (H,W,3)

    def project(self, P):
        pc = self.R @ (np.asarray(P, np.float32) - self.C)
        if pc[2] <= 0.1:
            return None
        u, v = self.f * pc[0] / pc[2], self.f * pc[1] / pc[2]
        cr, sr = np.cos(-self.roll), np.sin(-self.roll)
        u, v = cr * u - sr * v, sr * u + cr * v
        return np.array([u + W / 2, v + H / 2], np.float32), pc[2]


def _blend(img, cov, col, x0, y0):
    h, w = cov.shape
    sub = img[y0:y0 + h, x0:x0 + w]
    c = cov[..., None]
    sub *= (1 - c)
    sub += c * col


def _ellipse(img, cx, cy, ax, ay, col, ang=0.0, alpha=1.0, occ=None):
    r = max(ax, ay) + 2
    x0, x1 = max(int(cx - r), 0), min(int(cx + r) + 2, W)
    y0, y1 = max(int(cy - r), 0), min(int(cy + r) + 2, H)
    if x1 <= x0 or y1 <= y0:
        return
    xs = np.arange(x0, x1, dtype=np.float32) + 0.5 - cx
    ys = np.arange(y0, y1, dtype=np.float32) + 0.5 - cy
    X, Y = np.meshgrid(xs, ys)
    ca, sa = np.cos(ang), np.sin(ang)
    Xr, Yr = ca * X + sa * Y, -sa * X + ca * Y
    rn = np.sqrt((Xr / ax) ** 2 + (Yr / ay) ** 2)
    cov = np.clip((1 - rn) * min(ax, ay) + 0.5, 0, 1) * alpha
    if occ is not None:
        occ[y0:y1, x0:x1] = np.maximum(occ[y0:y1, x0:x1], cov)
    if callable(col):
        col = col(X, Y)
    _blend(img, cov, col, x0, y0)


def _draw_player(img, rng, foot, hpx, kit, occ):
    x, y = foot
    skin = _hsv2rgb(rng.uniform(0.03, 0.1), rng.uniform(0.3, 0.7), rng.uniform(0.3, 0.95))
    w = hpx * rng.uniform(0.22, 0.3)
    lean = rng.uniform(-0.25, 0.25)
    # shadow
    _ellipse(img, x + hpx * 0.2, y, w * 1.3, hpx * 0.07, np.zeros(3, np.float32), alpha=0.35)
    # legs (socks colour), shorts, shirt, head
    for s in (-1, 1):
        _ellipse(img, x + s * w * 0.35 + rng.uniform(-1, 1) * w * 0.3, y - hpx * 0.18, w * 0.18 + 0.6,
                 hpx * 0.2, kit[2], ang=rng.uniform(-0.3, 0.3), occ=occ)
    _ellipse(img, x + lean * hpx * 0.1, y - hpx * 0.42, w * 0.55, hpx * 0.1, kit[1], occ=occ)
    _ellipse(img, x + lean * hpx * 0.2, y - hpx * 0.63, w * 0.55, hpx * 0.18, kit[0], ang=lean * 0.5, occ=occ)
    for s in (-1, 1):  # arms
        _ellipse(img, x + lean * hpx * 0.2 + s * w * 0.6, y - hpx * 0.62, w * 0.14 + 0.5, hpx * 0.16,
                 kit[0] if rng.random() < 0.5 else skin, ang=s * rng.uniform(0.0, 0.6), occ=occ)
    _ellipse(img, x + lean * hpx * 0.3, y - hpx * 0.89, w * 0.3 + 0.5, w * 0.33 + 0.5, skin, occ=occ)


def _draw_ball(img, rng, cx, cy, r, blur_vec):
    """Render (possibly motion-blurred) ball; returns coverage patch & bbox for visibility calc."""
    bx, by = abs(blur_vec[0]) / 2, abs(blur_vec[1]) / 2
    x0, x1 = max(int(cx - r - bx - 2), 0), min(int(cx + r + bx + 3), W)
    y0, y1 = max(int(cy - r - by - 2), 0), min(int(cy + r + by + 3), H)
    if x1 <= x0 or y1 <= y0:
        return None
    xs = np.arange(x0, x1, dtype=np.float32) + 0.5
    ys = np.arange(y0, y1, dtype=np.float32) + 0.5
    X, Y = np.meshgrid(xs, ys)
    n = 1 if blur_vec is None or np.hypot(*blur_vec) < 1 else int(np.ceil(np.hypot(*blur_vec))) + 1
    base = np.array([1, 1, 1], np.float32) * rng.uniform(0.85, 1.0)
    if rng.random() < 0.12:  # winter / coloured ball
        base = _hsv2rgb(rng.uniform(0.05, 0.17), rng.uniform(0.6, 1), rng.uniform(0.85, 1))
    light = np.array([rng.uniform(-0.6, 0.6), rng.uniform(-0.9, -0.2)], np.float32)
    npatch = rng.integers(0, 6) if r >= 3.5 else 0
    patches = [(rng.uniform(-0.7, 0.7), rng.uniform(-0.7, 0.7), rng.uniform(0.2, 0.38)) for _ in range(npatch)]
    pcol = _hsv2rgb(rng.random(), rng.uniform(0, 1), rng.uniform(0.05, 0.6))
    acc_c = np.zeros(X.shape + (3,), np.float32)
    acc_a = np.zeros(X.shape, np.float32)
    for k in range(n):
        t = 0.0 if n == 1 else k / (n - 1) - 0.5
        px, py = cx + t * (blur_vec[0] if n > 1 else 0), cy + t * (blur_vec[1] if n > 1 else 0)
        dx, dy = (X - px) / r, (Y - py) / r
        d = np.sqrt(dx * dx + dy * dy)
        cov = np.clip((1 - d) * r + 0.5, 0, 1)
        nz = np.sqrt(np.clip(1 - d * d, 0, 1))
        shade = 0.55 + 0.45 * np.clip(dx * light[0] + dy * light[1] + nz * 0.6, 0, 1)
        col = base[None, None, :] * shade[..., None]
        for (qx, qy, qr) in patches:
            m = np.clip((qr - np.hypot(dx - qx, dy - qy)) * r + 0.5, 0, 1)[..., None]
            col = col * (1 - m) + pcol * shade[..., None] * m
        acc_c += col * cov[..., None]
        acc_a += cov
    acc_c /= n
    acc_a /= n
    sub = img[y0:y1, x0:x1]
    sub *= (1 - acc_a[..., None])
    sub += acc_c
    return acc_a, (x0, y0, x1, y1)



AD_COLS = None


def _boards(rng, cam, d, t_ground, ground):
    """Advertising boards: a vertical band 0..0.9 m high along the far touchline (and near goal lines)."""
    img_b = np.zeros((H, W, 3), np.float32)
    mask = np.zeros((H, W), bool)
    seg = rng.uniform(4, 9)
    ncol = 6
    cols = [_hsv2rgb(rng.random(), rng.uniform(0.2, 1), rng.uniform(0.3, 1)) for _ in range(ncol)]
    ink = [_hsv2rgb(rng.random(), rng.uniform(0, 1), rng.choice([0.1, 0.95])) for _ in range(ncol)]
    yb = PW + rng.uniform(2, 5)
    dy = d[..., 1]
    with np.errstate(divide='ignore', invalid='ignore'):
        tb = (yb - cam.C[1]) / dy
    xb = cam.C[0] + tb * d[..., 0]
    zb = cam.C[2] + tb * d[..., 2]
    hb = rng.uniform(0.8, 1.0)
    m = (tb > 0) & (zb >= 0) & (zb <= hb) & (xb > -8) & (xb < PL + 8) & (~ground | (tb < t_ground))
    if m.any():
        k = np.floor((xb + 100) / seg).astype(int) % ncol
        u = ((xb + 100) / seg) % 1.0
        v = zb / hb
        base = np.stack(cols)[k]
        # 'text': blocky glyph pattern
        gx = np.floor(u * rng.uniform(6, 14)).astype(int)
        txt = ((gx * 7 + k * 3) % 5 < 3) & (v > 0.25) & (v < 0.75) & (u > 0.1) & (u < 0.9)
        if rng.random() < 0.5:  # LED boards: fine horizontal stripes
            txt &= (np.floor(v * 12).astype(int) % 2 == 0)
        col = np.where(txt[..., None], np.stack(ink)[k], base)
        img_b[m] = col[m]
        mask = m
    return img_b, mask


def _decoys(img, rng, cam, t, ground, occ_dummy):
    """Hard negatives: white elongated blobs (boots/socks), heads, bright non-ball dots, penalty-spot-like marks."""
    n = rng.integers(0, 6)
    for _ in range(n):
        for _try in range(5):
            x, y = rng.uniform(0, W), rng.uniform(0, H)
            if ground[int(y), int(x)]:
                break
        else:
            continue
        rb = float(np.clip(0.11 * cam.f / max(t[int(y), int(x)], 1e-3), 1.0, 40))
        kind = rng.random()
        if kind < 0.45:  # boot / sock: white elongated blob, aspect >= 1.8
            ax = rb * rng.uniform(1.2, 2.5)
            ay = ax / rng.uniform(1.8, 3.5)
            col = np.array([1, 1, 1], np.float32) * rng.uniform(0.75, 1.0)
            _ellipse(img, x, y, ax, ay, col, ang=rng.uniform(0, np.pi))
        elif kind < 0.7:  # head-like: skin ellipse with dark/blond hair cap
            skin = _hsv2rgb(rng.uniform(0.03, 0.1), rng.uniform(0.2, 0.7), rng.uniform(0.3, 0.95))
            _ellipse(img, x, y, rb * 1.1, rb * 1.3, skin)
            hair = _hsv2rgb(rng.uniform(0.05, 0.12), rng.uniform(0.1, 0.8), rng.uniform(0.05, 0.9))
            _ellipse(img, x, y - rb * 0.6, rb * 1.1, rb * 0.6, hair)
        elif kind < 0.85:  # flat painted mark on the grass (spot / line crossing): white, low contrast disc
            col = np.array([1, 1, 1], np.float32) * rng.uniform(0.7, 0.9)
            _ellipse(img, x, y, rb * rng.uniform(1.5, 3), rb * rng.uniform(0.5, 1.0), col, alpha=rng.uniform(0.4, 0.8))
        else:  # coloured (non-ball hue: blue/red/dark) round blob
            col = _hsv2rgb(rng.choice([rng.uniform(0.55, 0.75), rng.uniform(0.9, 1.0)]), rng.uniform(0.6, 1), rng.uniform(0.1, 0.7))
            _ellipse(img, x, y, rb, rb, col)


def render(rng, p_absent=0.2):
    """Returns img uint8 (H,W,3) and label dict {present, cx, cy, r, vis}."""
    r_target = float(np.exp(rng.uniform(np.log(1.5), np.log(20.0))))
    img = np.empty((H, W, 3), np.float32)
    cam = Camera(rng, r_target)
    d = cam.rays()
    dz = d[..., 2]
    ground = dz < -1e-4
    t = np.where(ground, -cam.C[2] / np.where(ground, dz, -1), 0)
    gx = cam.C[0] + t * d[..., 0]
    gy = cam.C[1] + t * d[..., 1]
    # depth along the optical axis = t (ray z-component in camera space is 1)
    mpp = np.where(ground, t / cam.f / np.maximum(np.abs(dz), 0.05), 1e3).astype(np.float32)

    # grass
    green = _hsv2rgb(rng.uniform(0.22, 0.36), rng.uniform(0.35, 0.85), rng.uniform(0.3, 0.75))
    stripe_w = rng.uniform(4, 9)
    stripe_a = rng.uniform(0.0, 0.15)
    coord = gx if rng.random() < 0.8 else gy
    ph = coord / stripe_w * np.pi
    stripes = np.tanh(np.sin(ph) * 4 / np.maximum(1, mpp / stripe_w * 8))
    tex = _lowfreq_noise(rng, H, W, (6, 10), rng.uniform(0.02, 0.07)) + \
        _noise(rng, (H, W)) * rng.uniform(0.005, 0.05)
    lum = 1 + stripe_a * stripes + tex
    img[:] = green[None, None, :] * lum[..., None]

    # lines
    lw = rng.uniform(0.1, 0.16)
    line_col = np.array([1, 1, 1], np.float32) * rng.uniform(0.75, 1.0)
    pad = 40
    gxc = np.clip(gx, -pad, PL + pad); gyc = np.clip(gy, -pad, PW + pad)
    gm = ground & (mpp < 1.0)
    box = (gxc[gm].min() - 1, gxc[gm].max() + 1, gyc[gm].min() - 1, gyc[gm].max() + 1) if gm.any() else (1e9, -1e9, 1e9, -1e9)
    dl = _seg_dist(gxc, gyc, SEGS, box)
    for (ccx, ccy, cr) in CIRCLES:
        dl = np.minimum(dl, np.abs(np.hypot(gxc - ccx, gyc - ccy) - cr))
    for (sx, sy) in SPOTS:
        dl = np.minimum(dl, np.maximum(np.hypot(gxc - sx, gyc - sy) - 0.11, 0) + lw / 2 - 1e-3)
    cov = np.clip((lw / 2 - dl) / np.maximum(mpp, 1e-4) + 0.5, 0, 1)
    cov *= ground & (mpp < 1.0)
    cov *= rng.uniform(0.6, 1.0)
    img = img * (1 - cov[..., None]) + cov[..., None] * line_col * (0.9 + tex[..., None])
    # stands / sky
    far = (~ground) | (gy > PW + 8) | (gx < -8) | (gx > PL + 8)
    if far.any():
        sc = _hsv2rgb(rng.random(), rng.uniform(0, 0.5), rng.uniform(0.1, 0.45))
        cells = (int(rng.integers(10, 60)), int(rng.integers(20, 100)))
        crowd = _lowfreq_noise(rng, H, W, cells, 0.25) + _noise(rng, (H, W)) * 0.15
        st = sc[None, None] * (1 + crowd[..., None]) + _noise(rng, (H, W, 3)) * 0.08
        sp = rng.random((H, W)) < rng.uniform(0.0, 0.01)  # bright crowd specks
        st[sp] = rng.uniform(0.7, 1.0)
        img = np.where(far[..., None], st, img)
    if rng.random() < 0.85:
        bimg, bm = _boards(rng, cam, d, t, ground)
        img = np.where(bm[..., None], bimg, img)
        far = far | bm
    img = np.ascontiguousarray(img, np.float32)
    play = ground & ~far

    def size_at(x, y, metres):
        xi, yi = int(np.clip(x, 0, W - 1)), int(np.clip(y, 0, H - 1))
        tt = t[yi, xi] if ground[yi, xi] else cam.f * 0.11 / max(r_target, 1e-3)
        return metres * cam.f / max(tt, 1e-3)

    _decoys(img, rng, cam, t, play, None)

    kits = []
    for _ in range(2):
        shirt = _hsv2rgb(rng.random(), rng.uniform(0, 1), rng.uniform(0.15, 1))
        if rng.random() < 0.15:
            shirt = np.array([0.95, 0.95, 0.95], np.float32)
        shorts = shirt if rng.random() < 0.3 else _hsv2rgb(rng.random(), rng.uniform(0, 1), rng.uniform(0.1, 1))
        socks = np.array([0.95, 0.95, 0.95], np.float32) if rng.random() < 0.35 else shirt
        kits.append((shirt, shorts, socks))
    kits.append((np.array([0.1, 0.1, 0.1], np.float32),) * 3)  # referee
    n_players = int(rng.integers(0, 12))
    players = []
    for i in range(n_players):
        fx, fy = rng.uniform(-10, W + 10), rng.uniform(H * 0.05, H * 1.3)
        kit = kits[i % 2] if (i < n_players - 1 or rng.random() < 0.7) else kits[2]
        players.append([fx, fy, kit])

    def player_h(x, y):
        return float(np.clip(size_at(x, min(y, H - 1), 1.8) * rng.uniform(0.9, 1.1), 6, 700))

    present = rng.random() >= p_absent
    label = dict(present=False, cx=0.0, cy=0.0, r=0.0, vis=0.0)
    ball_depth = None
    if present:
        cx, cy = rng.uniform(2, W - 2), rng.uniform(2, H - 2)
        for _try in range(6):
            if play[int(cy), int(cx)]:
                break
            cx, cy = rng.uniform(2, W - 2), rng.uniform(2, H - 2)
        if players and rng.random() < 0.4:  # near a player's feet
            p = players[rng.integers(len(players))]
            hp = player_h(p[0], p[1])
            cx = float(np.clip(p[0] + rng.uniform(-0.3, 0.3) * hp, 2, W - 2))
            cy = float(np.clip(p[1] + rng.uniform(-0.15, 0.03) * hp, 2, H - 2))
        r = size_at(cx, cy, 0.11)
        if rng.random() < 0.2:  # in the air: a bit bigger, higher up
            r *= rng.uniform(1.0, 1.4)
        r = float(np.clip(r, 1.2, 26))
        blur = None
        if rng.random() < 0.35:
            L = rng.uniform(1.5, 5) * r * rng.uniform(0.3, 1.5)
            a = rng.uniform(0, 2 * np.pi)
            blur = (L * np.cos(a), L * np.sin(a))
        ball_depth = cy + rng.uniform(-5, 5) if rng.random() > 0.5 else cy + r
        if players and rng.random() < 0.25:  # a player in front, overlapping the ball
            hpx = player_h(cx, cy)
            players.append([cx + rng.uniform(-0.3, 0.3) * hpx, cy + rng.uniform(0.02, 0.5) * hpx + 1, kits[rng.integers(2)]])
        label.update(present=True, cx=float(cx), cy=float(cy), r=r, blur=blur)
    occ = np.zeros((H, W), np.float32)
    drawn_ball = None
    items = sorted([(p[1], i) for i, p in enumerate(players)])
    for fy, i in items:
        if label['present'] and drawn_ball is None and fy > ball_depth:
            occ[:] = 0
            drawn_ball = _draw_ball(img, rng, label['cx'], label['cy'], label['r'], label.get('blur') or (0, 0))
        p = players[i]
        _draw_player(img, rng, (p[0], p[1]), player_h(p[0], p[1]), p[2], occ)
    if label['present'] and drawn_ball is None:
        occ[:] = 0
        drawn_ball = _draw_ball(img, rng, label['cx'], label['cy'], label['r'], label.get('blur') or (0, 0))
    if label['present']:
        if drawn_ball is None:
            label['present'] = False
        else:
            a, (x0, y0, x1, y1) = drawn_ball
            vis = float((a * (1 - occ[y0:y1, x0:x1])).sum() / max(a.sum(), 1e-6))
            label['vis'] = vis
            if vis < 0.3:
                label['present'] = False
    label.pop('blur', None)

    # lighting: stadium shadow, gradient, gain, tint, gamma, noise, defocus
    if rng.random() < 0.35:
        a = rng.uniform(0, 2 * np.pi)
        yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
        s_ = (xx - rng.uniform(0, W)) * np.cos(a) + (yy - rng.uniform(0, H)) * np.sin(a)
        m = 1 / (1 + np.exp(-s_ / rng.uniform(1, 10)))
        img *= (1 - rng.uniform(0.3, 0.6) * m)[..., None]
    gy_, gx_ = rng.uniform(-0.25, 0.25, 2)
    grad = 1 + gx_ * (np.arange(W, dtype=np.float32) / W - 0.5)[None] + gy_ * (np.arange(H, dtype=np.float32) / H - 0.5)[:, None]
    img *= grad[..., None]
    img *= rng.uniform(0.6, 1.35) * (1 + rng.uniform(-0.08, 0.08, 3)).astype(np.float32)
    gamma = rng.uniform(0.8, 1.25)
    if rng.random() < 0.35:  # defocus
        k = rng.uniform(0.5, 1.6)
        import cv2
        img = cv2.GaussianBlur(img, (0, 0), k)
    img += _noise(rng, (H, W, 3)) * rng.uniform(0.0, 0.05)
    out = (np.clip(img, 0, 1) * 255 + 0.5).astype(np.uint8)
    lut = ((np.arange(256) / 255.0) ** gamma * 255 + 0.5).astype(np.uint8)
    out = lut[out]
    if rng.random() < 0.6:  # JPEG artefacts like the broadcast / phone stream
        import cv2
        q = int(rng.integers(35, 95))
        ok, enc = cv2.imencode('.jpg', out[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, q])
        out = cv2.imdecode(enc, cv2.IMREAD_COLOR)[..., ::-1]
    return np.ascontiguousarray(out), label


def gen_batch(seed, n, p_absent=0.2):
    rng = np.random.default_rng(seed)
    imgs = np.empty((n, H, W, 3), np.uint8)
    labels = np.zeros((n, 5), np.float32)  # present, cx, cy, r, vis
    for i in range(n):
        img, lab = render(rng, p_absent)
        imgs[i] = img
        labels[i] = (lab['present'], lab['cx'], lab['cy'], lab['r'], lab['vis'])
    return dict(imgs=imgs, labels=labels)
