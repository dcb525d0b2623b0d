"""Evaluate a ball detector (ONNX via onnxruntime, or a PyTorch checkpoint) on dfl-soccer valid at 1080p.

Run it with `python -m scripts.evaluate` (from models/train); the engine's constants (thresholds, the desktop
preset's region of interest and whole-frame pass, the output stride) come from `models/contract.json`.

Top-1 peak per input. A hit: sigmoid(peak) >= thr and centre error <= max(10 px, ball box size) (native px).
- ROI mode: 192x192 native crop, ball displaced uniformly up to +-64 px from the crop centre (seeded).
- Search mode: whole frame at native 1920x1080 (letterboxed to 1920x1088), at half resolution 960x544 and the
  512x288 whole-frame pass; 'combined' takes the most confident peak of the three passes. The model is fully
  convolutional, so the native/half passes equal a tile scan with fully overlapping tiles.
- False positives: real frames with the ball in-painted away (ROI crop at the ball's place, and the search
  passes), synthetic frames without a ball (renderer test pool), and random ball-free real crops (control for
  the in-painting check).
"""
import os
import numpy as np
import cv2

from . import contract, data, paths
from .infer import letterbox32, sigmoid, top1

SIZE_BUCKETS = [(0, 10), (10, 14), (14, 20), (20, 1e9)]


def _thr(thr):
    """thr, or the engine's search threshold when None."""
    return contract.get().search_threshold if thr is None else thr


def roi_side():
    """Side of the engine's (square) region of interest, desktop preset (192)."""
    w, h = contract.get().roi_input
    assert w == h, contract.get().roi_input
    return w


def inpaint_ball(native, fr):
    """Remove the ball from a native frame (Telea in-painting of its box ellipse + margin)."""
    out = native.copy()
    cx, cy = fr['cx'], fr['cy']
    ax, ay = fr['bw'] / 2 + 3, fr['bh'] / 2 + 3
    x0, x1 = int(max(cx - ax - 12, 0)), int(min(cx + ax + 12, native.shape[1]))
    y0, y1 = int(max(cy - ay - 12, 0)), int(min(cy + ay + 12, native.shape[0]))
    win = np.ascontiguousarray(out[y0:y1, x0:x1])
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32) + 0.5
    m = (((xx - cx) / ax) ** 2 + ((yy - cy) / ay) ** 2 <= 1).astype(np.uint8)
    out[y0:y1, x0:x1] = cv2.inpaint(win, m, 3, cv2.INPAINT_TELEA)
    return out


def crop(native, pcx, pcy, P=None):
    return data.warp_patch(native, 1.0, 1.0, pcx, pcy, 1.0, P or roi_side())


# Two-stage acquisition, as the engine acquires a ball (core/src/track/acquire.rs): a search peak scoring at least
# `acquire_score` starts a hypothesis; the hypothesis gets a native-resolution ROI and is confirmed only by further
# detections >= `confirm_score` near it. On stills, the second look is the native 192x192 ROI centred on the search
# peak (same frame); it confirms when its top-1 peak scores >= confirm_score within VERIFY_GATE_PX.
# The thresholds are TrackerConfig's defaults (contract.get().acquire_score, .confirm_score).
VERIFY_GATE_PX = 24.0
VERIFY_PEAKS = 4        # search peaks per pass that get a second look
VERIFY_MIN_P = 0.3      # smallest search peak recorded (the sweep starts there)
# Operating points of the two-stage sweep (search peak threshold x second-look threshold).
SWEEP_SEARCH = (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)
SWEEP_VERIFY = (0.5, 0.55, 0.6, 0.65, 0.7, 0.8)


def peaks(out, k=VERIFY_PEAKS, pmin=VERIFY_MIN_P):
    """Local maxima (3x3) of the centre logit above pmin, best first: [(p, x, y)] in input pixels."""
    lg = out[0]
    mx = cv2.dilate(lg, np.ones((3, 3), np.float32))
    ys, xs = np.nonzero((lg == mx) & (lg >= np.log(pmin / (1 - pmin))))
    order = np.argsort(-lg[ys, xs])[:k]
    stride = contract.get().stride
    return [(float(sigmoid(lg[ys[i], xs[i]])), float((xs[i] + out[1, ys[i], xs[i]]) * stride),
             float((ys[i] + out[2, ys[i], xs[i]]) * stride)) for i in order]


def second_looks(run, native, cands):
    """Native ROI around each search candidate: adds roi_p (its top-1 within the gate, else 0)."""
    out = []
    half = roi_side() / 2
    for c in cands:
        p, x, y, _ = top1(run(crop(native, c['X'], c['Y'])))
        X, Y = c['X'] + x - half, c['Y'] + y - half
        near = np.hypot(X - c['X'], Y - c['Y']) <= VERIFY_GATE_PX
        out.append(dict(c, roi_p=p if near else 0.0, RX=float(X), RY=float(Y)))
    return out


