#!/usr/bin/env python3
"""Per-layer time of the detector model in tract against onnxruntime, single thread.

tract's side is `core/examples/op_profile --json` (the model prepared as the engine prepares it,
each node of the optimised plan timed); onnxruntime's is its own per-node profile
(`SessionOptions.enable_profiling`, ORT_ENABLE_ALL, one intra-op thread). Both run the same
deterministic input. Both runtimes rewrite the graph (tract lowers a convolution to
pad + im2col/pack + matrix product and fuses activations, concatenations and scales into it;
onnxruntime fuses Conv+Relu into NCHWc convolutions and adds layout reorders), so every
optimised node is charged back to the ONNX layer it came from: the convolution, with its
activation and any scale fused into it, or the Add, Resize, Concat. The report prints, per
input size:

Times are per-node medians over the runs (a busy machine's preemptions stay out of them).

- per layer: shape, MFLOP, each runtime's microseconds and GFLOP/s, and tract/onnxruntime;
- per layer type (3x3 stride 1, 3x3 stride 2, 1x1, the 4x4 stride-4 stem, Add, ...);
- per optimised operation of each runtime (tract: OptMatMul, Pad, OptMatMulPack, ...;
  onnxruntime: Conv, ReorderOutput, ...).

Usage (from the repository root, after `cargo build --release --workspace --all-targets`):
    /work/venv/bin/python benches/opprofile/op_compare.py [--sizes 192x192,288x512] [--runs 200]
        [--op-profile target/release/examples/op_profile] [--model models/ballnet.onnx] [--json OUT]

Sizes are HEIGHTxWIDTH, as the model's input [1, 3, H, W]. `TRACT_CPU_ISA` and `TRACT_X86_KIND` in
the environment are passed on to tract and override the CLI's kernel choices (`TRACT_CPU_ISA=`
empty: tract's own AVX-512 kernels on a single-FMA core; `TRACT_X86_KIND=amd`: tract's AMD cost
model instead of the tile-fit picker; core/src/kernels.rs).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from cpuinfo import CPU_FLAGS, read_cpu  # noqa: E402
import onnx
import onnxruntime as ort
from onnx import shape_inference

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SIZES = "192x192,288x512"
DEFAULT_RUNS = 200
# Runs of onnxruntime left out of its profile's averages (op_profile warms up by itself).
ORT_WARMUP_RUNS = 10
# Suffixes onnxruntime appends to node names in its profile.
ORT_KERNEL_SUFFIX = "_kernel_time"
ORT_NCHWC_SUFFIX = "_nchwc"
# Operations that only change layout or bookkeeping, on either side.
LAYOUT = "layout/other"
US_PER_MS = 1e3
FLOP_PER_MAC = 2


def default_op_profile() -> Path:
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return target / "release" / "examples" / "op_profile"


def cpu_description() -> str:
    model, flags = read_cpu()
    return f"{model or 'unknown CPU'} ({' '.join(f for f in CPU_FLAGS if f in flags)})"


def deterministic_input(h: int, w: int) -> np.ndarray:
    """The input of core/examples/op_profile: (c*7 + y*13 + x*31) % 256."""
    c, y, x = np.meshgrid(np.arange(3), np.arange(h), np.arange(w), indexing="ij")
    return ((c * 7 + y * 13 + x * 31) % 256).astype(np.float32)[None]


class Graph:
    """The ONNX graph at one input size: layers, their shapes and FLOPs."""

    def __init__(self, path: Path, h: int, w: int):
        model = onnx.load(str(path))
        dims = model.graph.input[0].type.tensor_type.shape.dim
        for d, v in ((dims[2], h), (dims[3], w)):
            d.ClearField("dim_param")
            d.dim_value = v
        model = shape_inference.infer_shapes(model)
        self.shapes = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim]
                       for v in list(model.graph.value_info) + list(model.graph.output)}
        self.inits = {i.name: list(i.dims) for i in model.graph.initializer}
        self.nodes = {n.name: n for n in model.graph.node}
        self.order = [n.name for n in model.graph.node]
        self.producer = {o: n.name for n in model.graph.node for o in n.output}
        # Longest names first, for prefix matching of tract's node names.
        self.by_length = sorted(self.nodes, key=len, reverse=True)

    def layer_of(self, name: str) -> str:
        """The layer a node belongs to: activations and scales belong to the conv they follow."""
        node = self.nodes[name]
        while node.op_type in ("Relu", "Mul") and node.input[0] in self.producer:
            node = self.nodes[self.producer[node.input[0]]]
        return node.name

    def layers(self) -> list[str]:
        seen = []
        for n in self.order:
            if self.nodes[n].op_type == "Constant":
                continue
            layer = self.layer_of(n)
            if layer not in seen:
                seen.append(layer)
        return seen

    def attrs(self, name: str) -> dict:
        return {a.name: onnx.helper.get_attribute_value(a) for a in self.nodes[name].attribute}

    def kind(self, name: str) -> str:
        node = self.nodes[name]
        if node.op_type != "Conv":
            return node.op_type
        a = self.attrs(name)
        k, s = a.get("kernel_shape", [1, 1]), a.get("strides", [1, 1])
        dil = a.get("dilations", [1, 1])
        kind = f"conv{k[0]}x{k[1]} s{s[0]}"
        return kind + (f" dil{dil[0]}" if dil[0] > 1 else "")

    def out_shape(self, name: str) -> list[int]:
        return self.shapes.get(self.nodes[name].output[0], [])

    def mflop(self, name: str) -> float:
        node = self.nodes[name]
        out = self.out_shape(name)
        if node.op_type != "Conv" or len(out) != 4:
            return 0.0
        cout, cin_g, kh, kw = self.inits[node.input[1]]
        return FLOP_PER_MAC * out[1] * out[2] * out[3] * cin_g * kh * kw / 1e6

    def describe(self, name: str) -> str:
        node = self.nodes[name]
        out = self.out_shape(name)
        shape = "x".join(str(d) for d in out[1:]) if out else "?"
        if node.op_type == "Conv":
            cin = self.inits[node.input[1]][1]
            return f"{cin}->{shape}"
        return shape

    def match_tract(self, tract_name: str) -> str | None:
        for n in self.by_length:
            if tract_name == n or tract_name.startswith(n + "."):
                return self.layer_of(n)
        return None

    def match_ort(self, event_name: str) -> str | None:
        name = event_name.removesuffix(ORT_KERNEL_SUFFIX).removesuffix(ORT_NCHWC_SUFFIX)
        if name in self.producer:
            return self.layer_of(self.producer[name])
        if name in self.nodes:
            return self.layer_of(name)
        return None


def tract_profile(binary: Path, model: Path, h: int, w: int, runs: int) -> dict:
    cmd = [str(binary), str(model), str(h), str(w), str(runs), "--json"]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"op_profile failed ({done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout)


def ort_profile(model: Path, h: int, w: int, runs: int) -> tuple[list[dict], float]:
    """Per-node events of the timed runs, and the mean model_run time in microseconds."""
    with tempfile.TemporaryDirectory(prefix="ortprof-") as tmp:
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        opts.enable_profiling = True
        opts.profile_file_prefix = str(Path(tmp) / "ort")
        session = ort.InferenceSession(str(model), sess_options=opts, providers=["CPUExecutionProvider"])
        feed = {session.get_inputs()[0].name: deterministic_input(h, w)}
        for _ in range(ORT_WARMUP_RUNS + runs):
            session.run(None, feed)
        events = json.loads(Path(session.end_profiling()).read_text())
    # Each node runs once per run: drop its first ORT_WARMUP_RUNS events, keep the median.
    durations: dict[str, list[float]] = defaultdict(list)
    op_names: dict[str, str] = {}
    for e in events:
        if e.get("cat") != "Node" or not e["name"].endswith(ORT_KERNEL_SUFFIX):
            continue
        durations[e["name"]].append(e["dur"])
        op_names[e["name"]] = e["args"].get("op_name", "?")
    nodes = [{"name": name, "op": op_names[name], "us": float(np.median(d[ORT_WARMUP_RUNS:] or d))}
             for name, d in durations.items()]
    model_runs = [e["dur"] for e in events if e.get("cat") == "Session" and e.get("name") == "model_run"]
    timed = model_runs[ORT_WARMUP_RUNS:] or model_runs
    return nodes, (float(np.median(timed)) if timed else 0.0)


def compare(args: argparse.Namespace, h: int, w: int) -> dict:
    graph = Graph(args.model, h, w)
    tract = tract_profile(args.op_profile, args.model, h, w, args.runs)
    ort_nodes, ort_run_us = ort_profile(args.model, h, w, args.runs)

    t_layer: dict[str, float] = defaultdict(float)
    t_op: dict[str, float] = defaultdict(float)
    for n in tract["nodes"]:
        us = n.get("median_ms", n["ms"]) * US_PER_MS
        t_layer[graph.match_tract(n["name"]) or LAYOUT] += us
        t_op[n["op"]] += us
    o_layer: dict[str, float] = defaultdict(float)
    o_op: dict[str, float] = defaultdict(float)
    for e in ort_nodes:
        o_layer[graph.match_ort(e["name"]) or LAYOUT] += e["us"]
        o_op[e["op"]] += e["us"]

    t_total, o_total = sum(t_layer.values()), sum(o_layer.values())
    print(f"\n=== {args.model.name} 1x3x{h}x{w}, single thread, {args.runs} runs ===")
    print(f"medians per node; tract (sum) {t_total:8.1f} us (plan mean {tract['total_ms'] * US_PER_MS:.1f})   "
          f"onnxruntime (sum) {o_total:8.1f} us (model_run median {ort_run_us:.1f})   "
          f"tract/ort {t_total / max(o_total, 1e-9):.2f}")
    header = (f"{'layer':<24} {'kind':<13} {'cin->out':<14} {'MFLOP':>6} {'tract us':>9} {'ort us':>8} "
              f"{'t/o':>5} {'tGF/s':>6} {'oGF/s':>6}")
    print(header)
    layers = graph.layers() + [LAYOUT]
    rows = []
    for layer in layers:
        t, o = t_layer.get(layer, 0.0), o_layer.get(layer, 0.0)
        if t == 0.0 and o == 0.0:
            continue
        is_node = layer in graph.nodes
        kind = graph.kind(layer) if is_node else LAYOUT
        mflop = graph.mflop(layer) if is_node else 0.0
        row = {"layer": layer, "kind": kind, "shape": graph.describe(layer) if is_node else "",
               "mflop": mflop, "tract_us": t, "ort_us": o}
        rows.append(row)
        gf = lambda us: f"{mflop / us * 1e3:6.1f}" if mflop and us else f"{'-':>6}"
        ratio = f"{t / o:5.2f}" if o else f"{'-':>5}"
        print(f"{layer[:24]:<24} {kind:<13} {row['shape']:<14} {mflop:6.2f} {t:9.1f} {o:8.1f} {ratio} "
              f"{gf(t)} {gf(o)}")

    print(f"\nper layer type:")
    print(f"{'kind':<15} {'layers':>6} {'MFLOP':>7} {'tract us':>9} {'ort us':>8} {'t/o':>5} "
          f"{'tract-ort us':>12} {'share of gap':>12}")
    kinds: dict[str, dict] = {}
    for r in rows:
        k = kinds.setdefault(r["kind"], {"n": 0, "mflop": 0.0, "t": 0.0, "o": 0.0})
        k["n"] += 1
        k["mflop"] += r["mflop"]
        k["t"] += r["tract_us"]
        k["o"] += r["ort_us"]
    gap = t_total - o_total
    for kind, k in sorted(kinds.items(), key=lambda kv: -(kv[1]["t"] - kv[1]["o"])):
        ratio = f"{k['t'] / k['o']:5.2f}" if k["o"] else f"{'-':>5}"
        share = 100.0 * (k["t"] - k["o"]) / gap if gap else 0.0
        print(f"{kind:<15} {k['n']:>6} {k['mflop']:7.2f} {k['t']:9.1f} {k['o']:8.1f} {ratio} "
              f"{k['t'] - k['o']:12.1f} {share:11.0f}%")

    print("\nper optimised operation:")
    t_ops = sorted(t_op.items(), key=lambda kv: -kv[1])
    o_ops = sorted(o_op.items(), key=lambda kv: -kv[1])
    for i in range(max(len(t_ops), len(o_ops))):
        left = f"{t_ops[i][0]:<20} {t_ops[i][1]:8.1f} us" if i < len(t_ops) else " " * 32
        right = f"{o_ops[i][0]:<16} {o_ops[i][1]:8.1f} us" if i < len(o_ops) else ""
        if (i < len(t_ops) and t_ops[i][1] >= 0.05) or right:
            print(f"  tract {left}    ort {right}")
    return {"height": h, "width": w, "tract_total_us": t_total, "ort_total_us": o_total,
            "ort_model_run_us": ort_run_us, "layers": rows, "tract_ops": dict(t_op), "ort_ops": dict(o_op)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "ballnet.onnx")
    ap.add_argument("--sizes", default=DEFAULT_SIZES, help="HEIGHTxWIDTH, comma-separated")
    ap.add_argument("--runs", type=int, default=DEFAULT_RUNS)
    ap.add_argument("--op-profile", type=Path, default=default_op_profile())
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args()
    if not args.op_profile.exists():
        sys.exit(f"{args.op_profile} not found: cargo build --release --workspace --all-targets")
    isa, kind = os.environ.get("TRACT_CPU_ISA"), os.environ.get("TRACT_X86_KIND")
    knobs = [f"{k}={v!r}" for k, v in (("TRACT_CPU_ISA", isa), ("TRACT_X86_KIND", kind)) if v is not None]
    print(f"CPU {cpu_description()}; onnxruntime {ort.__version__}; tract kernels: "
          + (", ".join(knobs) if knobs else "the CLI's choice"))
    results = []
    for size in args.sizes.split(","):
        h, w = (int(v) for v in size.lower().split("x"))
        results.append(compare(args, h, w))
    if args.json:
        args.json.write_text(json.dumps({"cpu": cpu_description(), "sizes": results}, indent=2) + "\n")


if __name__ == "__main__":
    main()
