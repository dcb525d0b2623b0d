"""Time candidate architectures in onnxruntime (1 thread) and export them for tract timing.

usage: python -m scripts.bench_ort ['{"c8":24,"c16":48}' ...]   (writes cand_I.onnx in the current folder)
"""
import argparse
import json
import time

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('cfgs', nargs='*', metavar='CFG', help='BallNet configs as JSON (default: one, the defaults)')
    a = ap.parse_args()
    import torch
    import onnxruntime as ort
    from ballnet import contract
    from ballnet.export import export_onnx
    from ballnet.model import build, count_macs
    torch.set_num_threads(1)
    name = contract.get().input_name
    cfgs = [json.loads(c) for c in a.cfgs] or [{}]
    for i, cfg in enumerate(cfgs):
        m = build(cfg).eval()
        fn = f'cand_{i}.onnx'
        export_onnx(m, torch.zeros(1, 3, 192, 192), fn, axes=('h', 'w', 'h4', 'w4'))
        so = ort.SessionOptions(); so.intra_op_num_threads = 1; so.inter_op_num_threads = 1
        s = ort.InferenceSession(fn, so, providers=['CPUExecutionProvider'])
        res = []
        for h, w in ((192, 192), (288, 512)):
            x = np.random.rand(1, 3, h, w).astype(np.float32) * 255
            for _ in range(10): s.run(None, {name: x})
            ts = []
            for _ in range(100):
                t0 = time.perf_counter(); s.run(None, {name: x}); ts.append(time.perf_counter() - t0)
            res.append(f'{h}x{w} {np.median(ts)*1e3:.2f}ms ({count_macs(m, torch.zeros(1,3,h,w))/1e6:.1f}MMAC)')
        print(fn, m.cfg, sum(p.numel() for p in m.parameters()), 'params', *res, flush=True)


if __name__ == '__main__':
    main()
