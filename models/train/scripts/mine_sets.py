"""Hard-negative mining on every real set's training frames: confident peaks away from the ball.

usage: python -m scripts.mine_sets MODEL.onnx OUT.json [--data DIR] [--threads 1] [--sets NAME ...] [--split train]

Each frame runs at its true geometry in the passes the engine and the evaluation use: native scale, half
resolution and the engine's whole-frame width (512 px). A peak (3x3 local maximum, p >= 0.15) counts when the
frame has no ball or the peak lies clear of it. Records {set, i, x, y, s, p} (true px, the pass's scale, the
score) for scripts/train.py --hardneg_sets (sets.SetHardNegSource). Never run on a valid split that selects models.
"""
import argparse
import json
import time

import numpy as np
import cv2

from ballnet import contract, paths, sets
from ballnet.infer import OrtRunner, letterbox32
from ballnet.mining import away, peaks

PASSES = (1.0, 0.5, 'whole')


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('model', metavar='MODEL.onnx')
    ap.add_argument('out', metavar='OUT.json')
    paths.add_data_argument(ap)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--sets', nargs='*', default=None, help='default: every set in the data folder')
    ap.add_argument('--split', default='train')
    a = ap.parse_args()
    root = paths.data_root(a.data)
    cv2.setNumThreads(1)
    whole_w = contract.get().full_input[0]
    run = OrtRunner(a.model, a.threads)
    recs = []
    t0 = time.time()
    for name in a.sets or sets.available(root):
        frames = sets.load_set(name, a.split, root, pyramid=False)
        n0 = len(recs)
        for i, fr in enumerate(frames):
            img = sets.true_frame(fr)
            W, H = fr['W'], fr['H']
            for p in PASSES:
                s = whole_w / W if p == 'whole' else p
                if s > 1.0:
                    continue
                im = img if s == 1.0 else cv2.resize(img, (round(W * s), round(H * s)), interpolation=cv2.INTER_AREA)
                for x, y, q in peaks(run(letterbox32(im))):
                    X, Y = x / s, y / s
                    if X >= W or Y >= H:
                        continue
                    if away(X, Y, fr['present'], fr['cx'], fr['cy'], fr['r']):
                        recs.append(dict(set=name, i=i, x=round(X, 1), y=round(Y, 1), s=round(s, 4), p=round(q, 3)))
        print(name, len(frames), 'frames', len(recs) - n0, 'peaks', f'{time.time() - t0:.0f}s', flush=True)
    json.dump(recs, open(a.out, 'w'))
    ps = np.array([r['p'] for r in recs]) if recs else np.zeros(0)
    print('done', len(recs), 'peaks; p>=0.3:', int((ps >= 0.3).sum()), 'p>=0.5:', int((ps >= 0.5).sum()))


if __name__ == '__main__':
    main()
