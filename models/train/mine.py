"""Hard-negative mining: run a model over dfl train frames (native and half-res whole-frame passes, plus the
512x288 pass) and record confident peaks away from the ball; train.py --hardneg samples patches around them.

usage: python mine.py MODEL.onnx OUT.json [--threads 1]
       python mine.py MODEL.onnx OUT.json --synthetic [--pool 'pool/train_*.npz'] [--folder DIR ...]
The second form mines the synthetic training frames (Python renderer pool chunks at their own scale; Rust
renderer folders at native, half and 512-wide scale) for train.py --hardneg_synth. Never the test pool.
"""
import glob, json, sys, time
import numpy as np
import cv2
import data, evaluate


def peaks(out, k=6, pmin=0.15):
    lg = out[0]
    mx = cv2.dilate(lg, np.ones((3, 3), np.uint8))
    ys, xs = np.nonzero((lg == mx) & (lg > np.log(pmin / (1 - pmin))))
    order = np.argsort(-lg[ys, xs])[:k]
    return [(float((xs[i] + out[1, ys[i], xs[i]]) * 4), float((ys[i] + out[2, ys[i], xs[i]]) * 4),
             float(evaluate.sigmoid(lg[ys[i], xs[i]]))) for i in order]


def away(x, y, pres, cx, cy, r):
    """A peak is a false positive when the frame has no ball or it lies clear of the ball."""
    return not pres or np.hypot(x - cx, y - cy) > max(24, 2 * r + 8)


def mine_synthetic(run, out_path, pool_pattern, folders):
    recs = []
    t0 = time.time()
    for fn in sorted(glob.glob(pool_pattern)) if pool_pattern else []:
        chunk = np.load(fn)
        for j, (img, (pres, cx, cy, r, _)) in enumerate(zip(chunk['imgs'], chunk['labels'])):
            for x, y, p in peaks(run(evaluate.letterbox32(img))):
                if away(x, y, pres, cx, cy, r):
                    recs.append(dict(key='pool', chunk=fn, j=j, x=round(x, 1), y=round(y, 1), s=1.0, p=round(p, 3)))
        print(fn, len(recs), f'{time.time() - t0:.0f}s', flush=True)
    for d in folders:
        fs = data.FolderSource(d)
        for j, img in enumerate(fs.imgs):
            pres, cx, cy, r, _ = fs.L[j]
            H, W = img.shape[:2]
            for s in (1.0, 0.5, 512 / W):
                im = img if s == 1.0 else cv2.resize(img, (round(W * s), round(H * s)), interpolation=cv2.INTER_AREA)
                for x, y, p in peaks(run(evaluate.letterbox32(im))):
                    X, Y = x / s, y / s
                    if away(X, Y, pres, cx, cy, r):
                        recs.append(dict(key=d, chunk='', j=j, x=round(X, 1), y=round(Y, 1), s=s, p=round(p, 3)))
        print(d, len(recs), f'{time.time() - t0:.0f}s', flush=True)
    json.dump(recs, open(out_path, 'w'))
    print('done', len(recs), 'peaks;', 'p>=0.5:', sum(r['p'] >= 0.5 for r in recs))


def main():
    model, out_path = sys.argv[1], sys.argv[2]
    threads = int(sys.argv[sys.argv.index('--threads') + 1]) if '--threads' in sys.argv else 1
    run = evaluate.OrtRunner(model, threads)
    if '--synthetic' in sys.argv:
        pool = sys.argv[sys.argv.index('--pool') + 1] if '--pool' in sys.argv else None
        folders = []
        if '--folder' in sys.argv:
            for arg in sys.argv[sys.argv.index('--folder') + 1:]:
                if arg.startswith('--'):
                    break
                folders.append(arg)
        return mine_synthetic(run, out_path, pool, folders)
    frames = data.load_dfl('train')
    recs = []
    t0 = time.time()
    for i, fr in enumerate(frames):
        native = data.native_frame(fr['img'])
        for s, im in ((1.0, native), (0.5, cv2.resize(native, (960, 540), interpolation=cv2.INTER_AREA)),
                      (512 / 1920, cv2.resize(native, (512, 288), interpolation=cv2.INTER_AREA))):
            o = run(evaluate.letterbox32(im))
            for x, y, p in peaks(o):
                X, Y = x / s, y / s
                if np.hypot(X - fr['cx'], Y - fr['cy']) > max(24, 2 * fr['r'] + 8):
                    recs.append(dict(i=i, x=round(X, 1), y=round(Y, 1), s=s, p=round(p, 3)))
        if i % 100 == 0:
            print(i, len(recs), f'{time.time() - t0:.0f}s', flush=True)
    json.dump(recs, open(out_path, 'w'))
    print('done', len(recs), 'peaks;', 'p>=0.5:', sum(r['p'] >= 0.5 for r in recs))


if __name__ == '__main__':
    main()
