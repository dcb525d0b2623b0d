"""Pre-generate synthetic frames (ballnet.synth) in chunks (run as ONE background worker).

usage: python -m scripts.gen_pool OUTDIR FIRST_CHUNK N_CHUNKS CHUNK_SIZE [--test]
Chunks are written atomically as OUTDIR/train_XXXXX.npz (or test_XXXXX.npz with --test: 50% ball-absent).
"""
import argparse
import os
import time

import numpy as np

from ballnet import synth


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('out', metavar='OUTDIR')
    ap.add_argument('first', type=int, metavar='FIRST_CHUNK')
    ap.add_argument('n', type=int, metavar='N_CHUNKS')
    ap.add_argument('size', type=int, metavar='CHUNK_SIZE')
    ap.add_argument('--test', action='store_true', help='the test pool: other seeds, 50%% ball-absent')
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    for c in range(a.first, a.first + a.n):
        fn = os.path.join(a.out, f'{"test" if a.test else "train"}_{c:05d}.npz')
        if os.path.exists(fn):
            continue
        t0 = time.time()
        b = synth.gen_batch((987654 if a.test else 1000) * 1000 + c, a.size, p_absent=0.5 if a.test else 0.2)
        np.savez(fn + '.tmp.npz', **b)
        os.replace(fn + '.tmp.npz', fn)
        print(fn, f'{time.time() - t0:.1f}s', flush=True)


if __name__ == '__main__':
    main()
