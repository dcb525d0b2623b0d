"""Running a detector on an image and decoding its output (contract v1, `models/contract.json`)."""
import numpy as np

from . import contract


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def top1(out):
    """out [4,h,w] -> p, x, y, r (input pixels): the cell with the highest logit."""
    stride = contract.get().stride
    lg = out[0]
    iy, ix = np.unravel_index(np.argmax(lg), lg.shape)
    return (float(sigmoid(lg[iy, ix])), float((ix + out[1, iy, ix]) * stride), float((iy + out[2, iy, ix]) * stride),
            float(out[3, iy, ix]))


def letterbox32(img):
    """img padded at the right and bottom to the contract's size multiple with its letterbox value, as the engine
    does."""
    C = contract.get()
    m = C.size_multiple
    h, w = img.shape[:2]
    H, W = (h + m - 1) // m * m, (w + m - 1) // m * m
    if (H, W) == (h, w):
        return img
    out = np.full((H, W, 3), C.letterbox_value, np.uint8)
    out[:h, :w] = img
    return out


class TorchRunner:
    """A PyTorch model as a function HxWx3 uint8 RGB -> [4, H/4, W/4]."""

    def __init__(self, model):
        import torch
        self.torch, self.m = torch, model

    def __call__(self, img):
        t = self.torch
        with t.no_grad():
            x = t.from_numpy(np.ascontiguousarray(img)).permute(2, 0, 1)[None].float()
            return self.m(x)[0].numpy()


class OrtRunner:
    """An ONNX model in onnxruntime (CPU) as a function HxWx3 uint8 RGB -> [4, H/4, W/4]."""

    def __init__(self, path, threads=2):
        import onnxruntime as ort
        so = ort.SessionOptions(); so.intra_op_num_threads = threads; so.inter_op_num_threads = 1
        self.s = ort.InferenceSession(path, so, providers=['CPUExecutionProvider'])
        self.input_name = contract.get().input_name

    def __call__(self, img):
        x = np.ascontiguousarray(img.transpose(2, 0, 1)[None].astype(np.float32))
        return self.s.run(None, {self.input_name: x})[0][0]


def load_checkpoint(path):
    """The BallNet of a training checkpoint (`{'model': state_dict, 'cfg': dict}`), in eval mode."""
    import torch
    from .model import build
    ck = torch.load(path, map_location='cpu')
    m = build(ck['cfg']); m.load_state_dict(ck['model']); m.eval()
    return m


def runner(onnx=None, ckpt=None, threads=2):
    """(run, name): a TorchRunner of the checkpoint when given (torch on `threads` threads), else an OrtRunner."""
    if ckpt:
        import torch
        torch.set_num_threads(threads)
        return TorchRunner(load_checkpoint(ckpt)), ckpt
    return OrtRunner(onnx, threads), onnx