def evaluate(run, frames, thr=None, search=True, native_pass=True, fp_real=True, synth_pool=None, keep=False, search_fp=True,
             verify=False):
    C = contract.get()
    thr = _thr(thr)
    half = roi_side() / 2
    whole_w, whole_h = C.full_input
    rng = np.random.default_rng(0)
    rng2 = np.random.default_rng(1)
    recs = []
    for fr in frames:
        dx, dy = rng.uniform(-64, 64, 2)
        ox, oy = rng.uniform(150, 400, 2) * rng.choice([-1, 1], 2)
        if not fr['present']:
            continue
        native = data.native_frame(fr['img'])
        tol = max(10.0, max(fr['bw'], fr['bh']))
        rec = dict(file=fr['file'], size=max(fr['bw'], fr['bh']), tol=tol)
        # ROI
        pcx, pcy = fr['cx'] + dx, fr['cy'] + dy
        p, x, y, r = top1(run(crop(native, pcx, pcy)))
        bx, by = fr['cx'] - pcx + half, fr['cy'] - pcy + half
        rec['roi'] = dict(p=p, err=float(np.hypot(x - bx, y - by)), r=r)
        if keep:
            rec['roi_img'] = crop(native, pcx, pcy)
            rec['roi_xy'] = (bx, by, x, y)
        empty = inpaint_ball(native, fr) if fp_real else None
        if fp_real:
            rec['roi_inpainted_p'] = top1(run(crop(empty, pcx, pcy)))[0]
            qx = float(np.clip(fr['cx'] + ox, half, data.NATIVE_W - half)); qy = float(np.clip(fr['cy'] + oy, half, data.NATIVE_H - half))
            if np.hypot(qx - fr['cx'], qy - fr['cy']) > 140:
                rec['roi_random_p'] = top1(run(crop(native, qx, qy)))[0]
                # in-painting cue check: in-paint a ball-sized disc where no ball is, in the same ball-free crop
                jx, jy = rng2.uniform(-40, 40, 2)
                fake = dict(cx=qx + jx, cy=qy + jy, bw=fr['bw'], bh=fr['bh'])
                rec['roi_random_inpainted_p'] = top1(run(crop(inpaint_ball(native, fake), qx, qy)))[0]
        if search:
            passes = {}
            if native_pass:
                passes['native'] = (1.0, native)
            passes['half'] = (0.5, cv2.resize(native, (960, 540), interpolation=cv2.INTER_AREA))
            passes['whole512'] = (whole_w / data.NATIVE_W, cv2.resize(native, (whole_w, whole_h), interpolation=cv2.INTER_AREA))
            rec['search'] = {}
            cands, cands_empty = [], []
            for k, (s, im) in passes.items():
                o = run(letterbox32(im))
                p, x, y, r = top1(o)
                rec['search'][k] = dict(p=p, err=float(np.hypot(x / s - fr['cx'], y / s - fr['cy'])))
                if verify:
                    cands += [dict(p=q, X=qx / s, Y=qy / s) for q, qx, qy in peaks(o)]
                if fp_real and search_fp:
                    e = empty if s == 1.0 else cv2.resize(empty, im.shape[1::-1], interpolation=cv2.INTER_AREA)
                    oe = run(letterbox32(e))
                    rec['search'][k]['p_inpainted'] = top1(oe)[0]
                    if verify:
                        cands_empty += [dict(p=q, X=qx / s, Y=qy / s) for q, qx, qy in peaks(oe)]
            if verify:
                rec['verify'] = second_looks(run, native, cands)
                for c in rec['verify']:
                    c['err'] = float(np.hypot(c['RX'] - fr['cx'], c['RY'] - fr['cy']))
                if fp_real and search_fp:
                    rec['verify_empty'] = second_looks(run, empty, cands_empty)
        recs.append(rec)
    synth, synth_two = [], []
    if synth_pool is not None:
        for i in range(len(synth_pool.I)):
            if synth_pool.L[i, 0] == 0:
                o = run(letterbox32(synth_pool.I[i]))
                synth.append(top1(o)[0])
                if verify:   # the frame is small: one native pass, then the second look
                    cands = [dict(p=q, X=qx, Y=qy) for q, qx, qy in peaks(o)]
                    synth_two.append(second_looks(run, synth_pool.I[i], cands))
    S = summarize(recs, thr, synth)
    if synth_two:
        S['fp_synthetic_empty']['two_stage'] = synthetic_two_stage(synth_two, C.acquire_score, C.confirm_score)
        # Not part of the summary (popped by main): the sweep reuses the second looks.
        S['_synth_two'] = synth_two
    return S, recs


