"""Hard-negative mining: confident peaks away from the ball (scripts/mine.py, scripts/mine_sets.py)."""
import numpy as np
import cv2

from . import contract
from .infer import sigmoid


def peaks(out, k=6, pmin=0.15):
    """Local maxima (3x3) of the centre logit above pmin, best first: [(x, y, p)] in input pixels."""
    stride = contract.get().stride
    lg = out[0]
    mx = cv2.dilate(lg, np.ones((3, 3), np.uint8))
    ys, xs = np.nonzero((lg == mx) & (lg > np.log(pmin / (1 - pmin))))
    order = np.argsort(-lg[ys, xs])[:k]
    return [(float((xs[i] + out[1, ys[i], xs[i]]) * stride), float((ys[i] + out[2, ys[i], xs[i]]) * stride),
             float(sigmoid(lg[ys[i], xs[i]]))) for i in order]


def away(x, y, pres, cx, cy, r):
    """A peak is a false positive when the frame has no ball or it lies clear of the ball."""
    return not pres or np.hypot(x - cx, y - cy) > max(24, 2 * r + 8)
