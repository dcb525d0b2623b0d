"""A labelled copy of one split of a set as an upscaled stream shows it: soft, large balls.

usage: python -m scripts.upscaled_set OUT_DIR --set dfl-soccer --split valid --size 1920x1080 --shrink 3

Each frame is brought to its set's true geometry (`ballnet/sets.py`; the stretched exports are mapped
back) and to `--size`, shrunk by `--shrink` (area filter), upscaled back to `--size` (bilinear, as a
player or a phone's digital zoom does) and written as JPEG quality 90 under OUT_DIR/SPLIT/, with
OUT_DIR/labels.csv holding the labels scaled to `--size`. Evaluate it with `ballcam eval --labels
OUT_DIR/labels.csv --split SPLIT` (models/README.md, "Scale through the engine").
"""
import argparse
import csv
import os

import cv2

from ballnet import paths, sets

JPEG_QUALITY = 90
LABEL_COLUMNS_X = ('x', 'w')
LABEL_COLUMNS_Y = ('y', 'h')


def parse_size(text):
    try:
        w, h = (int(v) for v in text.lower().split('x'))
    except ValueError:
        raise argparse.ArgumentTypeError(f'{text!r} is not WxH')
    if w <= 0 or h <= 0:
        raise argparse.ArgumentTypeError(f'{text!r}: both sides must be positive')
    return w, h


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('out', metavar='OUT_DIR')
    ap.add_argument('--set', required=True, help='set folder name under the data folder (e.g. dfl-soccer)')
    ap.add_argument('--split', default='valid')
    ap.add_argument('--size', type=parse_size, default=(1920, 1080), metavar='WxH', help='output frame size')
    ap.add_argument('--shrink', type=float, default=3.0, help='upscale factor (the frame is shrunk by it first)')
    paths.add_data_argument(ap)
    a = ap.parse_args()
    if a.shrink < 1.0:
        ap.error('--shrink must be at least 1')
    src = os.path.join(paths.data_root(a.data), a.set)
    labels = os.path.join(src, 'labels.csv')
    if not os.path.isfile(labels):
        raise SystemExit(f'{labels}: no such file')
    true_size = sets.GEOMETRY.get(a.set)
    out_w, out_h = a.size
    small = (max(1, round(out_w / a.shrink)), max(1, round(out_h / a.shrink)))
    os.makedirs(os.path.join(a.out, a.split), exist_ok=True)
    rows = []
    with open(labels, newline='') as f:
        reader = csv.DictReader(f)
        fields = reader.fieldnames
        for row in reader:
            if not row['file'].startswith(a.split + '/'):
                continue
            img = cv2.imread(os.path.join(src, row['file']))
            if img is None:
                raise SystemExit(f"{row['file']}: unreadable image")
            h0, w0 = img.shape[:2]
            if true_size:
                img = cv2.resize(img, true_size, interpolation=cv2.INTER_AREA)
            img = cv2.resize(img, (out_w, out_h), interpolation=cv2.INTER_AREA)
            img = cv2.resize(img, small, interpolation=cv2.INTER_AREA)
            img = cv2.resize(img, (out_w, out_h), interpolation=cv2.INTER_LINEAR)
            cv2.imwrite(os.path.join(a.out, row['file']), img, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
            for keys, scale in ((LABEL_COLUMNS_X, out_w / w0), (LABEL_COLUMNS_Y, out_h / h0)):
                for k in keys:
                    if row[k]:
                        row[k] = f'{float(row[k]) * scale:.2f}'
            rows.append(row)
    if not rows:
        raise SystemExit(f'{labels}: no rows in split {a.split!r}')
    with open(os.path.join(a.out, 'labels.csv'), 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    print(f'{len(rows)} frames of {a.set}/{a.split} at {out_w}x{out_h}, upscaled {a.shrink:g}x: {a.out}')


if __name__ == '__main__':
    main()
