"""Time candidate architectures in onnxruntime (1 thread) and export them for tract timing."""
import json, sys, time, numpy as np, torch, onnxruntime as ort
from model import build, count_macs
torch.set_num_threads(1)
cfgs = [json.loads(a) for a in sys.argv[1:]] or [{}]
for i, cfg in enumerate(cfgs):
    m = build(cfg).eval()
    fn = f'cand_{i}.onnx'
    torch.onnx.export(m, (torch.zeros(1, 3, 192, 192),), fn, dynamo=False, opset_version=13, input_names=['image'],
                      output_names=['out'], dynamic_axes={'image': {2: 'h', 3: 'w'}, 'out': {2: 'h4', 3: 'w4'}})
    so = ort.SessionOptions(); so.intra_op_num_threads = 1; so.inter_op_num_threads = 1
    s = ort.InferenceSession(fn, so, providers=['CPUExecutionProvider'])
    res = []
    for h, w in ((192, 192), (288, 512)):
        x = np.random.rand(1, 3, h, w).astype(np.float32) * 255
        for _ in range(10): s.run(None, {'image': x})
        ts = []
        for _ in range(100):
            t0 = time.perf_counter(); s.run(None, {'image': x}); ts.append(time.perf_counter() - t0)
        res.append(f'{h}x{w} {np.median(ts)*1e3:.2f}ms ({count_macs(m, torch.zeros(1,3,h,w))/1e6:.1f}MMAC)')
    print(fn, m.cfg, sum(p.numel() for p in m.parameters()), 'params', *res, flush=True)