def synthetic_two_stage(synth_two, t_search, t_verify):
    """Share of ball-free synthetic frames with a search peak >= t_search confirmed by a second look >= t_verify."""
    ok = lambda c: c['p'] >= t_search and c['roi_p'] >= t_verify
    return float(np.mean([any(ok(c) for c in cs) for cs in synth_two]))


def evaluate_folder(run, folder, thr=None, limit=300):
    """Frames with labels.csv (e.g. the Rust renderer's dump_dataset): ROI 192x192 crops (ball displaced up to
    +-64 px), whole-frame native pass and 512-wide pass; false positives on ball-absent frames (top-1 >= thr)."""
    thr = _thr(thr)
    P = roi_side()
    whole_w = contract.get().full_input[0]
    import csv
    rows = list(csv.DictReader(open(os.path.join(folder, 'labels.csv'))))[:limit]
    rng = np.random.default_rng(0)
    roi_hit = roi_det = n_pos = 0
    srch = {'native': 0, 'whole512': 0, 'combined': 0}
    fp = {'roi': 0, 'native': 0, 'whole512': 0}
    n_neg = 0
    for r in rows:
        img = cv2.imread(os.path.join(folder, r['file']), cv2.IMREAD_COLOR)[..., ::-1].copy()
        H, W = img.shape[:2]
        k = whole_w / W
        small = cv2.resize(img, (whole_w, int(round(H * k))), interpolation=cv2.INTER_AREA)
        dx, dy = rng.uniform(-64, 64, 2)
        if r['visible'] == '1':
            n_pos += 1
            cx, cy, w = float(r['x']), float(r['y']), float(r['w'] or 10)
            tol = max(10.0, w)
            pcx, pcy = cx + dx, cy + dy
            p, x, y, _ = top1(run(data.warp_patch(img, 1.0, 1.0, pcx, pcy, 1.0, P)))
            ok = p >= thr and np.hypot(x - (cx - pcx + P / 2), y - (cy - pcy + P / 2)) <= tol
            roi_hit += ok; roi_det += p >= thr
            best = None
            for name, s, im in (('native', 1.0, img), ('whole512', k, small)):
                p, x, y, _ = top1(run(letterbox32(im)))
                hit = p >= thr and np.hypot(x / s - cx, y / s - cy) <= tol
                srch[name] += hit
                if best is None or p > best[0]:
                    best = (p, hit)
            srch['combined'] += best[1]
        else:
            n_neg += 1
            pcx, pcy = W / 2 + dx * 4, H / 2 + dy * 2
            fp['roi'] += top1(run(data.warp_patch(img, 1.0, 1.0, pcx, pcy, 1.0, P)))[0] >= thr
            fp['native'] += top1(run(letterbox32(img)))[0] >= thr
            fp['whole512'] += top1(run(letterbox32(small)))[0] >= thr
    return dict(folder=os.path.relpath(folder, paths.TRAIN_DIR), n_pos=n_pos, n_neg=n_neg, thr=thr,
                roi=dict(recall=roi_hit / max(n_pos, 1), precision=roi_hit / max(roi_det, 1)),
                search_recall={k2: v / max(n_pos, 1) for k2, v in srch.items()},
                fp_empty={k2: v / max(n_neg, 1) for k2, v in fp.items()})


