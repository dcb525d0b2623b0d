"""Detector top-1 on every real set, whole frame at native (true-geometry) scale, plus the dfl-soccer scale check
(see ballnet/eval_sets.py for the measures).

usage: python -m scripts.eval_sets [--data DIR] [--onnx ../ballnet.onnx | --ckpt runs/X/last.pt] [--split valid]
                                   [--sets NAME ...] [--scales 0.33 0.5 1 2] [--out ../eval/sets.json]
"""
import argparse
import json
import os
import sys
import time

import cv2

from ballnet import contract, eval_sets, paths
from ballnet.infer import runner


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    paths.add_data_argument(ap)
    ap.add_argument('--onnx', default=os.path.join(paths.MODELS_DIR, 'ballnet.onnx'))
    ap.add_argument('--ckpt', default=None)
    ap.add_argument('--split', default='valid')
    ap.add_argument('--sets', nargs='*', default=None, help='default: every set in the data folder')
    ap.add_argument('--scales', nargs='*', type=float, default=[0.33, 0.5, 1.0, 2.0])
    ap.add_argument('--thr', type=float, default=None, help="default: the engine's search threshold (models/contract.json)")
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--out', default=None)
    a = ap.parse_args()
    root = paths.data_root(a.data)
    cv2.setNumThreads(1)
    thr = contract.get().search_threshold if a.thr is None else a.thr
    run, name = runner(a.onnx, a.ckpt, a.threads)
    t0 = time.time()
    res = eval_sets.evaluate_all(run, root, a.split, a.sets, thr, a.scales)
    res['score'] = eval_sets.score(res)
    res['model'] = os.path.basename(name)
    res['split'] = a.split
    res['seconds'] = round(time.time() - t0, 1)
    res['command'] = 'python -m scripts.eval_sets ' + ' '.join(sys.argv[1:])
    print(json.dumps(res, indent=1))
    if a.out:
        os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
        json.dump(res, open(a.out, 'w'), indent=1)


if __name__ == '__main__':
    main()
