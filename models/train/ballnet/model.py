"""BallNet: a small stride-4 CenterNet-style ball detector built from plain convolutions.

tract runs plain convolutions as matmuls (fast) and depthwise ones as scalar loops (slow), so this net
uses no depthwise convolution. The stem is a space-to-depth 4x4 stride-4 convolution (one matmul over
48-value patches), followed by a small U-shaped body over strides 4, 8 and 16.

Output (contract v1): [N,4,H/4,W/4] = ball-centre logit, offset x, offset y (cells), radius (input px).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

RADIUS_SCALE = 8.0  # the head predicts r/8; the graph multiplies by 8
NORM_SCALE, NORM_SHIFT = 1.0 / 64.0, 2.0  # input normalisation: x * NORM_SCALE - NORM_SHIFT


class CBR(nn.Sequential):
    def __init__(self, cin, cout, k=3, s=1, d=1):
        pad = d * (k - 1) // 2 if k % 2 == 1 else (k - s) // 2
        super().__init__(nn.Conv2d(cin, cout, k, s, pad, dilation=d, bias=False),
                         nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class Res(nn.Module):
    def __init__(self, c, d=1):
        super().__init__()
        self.b = CBR(c, c, 3, 1, d)

    def forward(self, x):
        return x + self.b(x)


class BallNet(nn.Module):
    def __init__(self, c4=16, c8=32, c16=64, n16=2, n8=1, n4=0, f4=16, k4=3):
        super().__init__()
        self.cfg = dict(c4=c4, c8=c8, c16=c16, n16=n16, n8=n8, n4=n4, f4=f4, k4=k4)
        self.norm_folded = False  # see fold_normalisation()
        self.stem = CBR(3, c4, 4, 4)                      # /4, space-to-depth as one conv
        self.s4 = nn.Sequential(*[Res(c4) for _ in range(n4)])
        self.down8 = CBR(c4, c8, 3, 2)                    # /8  (k3 s2 pad1)
        self.s8 = nn.Sequential(*[Res(c8) for _ in range(n8)])
        self.down16 = CBR(c8, c16, 3, 2)                  # /16
        self.s16 = nn.Sequential(*[Res(c16, d=1 + i) for i in range(n16)])
        self.lat16 = CBR(c16, c8, 1)
        self.fuse8 = CBR(c8, c8, 3)
        self.lat8 = CBR(c8, c4, 1)
        self.fuse4 = CBR(c4 * 2, f4, k4)
        self.head = nn.Conv2d(f4, 4, 1)
        nn.init.normal_(self.head.weight, std=0.01)
        nn.init.constant_(self.head.bias, 0.0)
        with torch.no_grad():
            self.head.bias[0] = -4.0
            self.head.bias[1] = 0.5
            self.head.bias[2] = 0.5
            self.head.bias[3] = 0.5

    def forward(self, x):
        # x: RGB float in 0..255, [N,3,H,W], H and W multiples of 32
        if not self.norm_folded:
            x = x * NORM_SCALE - NORM_SHIFT
        f4 = self.s4(self.stem(x))
        f8 = self.s8(self.down8(f4))
        f16 = self.s16(self.down16(f8))
        y8 = self.fuse8(f8 + F.interpolate(self.lat16(f16), scale_factor=2.0, mode='nearest'))
        y4 = torch.cat([f4, F.interpolate(self.lat8(y8), scale_factor=2.0, mode='nearest')], 1)
        o = self.head(self.fuse4(y4))
        # channel 3 -> radius in input pixels (scale inside the graph)
        scale = torch.tensor([1.0, 1.0, 1.0, RADIUS_SCALE], dtype=o.dtype, device=o.device).view(1, 4, 1, 1)
        return o * scale


def fold_normalisation(model):
    """Folds the input normalisation into the stem (export only, eval mode): the stem convolution has no
    padding, so conv(x * a - b) = conv_{w*a}(x) - b * sum(w) exactly, and the BatchNorm's running mean absorbs
    the constant. Saves two elementwise passes over the input in tract."""
    conv, bn = model.stem[0], model.stem[1]
    assert conv.padding in ((0, 0), 0) and conv.bias is None, 'exact only for an unpadded, bias-free stem'
    with torch.no_grad():
        bn.running_mean.add_(NORM_SHIFT * conv.weight.sum(dim=(1, 2, 3)))
        conv.weight.mul_(NORM_SCALE)
    model.norm_folded = True
    return model


class S2DStem(nn.Module):
    """The stem's 4x4 stride-4 convolution written as space-to-depth (Reshape, Transpose, Reshape) and a 1x1
    convolution: the same function, but tract runs it as one matmul; its im2col path for a 4x4/4 kernel is
    several times slower on wide inputs (>= 512 px). Export-only (see scripts/export.py --stem)."""

    def __init__(self, stem):
        super().__init__()
        conv, bn, relu = stem[0], stem[1], stem[2]
        k = conv.kernel_size[0]
        self.k = k
        self.conv = nn.Conv2d(conv.in_channels * k * k, conv.out_channels, 1, bias=False)
        with torch.no_grad():
            self.conv.weight.copy_(conv.weight.reshape(conv.out_channels, -1, 1, 1))
        self.bn, self.relu = bn, relu

    def forward(self, x):
        n, c, h, w = x.shape
        k = self.k
        x = x.reshape(n, c, h // k, k, w // k, k).permute(0, 1, 3, 5, 2, 4).reshape(n, c * k * k, h // k, w // k)
        return self.relu(self.bn(self.conv(x)))


def freeze_batchnorm(model):
    """Puts every BatchNorm in eval mode (running statistics fixed, affine parameters still trained). Call after
    each model.train(): a fine-tune of a model recovered from ONNX (scripts/from_onnx.py) has identity statistics
    that batch statistics must not replace, and weight averages (scripts/soup.py) stay consistent."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.eval()
    return model


def count_macs(model, inp):
    macs = []

    def hook(m, i, o):
        if isinstance(m, nn.Conv2d):
            macs.append(o.numel() // o.shape[0] * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1])
    hs = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, nn.Conv2d)]
    was = model.training
    model.eval()
    with torch.no_grad():
        model(inp)
    model.train(was)
    for h in hs:
        h.remove()
    return sum(macs)


def build(cfg=None):
    return BallNet(**(cfg or {}))