def summarize(recs, thr, synth_empty=()):
    n = len(recs)
    S = {}
    hit = lambda d: d['p'] >= thr and d['err'] <= rec_tol[id(d)]
    rec_tol = {}
    for r in recs:
        rec_tol[id(r['roi'])] = r['tol']
        for d in r.get('search', {}).values():
            rec_tol[id(d)] = r['tol']
    roi_hits = sum(hit(r['roi']) for r in recs)
    roi_det = sum(r['roi']['p'] >= thr for r in recs)
    S['n_frames'] = n
    S['thr'] = thr
    S['roi'] = dict(recall=roi_hits / max(n, 1), precision=roi_hits / max(roi_det, 1), detections=roi_det, hits=roi_hits,
                    median_err_px=float(np.median([r['roi']['err'] for r in recs if hit(r['roi'])])) if roi_hits else None)
    if recs and 'roi_inpainted_p' in recs[0]:
        ip = np.array([r['roi_inpainted_p'] for r in recs]); rp = np.array([r['roi_random_p'] for r in recs if 'roi_random_p' in r])
        S['fp_real_roi_inpainted'] = dict(rate=float((ip >= thr).mean()), mean_p=float(ip.mean()), n=len(ip))
        S['fp_real_roi_random_ballfree'] = dict(rate=float((rp >= thr).mean()), mean_p=float(rp.mean()), n=len(rp))
        qp = np.array([r['roi_random_inpainted_p'] for r in recs if 'roi_random_inpainted_p' in r])
        if len(qp):
            S['inpaint_cue_check'] = dict(
                note='same ball-free crops with and without a ball-sized in-painted disc; no cue if rates/means match',
                with_inpaint=dict(rate=float((qp >= thr).mean()), mean_p=float(qp.mean())),
                without=dict(rate=float((rp >= thr).mean()), mean_p=float(rp.mean())), n=len(qp))
    if recs and 'search' in recs[0]:
        S['search'] = {}
        for k in recs[0]['search']:
            S['search'][k] = dict(recall=float(np.mean([hit(r['search'][k]) for r in recs])))
            if 'p_inpainted' in recs[0]['search'][k]:
                S['search'][k]['fp_inpainted'] = float(np.mean([r['search'][k]['p_inpainted'] >= thr for r in recs]))
        comb = []
        comb_fp = []
        for r in recs:
            best = max(r['search'].values(), key=lambda d: d['p'])
            comb.append(hit(best))
            if 'p_inpainted' in best:
                comb_fp.append(max(d['p_inpainted'] for d in r['search'].values()) >= thr)
        S['search']['combined'] = dict(recall=float(np.mean(comb)))
        if comb_fp:
            S['search']['combined']['fp_inpainted'] = float(np.mean(comb_fp))
    if recs and 'verify' in recs[0]:
        S['search_two_stage'] = two_stage(recs, contract.get().acquire_score, contract.get().confirm_score)
    if len(synth_empty):
        S['fp_synthetic_empty'] = dict(rate=float((np.array(synth_empty) >= thr).mean()), n=len(synth_empty))
    # size buckets
    S['by_size'] = {}
    for lo, hi in SIZE_BUCKETS:
        sel = [r for r in recs if lo <= r['size'] < hi]
        if not sel:
            continue
        d = dict(n=len(sel), roi_recall=float(np.mean([hit(r['roi']) for r in sel])))
        if 'search' in sel[0]:
            d['search_combined_recall'] = float(np.mean([hit(max(r['search'].values(), key=lambda q: q['p'])) for r in sel]))
        S['by_size'][f'{lo}-{hi if hi < 1e9 else "inf"}px'] = d
    return S


def two_stage(recs, t_search, t_verify):
    """Per-frame recall and false positives of search + native second look (see peaks and second_looks)."""
    ok = lambda c: c['p'] >= t_search and c['roi_p'] >= t_verify
    rec = []
    fp = []
    for r in recs:
        acc = [c for c in r['verify'] if ok(c)]
        best = max(acc, key=lambda c: min(c['p'], c['roi_p'])) if acc else None
        rec.append(best is not None and best['err'] <= r['tol'])
        if 'verify_empty' in r:
            fp.append(any(ok(c) for c in r['verify_empty']))
    out = dict(t_search=t_search, t_verify=t_verify, recall=float(np.mean(rec)))
    if fp:
        out['fp_inpainted'] = float(np.mean(fp))
    return out


def score(S):
    """Model-selection score: ROI F1 + search combined recall - FP."""
    rr, rp = S['roi']['recall'], S['roi']['precision']
    f1 = 2 * rr * rp / max(rr + rp, 1e-9)
    sc = f1
    if 'search' in S:
        sc += S['search']['combined']['recall']
    if 'fp_real_roi_inpainted' in S:
        sc -= S['fp_real_roi_inpainted']['rate']
    return sc


def failure_grid(recs, path, n=24, thr=None):
    thr = _thr(thr)
    from PIL import Image, ImageDraw
    miss = [r for r in recs if not (r['roi']['p'] >= thr and r['roi']['err'] <= r['tol'])]
    hits = [r for r in recs if r not in miss]
    pick = miss[:n * 2 // 3] + hits[:n - min(len(miss), n * 2 // 3)]
    T = 128
    cols = 8
    g = Image.new('RGB', (cols * T, ((len(pick) + cols - 1) // cols) * (T + 12)), (0, 0, 0))
    for i, r in enumerate(pick):
        im = Image.fromarray(r['roi_img']).resize((T, T))
        d = ImageDraw.Draw(im)
        k = T / roi_side()
        bx, by, x, y = r['roi_xy']
        d.ellipse([bx * k - 6, by * k - 6, bx * k + 6, by * k + 6], outline=(0, 255, 0))
        d.rectangle([x * k - 4, y * k - 4, x * k + 4, y * k + 4], outline=(255, 0, 0) if r['roi']['p'] >= thr else (255, 255, 0))
        g.paste(im, ((i % cols) * T, (i // cols) * (T + 12)))
        ImageDraw.Draw(g).text(((i % cols) * T + 2, (i // cols) * (T + 12) + T), f"{'MISS' if r in miss else 'hit'} p={r['roi']['p']:.2f} {r['size']:.0f}px", fill=(255, 255, 255))
    g = g.quantize(colors=128)
    g.save(path, optimize=True)
