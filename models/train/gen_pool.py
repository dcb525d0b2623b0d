"""Pre-generate synthetic frames in chunks (run as ONE background worker).

usage: python gen_pool.py OUTDIR FIRST_CHUNK N_CHUNKS CHUNK_SIZE [--test]
Chunks are written atomically as OUTDIR/train_XXXXX.npz (or test_XXXXX.npz with --test: 50% ball-absent).
"""
import os, sys, time
import numpy as np
import synth

out, first, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
test = '--test' in sys.argv
os.makedirs(out, exist_ok=True)
for c in range(first, first + n):
    fn = os.path.join(out, f'{"test" if test else "train"}_{c:05d}.npz')
    if os.path.exists(fn):
        continue
    t0 = time.time()
    b = synth.gen_batch((987654 if test else 1000) * 1000 + c, size, p_absent=0.5 if test else 0.2)
    np.savez(fn + '.tmp.npz', **b)
    os.replace(fn + '.tmp.npz', fn)
    print(fn, f'{time.time() - t0:.1f}s', flush=True)
