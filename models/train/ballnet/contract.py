"""The engine/model contract v1, read from `models/contract.json` (the one copy of the engine's constants on
the Python side; `tests/tests/contract.rs` checks that the engine's Rust constants equal that file).

    from ballnet import contract
    C = contract.get()
    C.stride, C.input_name, C.search_threshold, C.roi_input ...

The file is read on the first `get()`, not on import.
"""
import functools
import json
import os
from dataclasses import dataclass

PATH = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'contract.json'))


@dataclass(frozen=True)
class Contract:
    version: int
    input_name: str             # the model's single input
    input_channels: int         # RGB
    input_range: tuple          # (0, 255): the engine feeds raw RGB, normalisation is inside the model
    size_multiple: int          # input sides are multiples of this
    max_input_side: int
    letterbox_value: int        # the engine pads a letterboxed input with this value
    output_name: str            # the model's single output
    output_channel_names: tuple  # logit, offset x, offset y (cells), radius (input px)
    stride: int                 # one output cell covers stride x stride input pixels
    onnx_min_opset: int
    search_threshold: float     # detector.threshold: search passes
    roi_threshold: float        # detector.roi_threshold: region of interest
    acquire_score: float        # tracker.acquire_score: a search peak starts a hypothesis
    confirm_score: float        # tracker.confirm_score: a second look confirms it
    full_input: tuple           # desktop preset: whole-frame search pass (width, height)
    roi_input: tuple            # desktop preset: region of interest (width, height)
    tile_scale: float           # desktop preset: schedule.tile_scale
    tile_reference_side: int    # schedule.tile_reference_side
    min_tile_scale: float       # finest tile scale for small frames
    tile_coarsen_side: int      # frames with a longer shorter side get coarser tiles in proportion
    max_fine_upscale: int       # a still's fine pass sees the frame as a tile_coarsen_side one, upscaling at most this
    min_fine_gain: float        # ... and runs only when at least this many times finer than the tiles

    @property
    def output_channels(self):
        return len(self.output_channel_names)


def parse(d):
    i, o, t, p = d['input'], d['output'], d['thresholds'], d['desktop_preset']
    return Contract(
        version=d['version'], input_name=i['name'], input_channels=i['channels'], input_range=tuple(i['value_range']),
        size_multiple=i['size_multiple'], max_input_side=i['max_side'], letterbox_value=i['letterbox_value'],
        output_name=o['name'], output_channel_names=tuple(o['channels']), stride=o['stride'],
        onnx_min_opset=d['onnx_min_opset'], search_threshold=t['search'], roi_threshold=t['roi'],
        acquire_score=t['acquire'], confirm_score=t['confirm'], full_input=tuple(p['full_input']),
        roi_input=tuple(p['roi_input']), tile_scale=p['tile_scale'], tile_reference_side=p['tile_reference_side'],
        min_tile_scale=p['min_tile_scale'], tile_coarsen_side=p['tile_coarsen_side'],
        max_fine_upscale=p['max_fine_upscale'], min_fine_gain=p['min_fine_gain'])


@functools.cache
def get(path=PATH):
    """The contract (read once per path)."""
    with open(path) as f:
        return parse(json.load(f))
