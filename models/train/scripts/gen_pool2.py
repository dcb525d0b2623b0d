"""Pre-generate domain-randomised synthetic frames (ballnet.synth2) in chunks (run as ONE background worker).

usage: python -m scripts.gen_pool2 OUTDIR FIRST_CHUNK N_CHUNKS CHUNK_SIZE [--test]
Chunks are written atomically as OUTDIR/train_XXXXX.npz (or test_XXXXX.npz with --test: 50% ball-absent) with
imgs (n, 288, 512, 3) uint8, labels (n, 5) = present, cx, cy, r, vis of the primary ball and extra (n, 6, 4) =
cx, cy, r, vis of every ball (the primary first, zero-padded); read them with ballnet.pool2.Pool2Source.
"""
import argparse
import os
import time

import cv2
import numpy as np

from ballnet import synth2

SEED_TRAIN, SEED_TEST = 2_000_000_000, 2_987_654_000   # disjoint from gen_pool's seeds


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('out', metavar='OUTDIR')
    ap.add_argument('first', type=int, metavar='FIRST_CHUNK')
    ap.add_argument('n', type=int, metavar='N_CHUNKS')
    ap.add_argument('size', type=int, metavar='CHUNK_SIZE')
    ap.add_argument('--test', action='store_true', help='the test pool: other seeds, 50%% ball-absent')
    a = ap.parse_args()
    cv2.setNumThreads(1)
    os.makedirs(a.out, exist_ok=True)
    for c in range(a.first, a.first + a.n):
        fn = os.path.join(a.out, f'{"test" if a.test else "train"}_{c:05d}.npz')
        if os.path.exists(fn):
            continue
        t0 = time.time()
        b = synth2.gen_batch((SEED_TEST if a.test else SEED_TRAIN) + c, a.size, p_absent=0.5 if a.test else synth2.P_ABSENT)
        np.savez(fn + '.tmp.npz', **b)
        os.replace(fn + '.tmp.npz', fn)
        print(fn, f'{time.time() - t0:.1f}s', f'present={b["labels"][:, 0].mean():.2f}', flush=True)


if __name__ == '__main__':
    main()
