"""Recover a training checkpoint from a shipped ONNX model, so a fine-tune can start from exactly what ships.

usage: python -m scripts.from_onnx MODEL.onnx OUT.pt --cfg '{"c4":16,...}'

The export folds every BatchNorm into its convolution and the input normalisation into the stem
(`scripts/export.py`). This inverts both: each convolution takes the folded weight, its BatchNorm becomes the
identity (weight 1, running mean 0, running variance 1 - eps) that carries the folded bias, and the stem's weight
is divided back by the normalisation's scale with its shift moved into that bias. The recovered model in eval
mode computes the ONNX model's function (checked here on random inputs); its BatchNorm statistics carry no
information, so fine-tune it with `scripts.train --freeze_bn`.
"""
import argparse
import json

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnx import numpy_helper

from ballnet import contract
from ballnet.export import ref_input
from ballnet.model import NORM_SCALE, NORM_SHIFT, build

# The largest |difference| accepted between the ONNX model and the recovered one (logits and offsets are O(1-10)).
MAX_ABS_DIFF = 1e-3
CHECK_SIZES = ((64, 96), (192, 192), (288, 512))


def conv_module_path(output_name):
    """'/s16/s16.0/b/b.0/Conv_output_0' -> 's16.0.b.0'; '/head/Conv_output_0' -> 'head'."""
    scopes = [p for p in output_name.split('/') if p][:-1]   # each scope repeats its parent's name: 's8', 's8.0'
    return '.'.join(s.rsplit('.', 1)[-1] for s in scopes)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('onnx_model')
    ap.add_argument('out')
    ap.add_argument('--cfg', required=True, help="the model's BallNet config (the model card's lineage names it)")
    a = ap.parse_args()
    mp = onnx.load(a.onnx_model)
    inits = {i.name: numpy_helper.to_array(i) for i in mp.graph.initializer}
    model = build(json.loads(a.cfg))
    modules = dict(model.named_modules())
    done = set()
    with torch.no_grad():
        for node in mp.graph.node:
            if node.op_type != 'Conv':
                continue
            path = conv_module_path(node.output[0])
            w = torch.from_numpy(inits[node.input[1]].copy())
            b = torch.from_numpy(inits[node.input[2]].copy())
            conv = modules.get(path)
            if conv is None or tuple(conv.weight.shape) != tuple(w.shape):
                raise SystemExit(f'{node.output[0]}: no convolution {path!r} of shape {tuple(w.shape)} in this config')
            if path == 'head':
                conv.weight.copy_(w); conv.bias.copy_(b)
                done.add(path)
                continue
            bn = modules[path.rsplit('.', 1)[0] + '.' + str(int(path.rsplit('.', 1)[1]) + 1)]
            if path == 'stem.0':
                # folded: conv_{w*a}(x) + b'; unfolded input z = x*a - s gives conv_w(z) = conv_{wa}(x) - s*sum(w)
                w = w / NORM_SCALE
                b = b + NORM_SHIFT * w.sum(dim=(1, 2, 3))
            conv.weight.copy_(w)
            bn.weight.fill_(1.0); bn.bias.copy_(b)
            bn.running_mean.zero_(); bn.running_var.fill_(1.0 - bn.eps)
            done.add(path)
    convs = {n for n, m in model.named_modules() if isinstance(m, torch.nn.Conv2d)}
    if done != convs:
        raise SystemExit(f'convolutions without ONNX weights: {sorted(convs - done)}')
    model.eval()
    C = contract.get()
    so = ort.SessionOptions(); so.intra_op_num_threads = 1
    sess = ort.InferenceSession(a.onnx_model, so, providers=['CPUExecutionProvider'])
    rng = np.random.default_rng(0)
    worst = 0.0
    for h, w in CHECK_SIZES:
        x = ref_input(h, w) if (h, w) == (64, 96) else (rng.random((1, 3, h, w)) * 255).astype(np.float32)
        with torch.no_grad():
            t = model(torch.from_numpy(x)).numpy()
        o = sess.run([C.output_name], {C.input_name: x})[0]
        if t.shape != o.shape:
            raise SystemExit(f'output shapes differ at {h}x{w}: recovered {t.shape}, ONNX {o.shape}')
        worst = max(worst, float(np.abs(t - o).max()))
    print(f'max |onnx - recovered| = {worst:.2e}')
    if worst > MAX_ABS_DIFF:
        raise SystemExit(f'recovered model differs from the ONNX model by {worst:.2e} (> {MAX_ABS_DIFF})')
    torch.save(dict(model=model.state_dict(), cfg=model.cfg, it=0, recovered_from=a.onnx_model), a.out)
    print('wrote', a.out)


if __name__ == '__main__':
    main()
