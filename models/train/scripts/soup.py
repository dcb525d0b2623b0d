"""Weight averaging ("model soup") of fine-tunes that share one ancestor and one architecture.

usage: python -m scripts.soup OUT.pt IN1.pt IN2.pt [...]

Every floating-point tensor of the checkpoints' `model` state (weights, biases, BatchNorm running
statistics) is averaged with equal weights; integer tensors (BatchNorm's batch counter) are taken
from the first. The shipped model is the soup of `slim3`, `slim4`, `slim6` and `slim8` (see
`models/README.md`): fine-tunes of one parent with different hard-negative mixes, whose average keeps
the real-frame false-positive margin of `slim4` and more of the rendered ball than `slim4` alone.
"""
import argparse
import sys

import torch


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('out', metavar='OUT.pt')
    ap.add_argument('ins', nargs='+', metavar='IN.pt', help='two or more checkpoints')
    a = ap.parse_args()
    if len(a.ins) < 2:
        ap.error('needs at least two checkpoints')
    out, ins = a.out, a.ins
    ckpts = [torch.load(p, map_location='cpu', weights_only=False) for p in ins]
    cfg = ckpts[0]['cfg']
    for p, c in zip(ins, ckpts):
        if c['cfg'] != cfg or c['model'].keys() != ckpts[0]['model'].keys():
            sys.exit(f'{p}: architecture {c["cfg"]} differs from {ins[0]}: {cfg}')
    # A checkpoint recovered from ONNX (scripts/from_onnx.py) and its fine-tunes hold BatchNorm folded into the
    # convolutions: they average only with each other, and the soup keeps their mark.
    marks = [c.get('recovered_from') for c in ckpts]
    if len(set(marks)) > 1:
        sys.exit('cannot average checkpoints of different lineages (recovered_from: '
                 + ', '.join(f'{p}: {m or "none (trained)"}' for p, m in zip(ins, marks)) + ')')
    state = {}
    for k, v in ckpts[0]['model'].items():
        state[k] = sum(c['model'][k] for c in ckpts) / len(ckpts) if v.is_floating_point() else v
    lineage = {'recovered_from': marks[0]} if marks[0] else {}
    torch.save(dict(model=state, cfg=cfg, it=0, soup=ins, **lineage), out)
    print(f'wrote {out}: mean of {len(ins)} checkpoints, cfg {cfg}')


if __name__ == '__main__':
    main()
