"""Time a synthetic generator and optionally write a preview image of its frames.

usage: python -m scripts.synth_preview [--renderer synth|synth2] [N [SEED [OUT.png]]]
synth: N frames (default 20) in a grid with the ball circled; synth2: N frames (default 50) timed, then a
contact sheet of 16 frames from SEED with scene, ball, camera and light.
"""
import argparse
import time

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--renderer', choices=('synth', 'synth2'), default='synth2')
    ap.add_argument('n', type=int, nargs='?', default=None, help='frames to time (default 20 synth, 50 synth2)')
    ap.add_argument('seed', type=int, nargs='?', default=0)
    ap.add_argument('out', nargs='?', default=None, help='preview PNG')
    a = ap.parse_args()
    if a.renderer == 'synth':
        from ballnet import synth
        n = a.n or 20
        t0 = time.time()
        b = synth.gen_batch(a.seed, n)
        dt = time.time() - t0
        print(f'{n} frames in {dt:.2f}s -> {1000 * dt / n:.1f} ms/frame; present={b["labels"][:, 0].mean():.2f}')
        if a.out:
            from PIL import Image, ImageDraw
            H, W = synth.H, synth.W
            g = Image.new('RGB', (W * 4, H * ((n + 3) // 4)))
            for i in range(n):
                im = Image.fromarray(b['imgs'][i]); dr = ImageDraw.Draw(im)
                p, cx, cy, r, v = b['labels'][i]
                if p:
                    dr.ellipse([cx - r - 3, cy - r - 3, cx + r + 3, cy + r + 3], outline=(255, 0, 0))
                g.paste(im, ((i % 4) * W, (i // 4) * H))
            g.save(a.out)
        return
    import cv2
    from ballnet import synth2
    cv2.setNumThreads(1)
    n = a.n or 50
    t0, c0 = time.time(), time.process_time()
    b = synth2.gen_batch(a.seed, n)
    dt, dc = time.time() - t0, time.process_time() - c0
    lab = b['labels']
    r = lab[lab[:, 0] > 0, 3]
    print(f'{n} frames: {dt / n:.3f} s/frame wall, {dc / n:.3f} s/frame CPU; present={lab[:, 0].mean():.2f}; '
          f'r quartiles={np.percentile(r, [0, 25, 50, 75, 100]).round(1) if len(r) else []}; '
          f'multi-ball={(b["extra"][:, 1, 2] > 0).mean():.2f}')
    if a.out:
        synth2.contact_sheet(a.out, a.seed)


if __name__ == '__main__':
    main()
