"""Hard-negative mining: run a model over dfl train frames (native and half-res whole-frame passes, plus the
512x288 pass) and record confident peaks away from the ball; train.py --hardneg samples patches around them.

usage: python mine.py MODEL.onnx OUT.json [--threads 1]
"""
import json, sys, time
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


def main():
    model, out_path = sys.argv[1], sys.argv[2]
    threads = int(sys.argv[sys.argv.index('--threads') + 1]) if '--threads' in sys.argv else 1
    run = evaluate.OrtRunner(model, threads)
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
