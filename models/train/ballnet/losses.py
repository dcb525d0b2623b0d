"""The training loss: CenterNet focal loss on the centre heatmap, L1 on the offset and the radius."""
import torch
import torch.nn.functional as F


def losses(out, hm, reg, ind, m):
    """(focal, offset, size) of model output out [N,4,h,w] against data.targets' heatmap, regression, flat index
    and mask."""
    logit = out[:, 0]
    p = torch.sigmoid(logit)
    pos = hm.eq(1).float()
    neg_w = (1 - hm) ** 4
    pos_l = -((1 - p) ** 2 * F.logsigmoid(logit) * pos).sum()
    neg_l = -(neg_w * p ** 2 * F.logsigmoid(-logit) * (1 - pos)).sum()
    focal = (pos_l + neg_l) / pos.sum().clamp(min=1)
    N, C, h, w = out.shape
    flat = out[:, 1:].reshape(N, 3, h * w)
    g = flat.gather(2, ind.view(N, 1, 1).expand(N, 3, 1)).squeeze(2)
    ms = m.sum().clamp(min=1)
    off = (F.l1_loss(g[:, :2], reg[:, :2], reduction='none').sum(1) * m).sum() / ms
    size = (F.l1_loss(g[:, 2] / 8.0, reg[:, 2], reduction='none') * m).sum() / ms
    return focal, off, size
