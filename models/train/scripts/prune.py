"""Structured pruning: slice a trained BallNet checkpoint down to narrower stride-8/16 widths (and its stride-4
`fuse4` 3x3 convolution down to 1x1, `"k4":1`), as a warm start.

usage: python -m scripts.prune IN.pt OUT.pt '{"c8":24,"c16":48}'   (or '{"k4":1}')

tract runs the stride-8 and stride-16 convolutions of a 192x192 ROI at poor efficiency (small spatial sizes), so
narrowing them buys most of the latency; a fine-tune (scripts/train.py --init OUT.pt) recovers the accuracy far faster
than training the narrow net from scratch.

Channels tied by residual additions are pruned together (one index set per group):
- `c8a`: down8 out, s8 residual outs, lat16 out, fuse8 in, down16 in;
- `c8b`: fuse8 out, lat8 in;
- `c16`: down16 out, s16 residual outs, lat16 in.
Importance of a channel = sum over its producers of |BatchNorm gamma| (each producer normalised by its mean),
plus the normalised L1 norm of the consumers' input weights. The stride-4 widths (c4, f4) are kept.
"""
import argparse, json, sys
import torch

from ballnet.model import build


def bn_importance(sd, prefix):
    g = sd[prefix + '.weight'].abs()
    return g / g.mean().clamp(min=1e-8)


def in_importance(sd, conv_key):
    w = sd[conv_key].abs().sum(dim=(0, 2, 3))
    return w / w.mean().clamp(min=1e-8)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('src', metavar='IN.pt')
    ap.add_argument('dst', metavar='OUT.pt')
    ap.add_argument('cfg', metavar='CFG', help='the narrower widths as JSON, e.g. \'{"c8":24,"c16":48}\' or \'{"k4":1}\'')
    a = ap.parse_args()
    src, dst, cfg_json = a.src, a.dst, a.cfg
    ck = torch.load(src, map_location='cpu')
    if ck.get('recovered_from'):
        # from_onnx.py folds BatchNorm's scale into the convolutions: every gamma starts at 1, so the importance
        # below (gamma times the weights' norm) does not rank channels, in the recovered checkpoint or its fine-tunes.
        sys.exit(f"{src} descends from {ck['recovered_from']} (scripts/from_onnx.py): its BatchNorm scales started at 1 "
                 "(folded into the convolutions) and do not rank channels; prune a trained checkpoint instead")
    sd, cfg = ck['model'], dict(ck['cfg'])
    new_cfg = dict(cfg, **json.loads(cfg_json))
    assert new_cfg['c4'] == cfg['c4'] and new_cfg['f4'] == cfg['f4'], 'only c8/c16 can be pruned'
    k4_old, k4_new = cfg.get('k4', 3), new_cfg.get('k4', 3)
    assert k4_new in (1, k4_old), 'fuse4 can only shrink to a 1x1 convolution'
    n8, n16 = cfg['n8'], cfg['n16']

    imp_a = bn_importance(sd, 'down8.1') + bn_importance(sd, 'lat16.1') + in_importance(sd, 'fuse8.0.weight') \
        + in_importance(sd, 'down16.0.weight')
    for i in range(n8):
        imp_a = imp_a + bn_importance(sd, f's8.{i}.b.1')
    imp_b = bn_importance(sd, 'fuse8.1') + in_importance(sd, 'lat8.0.weight')
    imp_16 = bn_importance(sd, 'down16.1') + in_importance(sd, 'lat16.0.weight')
    for i in range(n16):
        imp_16 = imp_16 + bn_importance(sd, f's16.{i}.b.1')
    keep_a = torch.sort(torch.topk(imp_a, new_cfg['c8']).indices).values
    keep_b = torch.sort(torch.topk(imp_b, new_cfg['c8']).indices).values
    keep_16 = torch.sort(torch.topk(imp_16, new_cfg['c16']).indices).values

    def bn(prefix, idx, out):
        for k in ('weight', 'bias', 'running_mean', 'running_var'):
            out[f'{prefix}.{k}'] = sd[f'{prefix}.{k}'][idx].clone()
        out[f'{prefix}.num_batches_tracked'] = sd[f'{prefix}.num_batches_tracked'].clone()

    def conv(key, out_idx, in_idx, out):
        w = sd[key]
        if out_idx is not None:
            w = w[out_idx]
        if in_idx is not None:
            w = w[:, in_idx]
        out[key] = w.clone()

    new = {}
    for k, v in sd.items():   # stem, fuse4, head: unchanged
        if k.startswith(('stem.', 'fuse4.', 'head.')):
            new[k] = v.clone()
    conv('down8.0.weight', keep_a, None, new); bn('down8.1', keep_a, new)
    for i in range(n8):
        conv(f's8.{i}.b.0.weight', keep_a, keep_a, new); bn(f's8.{i}.b.1', keep_a, new)
    conv('down16.0.weight', keep_16, keep_a, new); bn('down16.1', keep_16, new)
    for i in range(n16):
        conv(f's16.{i}.b.0.weight', keep_16, keep_16, new); bn(f's16.{i}.b.1', keep_16, new)
    conv('lat16.0.weight', keep_a, keep_16, new); bn('lat16.1', keep_a, new)
    conv('fuse8.0.weight', keep_b, keep_a, new); bn('fuse8.1', keep_b, new)
    conv('lat8.0.weight', None, keep_b, new); new.update({k: v.clone() for k, v in sd.items() if k.startswith('lat8.1')})

    if k4_new != k4_old:
        # 3x3 -> 1x1: the sum of the taps (exact on locally constant features, which the nearest-upsampled
        # stride-8 half of fuse4's input is); the fine-tune adapts the rest.
        new['fuse4.0.weight'] = new['fuse4.0.weight'].sum(dim=(2, 3), keepdim=True)

    model = build(new_cfg)
    model.load_state_dict(new, strict=True)
    torch.save(dict(model=model.state_dict(), cfg=model.cfg, it=0, pruned_from=src), dst)
    print('pruned', cfg, '->', model.cfg, 'params', sum(p.numel() for p in model.parameters()))


if __name__ == '__main__':
    main()
