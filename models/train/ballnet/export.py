"""ONNX export helpers (contract v1: names, symbolic sizes, opset from `models/contract.json`)."""
import warnings

import numpy as np
import onnx
import torch

from . import contract


def ref_input(h=64, w=96):
    """The deterministic reference input of the engine's model test: value = (c*7 + y*13 + x*31) % 256."""
    c, y, x = np.meshgrid(np.arange(3), np.arange(h), np.arange(w), indexing='ij')
    return ((c * 7 + y * 13 + x * 31) % 256).astype(np.float32)[None]


def export_onnx(model, x0, path, axes=('H', 'W', 'H4', 'W4')):
    """torch.onnx.export of model (traced on x0) with the contract's input/output names and symbolic H, W."""
    C = contract.get()
    h, w, h4, w4 = axes
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        torch.onnx.export(model, (x0,), path, dynamo=False, opset_version=C.onnx_min_opset, do_constant_folding=True,
                          input_names=[C.input_name], output_names=[C.output_name],
                          dynamic_axes={C.input_name: {2: h, 3: w}, C.output_name: {2: h4, 3: w4}})


def check_graph(path):
    """Loads and checks an exported graph against the contract: (ops, inputs, outputs) with symbolic sizes."""
    C = contract.get()
    mp = onnx.load(path)
    onnx.checker.check_model(mp)
    ops = sorted({n.op_type for n in mp.graph.node})
    ins = [(i.name, [d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim]) for i in mp.graph.input]
    outs = [(o.name, [d.dim_param or d.dim_value for d in o.type.tensor_type.shape.dim]) for o in mp.graph.output]
    assert ins[0][0] == C.input_name and outs[0][0] == C.output_name, (ins, outs)
    assert isinstance(ins[0][1][2], str) and isinstance(ins[0][1][3], str), ins
    return ops, ins, outs
