"""Evaluate a ball detector (ONNX via onnxruntime, or a PyTorch checkpoint) on dfl-soccer valid at 1080p (see
ballnet/evaluate.py for the measures); writes metrics.json and failures.png to --out.

usage: python -m scripts.evaluate [--data DIR] [--onnx ../ballnet.onnx | --ckpt runs/X/best.pt] [--thr 0.5]
                                  [--out ../eval] [--folder DIR ...] [--folder_only]
"""
import argparse
import json
import os
import sys
import time

import cv2

from ballnet import contract, data, paths
from ballnet.evaluate import (SWEEP_SEARCH, SWEEP_VERIFY, evaluate, evaluate_folder, failure_grid, summarize,
                              synthetic_two_stage, two_stage)
from ballnet.infer import runner


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    paths.add_data_argument(ap, 'dfl-soccer/ (not needed with --folder_only)')
    ap.add_argument('--onnx', default=os.path.join(paths.MODELS_DIR, 'ballnet.onnx'))
    ap.add_argument('--ckpt', default=None)
    ap.add_argument('--thr', type=float, default=None, help="default: the engine's search threshold (models/contract.json)")
    ap.add_argument('--out', default=os.path.join(paths.MODELS_DIR, 'eval'))
    ap.add_argument('--synth', default=os.path.join(paths.TRAIN_DIR, 'pool', 'test_*.npz'))
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--folder', nargs='*', default=[], help='extra labelled folders (Rust renderer dumps) to evaluate')
    ap.add_argument('--folder_only', action='store_true')
    a = ap.parse_args()
    thr = contract.get().search_threshold if a.thr is None else a.thr
    root = None if a.folder_only else paths.data_root(a.data)
    cv2.setNumThreads(1)
    run, name = runner(a.onnx, a.ckpt, a.threads)
    if a.folder_only:
        for fdir in a.folder:
            print(json.dumps(evaluate_folder(run, fdir, thr)))
        return
    frames = data.load_dfl('valid', root)
    pool = data.PoolSource(a.synth); pool.refresh()
    t0 = time.time()
    S, recs = evaluate(run, frames, thr, synth_pool=pool if pool.I is not None else None, keep=True, verify=True)
    synth_two = S.pop('_synth_two', None)
    S['search_two_stage_sweep'] = []
    for ts in SWEEP_SEARCH:
        for tv in SWEEP_VERIFY:
            row = two_stage(recs, ts, tv)
            if synth_two:
                row['fp_synthetic'] = synthetic_two_stage(synth_two, ts, tv)
            S['search_two_stage_sweep'].append(row)
    S['model'] = os.path.basename(name)
    S['threshold_sweep_roi'] = {}
    for t in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        s2 = summarize(recs, t)
        S['threshold_sweep_roi'][str(t)] = dict(recall=round(s2['roi']['recall'], 3), precision=round(s2['roi']['precision'], 3),
                                                search_combined=round(s2['search']['combined']['recall'], 3),
                                                fp_inpainted_roi=round(s2['fp_real_roi_inpainted']['rate'], 3),
                                                search={k: {q: round(v, 3) for q, v in d.items()} for k, d in s2['search'].items()})
    S['rust_renderer'] = [evaluate_folder(run, fdir, thr) for fdir in a.folder]
    S['eval_seconds'] = round(time.time() - t0, 1)
    S['command'] = 'python -m scripts.evaluate ' + ' '.join(sys.argv[1:])
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, 'metrics.json'), 'w') as f:
        json.dump(S, f, indent=1)
    failure_grid(recs, os.path.join(a.out, 'failures.png'), thr=thr)
    print(json.dumps(S, indent=1))


if __name__ == '__main__':
    main()
