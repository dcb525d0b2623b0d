"""onnxruntime latency on ONE thread (compare with tract: cargo run --release -p ballcam-core --example model_time).

usage: python bench.py [MODEL.onnx] [H W ...]   (default ../ballnet.onnx, 192 192 288 512)
"""
import sys, time, os
import numpy as np
import onnxruntime as ort

path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'ballnet.onnx')
dims = [int(v) for v in sys.argv[2:]] or [192, 192, 288, 512]
so = ort.SessionOptions(); so.intra_op_num_threads = 1; so.inter_op_num_threads = 1
so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
s = ort.InferenceSession(path, so, providers=['CPUExecutionProvider'])
for h, w in zip(dims[::2], dims[1::2]):
    x = (np.random.default_rng(0).random((1, 3, h, w)) * 255).astype(np.float32)
    for _ in range(20):
        s.run(None, {'image': x})
    ts = []
    for _ in range(200):
        t0 = time.perf_counter(); s.run(None, {'image': x}); ts.append(time.perf_counter() - t0)
    ts = np.array(ts) * 1e3
    print(f'onnxruntime {ort.__version__} 1 thread, 1x3x{h}x{w}: median {np.median(ts):.3f} ms, p90 {np.percentile(ts, 90):.3f} ms (200 runs)')
