"""onnxruntime latency on ONE thread (compare with tract: cargo run --release -p ballcam-core --example model_time).

usage: python -m scripts.bench [MODEL.onnx] [H W ...]   (default ../ballnet.onnx, 192 192 288 512)
"""
import argparse
import os
import time

import numpy as np

from ballnet import contract, paths


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('model', nargs='?', default=os.path.join(paths.MODELS_DIR, 'ballnet.onnx'))
    ap.add_argument('dims', nargs='*', type=int, metavar='H W', help='input sizes (default 192 192 288 512)')
    a = ap.parse_args()
    import onnxruntime as ort
    dims = a.dims or [192, 192, 288, 512]
    name = contract.get().input_name
    so = ort.SessionOptions(); so.intra_op_num_threads = 1; so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    s = ort.InferenceSession(a.model, so, providers=['CPUExecutionProvider'])
    for h, w in zip(dims[::2], dims[1::2]):
        x = (np.random.default_rng(0).random((1, 3, h, w)) * 255).astype(np.float32)
        for _ in range(20):
            s.run(None, {name: x})
        ts = []
        for _ in range(200):
            t0 = time.perf_counter(); s.run(None, {name: x}); ts.append(time.perf_counter() - t0)
        ts = np.array(ts) * 1e3
        print(f'onnxruntime {ort.__version__} 1 thread, 1x3x{h}x{w}: median {np.median(ts):.3f} ms, p90 {np.percentile(ts, 90):.3f} ms (200 runs)')


if __name__ == '__main__':
    main()
