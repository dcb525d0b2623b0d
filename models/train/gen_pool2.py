"""Pre-generate domain-randomised synthetic frames (synth2) in chunks (run as ONE background worker).

usage: python gen_pool2.py OUTDIR FIRST_CHUNK N_CHUNKS CHUNK_SIZE [--test]
Chunks are written atomically as OUTDIR/train_XXXXX.npz (or test_XXXXX.npz with --test: 50% ball-absent) with
imgs (n, 288, 512, 3) uint8, labels (n, 5) = present, cx, cy, r, vis of the primary ball and extra (n, 6, 4) =
cx, cy, r, vis of every ball (the primary first, zero-padded); read them with pool2.Pool2Source.
"""
import os
import sys
import time

import numpy as np

import synth2

SEED_TRAIN, SEED_TEST = 2_000_000_000, 2_987_654_000   # disjoint from gen_pool.py's seeds

out, first, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
test = '--test' in sys.argv
os.makedirs(out, exist_ok=True)
for c in range(first, first + n):
    fn = os.path.join(out, f'{"test" if test else "train"}_{c:05d}.npz')
    if os.path.exists(fn):
        continue
    t0 = time.time()
    b = synth2.gen_batch((SEED_TEST if test else SEED_TRAIN) + c, size, p_absent=0.5 if test else synth2.P_ABSENT)
    np.savez(fn + '.tmp.npz', **b)
    os.replace(fn + '.tmp.npz', fn)
    print(fn, f'{time.time() - t0:.1f}s', f'present={b["labels"][:, 0].mean():.2f}', flush=True)
