"""Export a checkpoint to ONNX (contract v1), check it against PyTorch, write reference values and sha256.

usage: python -m scripts.export CKPT [--slot football|any] [--out ../ballnet.onnx] [--ref ../ballnet_reference.json] [--readme ../README.md]
                         [--stem conv|s2d]

The input normalisation is folded into the stem (exact: the stem convolution has no padding) unless --keep-norm.
--stem s2d writes the 4x4 stride-4 stem as space-to-depth + 1x1 convolution (same function; faster in tract on wide
inputs, slightly slower on small ones; see README "Speed").
"""
import argparse, hashlib, json, os, re
import numpy as np
import torch
import onnxruntime as ort

from ballnet import contract, paths
from ballnet.export import check_graph, export_onnx, ref_input
from ballnet.model import build, count_macs, fold_normalisation, S2DStem

ROOT = paths.TRAIN_DIR


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('ckpt')
    ap.add_argument('--slot', choices=('football', 'any'), default='football',
                    help="which embedded model this replaces (the engine's `ball` setting): football = ballnet.onnx, any = ballnet_any.onnx")
    ap.add_argument('--out', default=None, help='default: models/ballnet.onnx or models/ballnet_any.onnx by --slot')
    ap.add_argument('--ref', default=None, help='default: the reference json beside the model')
    ap.add_argument('--readme', default=os.path.join(paths.MODELS_DIR, 'README.md'))
    ap.add_argument('--stem', choices=('conv', 's2d'), default='conv')
    ap.add_argument('--keep-norm', action='store_true', help='keep the input normalisation as Mul/Sub nodes')
    ap.add_argument('--no-ref', action='store_true', help='do not rewrite the reference, info and README')
    a = ap.parse_args()
    stem_name = 'ballnet' if a.slot == 'football' else 'ballnet_any'
    a.out = a.out or os.path.join(paths.MODELS_DIR, stem_name + '.onnx')
    a.ref = a.ref or os.path.join(paths.MODELS_DIR, stem_name + '_reference.json')
    C = contract.get()
    marker = 'sha256' if a.slot == 'football' else 'sha256-any'
    torch.set_num_threads(2)
    ck = torch.load(a.ckpt, map_location='cpu')
    m = build(ck['cfg']); m.load_state_dict(ck['model']); m.eval()
    ref_model = build(ck['cfg']); ref_model.load_state_dict(ck['model']); ref_model.eval()
    if not a.keep_norm:
        fold_normalisation(m)
    if a.stem == 's2d':
        m.stem = S2DStem(m.stem).eval()
    x0 = torch.from_numpy(ref_input())
    tmp = a.out + '.tmp.onnx'
    export_onnx(m, x0, tmp)
    ops, ins, outs = check_graph(tmp)
    print('ops', ops, 'inputs', ins, 'outputs', outs)
    so = ort.SessionOptions(); so.intra_op_num_threads = 1
    sess = ort.InferenceSession(tmp, so, providers=['CPUExecutionProvider'])
    worst = 0.0
    rng = np.random.default_rng(0)
    for h, w in ((64, 96), (192, 192), (288, 512), (160, 256)):
        x = ref_input(h, w) if (h, w) == (64, 96) else (rng.random((1, 3, h, w)) * 255).astype(np.float32)
        with torch.no_grad():
            t = ref_model(torch.from_numpy(x)).numpy()
        o = sess.run(None, {C.input_name: x})[0]
        assert o.shape == (1, C.output_channels, h // C.stride, w // C.stride), o.shape
        d = float(np.abs(o - t).max())
        worst = max(worst, d)
        print(f'{h}x{w}: max|ort-torch| = {d:.2e} (max|out| {np.abs(t).max():.1f})')
    assert worst < 1e-3, worst
    os.replace(tmp, a.out)
    if a.no_ref:
        print('wrote', a.out)
        return
    sha = hashlib.sha256(open(a.out, 'rb').read()).hexdigest()
    size = os.path.getsize(a.out)
    nparam = sum(p.numel() for p in m.parameters())
    with torch.no_grad():
        ref_out = ref_model(x0).numpy()[0]
    o = sess.run(None, {C.input_name: ref_input()})[0][0]
    ref = dict(
        model=stem_name + '.onnx', sha256=sha,
        input=dict(name=C.input_name, shape=[1, 3, 64, 96], dtype='f32',
                   formula='value[0][c][y][x] = ((c*7 + y*13 + x*31) % 256) as f32 (RGB channels c=0..2, rows y, columns x)'),
        output=dict(name=C.output_name, shape=[1, C.output_channels, 64 // C.stride, 96 // C.stride], dtype='f32', layout='row-major [c][y][x], batch dimension dropped',
                    values=[round(float(v), 6) for v in ref_out.reshape(-1)]),
        tolerance=dict(abs=1e-3, rel=1e-3, note='|actual - expected| <= abs + rel*|expected|; PyTorch vs onnxruntime differ by %.1e' % float(np.abs(o - ref_out).max())),
    )
    with open(a.ref, 'w') as f:
        json.dump(ref, f)
    macs192 = count_macs(m, torch.zeros(1, 3, 192, 192)); macs288 = count_macs(m, torch.zeros(1, 3, 288, 512))
    info = dict(sha256=sha, bytes=size, params=nparam, cfg=ck['cfg'], stem=a.stem, ckpt=os.path.relpath(a.ckpt, ROOT), it=ck.get('it'),
                ops=ops, mflops_192=round(2 * macs192 / 1e6, 1), mflops_288x512=round(2 * macs288 / 1e6, 1), max_abs_diff=worst)
    print(json.dumps(info))
    json.dump(info, open(os.path.join(paths.MODELS_DIR, 'eval', 'export_info.json' if a.slot == 'football' else 'export_info_any.json'), 'w'), indent=1)
    if os.path.exists(a.readme):
        s = open(a.readme).read()
        s2 = re.sub(r'(<!-- %s -->).*?(<!-- /%s -->)' % (marker, marker), r'\g<1>`' + sha + r'`\g<2>', s, flags=re.S)
        if s2 != s:
            open(a.readme, 'w').write(s2)
            print('README sha256 updated')


if __name__ == '__main__':
    main()
