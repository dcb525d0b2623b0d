"""Parameters and multiply-accumulates of a BallNet config.

usage: python -m scripts.model_info ['{"c8":24,"c16":48}']
"""
import argparse
import json


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('cfg', nargs='?', default='{}', help='BallNet config as JSON (default: the defaults)')
    a = ap.parse_args()
    import torch
    from ballnet.model import build, count_macs
    m = build(json.loads(a.cfg))
    print('cfg', m.cfg, 'params', sum(p.numel() for p in m.parameters()))
    for h, w in ((192, 192), (288, 512)):
        print(f'{h}x{w}: {count_macs(m, torch.zeros(1, 3, h, w)) / 1e6:.1f} MMAC')


if __name__ == '__main__':
    main()
