"""Hard-negative mining: run a model over dfl train frames (native and half-res whole-frame passes, plus the
engine's 512x288 whole-frame pass) and record confident peaks away from the ball; scripts/train.py --hardneg
samples patches around them.

usage: python -m scripts.mine MODEL.onnx OUT.json [--data DIR] [--threads 1]
       python -m scripts.mine MODEL.onnx OUT.json --synthetic [--pool 'pool/train_*.npz'] [--folder DIR ...]
The second form mines the synthetic training frames (Python renderer pool chunks at their own scale; Rust
renderer folders at native, half and 512-wide scale) for scripts/train.py --hardneg_synth. Never the test pool.
"""
import argparse
import glob
import json
import time

import numpy as np
import cv2

from ballnet import contract, data, paths
from ballnet.infer import OrtRunner, letterbox32
from ballnet.mining import away, peaks


def mine_synthetic(run, out_path, pool_pattern, folders):
    whole_w = contract.get().full_input[0]
    recs = []
    t0 = time.time()
    for fn in sorted(glob.glob(pool_pattern)) if pool_pattern else []:
        chunk = np.load(fn)
        for j, (img, (pres, cx, cy, r, _)) in enumerate(zip(chunk['imgs'], chunk['labels'])):
            for x, y, p in peaks(run(letterbox32(img))):
                if away(x, y, pres, cx, cy, r):
                    recs.append(dict(key='pool', chunk=fn, j=j, x=round(x, 1), y=round(y, 1), s=1.0, p=round(p, 3)))
        print(fn, len(recs), f'{time.time() - t0:.0f}s', flush=True)
    for d in folders:
        fs = data.FolderSource(d)
        for j, img in enumerate(fs.imgs):
            pres, cx, cy, r, _ = fs.L[j]
            H, W = img.shape[:2]
            for s in (1.0, 0.5, whole_w / W):
                im = img if s == 1.0 else cv2.resize(img, (round(W * s), round(H * s)), interpolation=cv2.INTER_AREA)
                for x, y, p in peaks(run(letterbox32(im))):
                    X, Y = x / s, y / s
                    if away(X, Y, pres, cx, cy, r):
                        recs.append(dict(key=d, chunk='', j=j, x=round(X, 1), y=round(Y, 1), s=s, p=round(p, 3)))
        print(d, len(recs), f'{time.time() - t0:.0f}s', flush=True)
    json.dump(recs, open(out_path, 'w'))
    print('done', len(recs), 'peaks;', 'p>=0.5:', sum(r['p'] >= 0.5 for r in recs))


def mine_dfl(run, out_path, root):
    whole_w, whole_h = contract.get().full_input
    frames = data.load_dfl('train', root)
    recs = []
    t0 = time.time()
    for i, fr in enumerate(frames):
        native = data.native_frame(fr['img'])
        for s, im in ((1.0, native), (0.5, cv2.resize(native, (960, 540), interpolation=cv2.INTER_AREA)),
                      (whole_w / data.NATIVE_W, cv2.resize(native, (whole_w, whole_h), interpolation=cv2.INTER_AREA))):
            o = run(letterbox32(im))
            for x, y, p in peaks(o):
                X, Y = x / s, y / s
                if np.hypot(X - fr['cx'], Y - fr['cy']) > max(24, 2 * fr['r'] + 8):
                    recs.append(dict(i=i, x=round(X, 1), y=round(Y, 1), s=s, p=round(p, 3)))
        if i % 100 == 0:
            print(i, len(recs), f'{time.time() - t0:.0f}s', flush=True)
    json.dump(recs, open(out_path, 'w'))
    print('done', len(recs), 'peaks;', 'p>=0.5:', sum(r['p'] >= 0.5 for r in recs))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('model', metavar='MODEL.onnx')
    ap.add_argument('out', metavar='OUT.json')
    paths.add_data_argument(ap, 'dfl-soccer/ (not needed with --synthetic)')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--synthetic', action='store_true', help='mine the synthetic training frames instead')
    ap.add_argument('--pool', default=None, help='pool chunks (glob) for --synthetic')
    ap.add_argument('--folder', nargs='*', default=[], help='Rust renderer folders for --synthetic')
    a = ap.parse_args()
    root = None if a.synthetic else paths.data_root(a.data)
    cv2.setNumThreads(1)
    run = OrtRunner(a.model, a.threads)
    if a.synthetic:
        return mine_synthetic(run, a.out, a.pool, a.folder)
    return mine_dfl(run, a.out, root)


if __name__ == '__main__':
    main()
