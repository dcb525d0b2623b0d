#!/usr/bin/env python3
"""Ballcam (tract, Rust) against the obvious Python baseline, on the same model and frames.

Runs models/ballnet.onnx single-threaded on both sides and prints the ratios measured in this one
run on this machine:

(a) inference alone: onnxruntime against tract at each detector input size of the preset (tract's
    figures come from `ballcam profile --json`, section `inference`: the same deterministic input,
    warm-up runs, then timed runs);
(b) the naive pipeline - NV21 -> RGB and a letterbox resize with OpenCV, then whole-frame
    onnxruntime inference on every frame - against Ballcam's whole frame (`ballcam profile`:
    conversion of only the needed pixels, ROI/whole-frame/tile scheduling, decoding, tracking and
    crop planning), on the same NV21 frames (written by `ballcam profile --dump-frames`).

Usage:
    pip install -r benches/compare/requirements.txt
    cargo build --release --workspace --all-targets
    python benches/compare/compare.py --ballcam target/release/ballcam

The report names the CPU model and its instruction sets (avx2, fma, avx512f), which decide the
kernels on both sides: the ratios hold for that CPU class only.

Options: --model (default models/ballnet.onnx), --resolution (1920x1080), --frames (300),
--preset (phone-30fps), --out (out/compare). Writes OUT/compare.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from cpuinfo import CPU_FLAGS, read_cpu  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
# Timed runs per input size for inference alone, after warm-up runs (as `ballcam profile`).
INFER_WARMUP_RUNS = 5
INFER_RUNS = 50
# Frames of the naive pipeline run before timing.
NAIVE_WARMUP_FRAMES = 10
# Distinct NV21 frames written by `ballcam profile --dump-frames` (cycled).
DUMPED_FRAMES = 30
# Letterbox padding value (Ballcam pads with 0).
PAD_VALUE = 0
US_PER_S = 1e6
# Instruction-set flags reported with the numbers (/proc/cpuinfo names).


def cpu_description() -> dict:
    """The CPU that produced the numbers: model, and the vector instruction sets that decide both
    sides' kernels (tract: 256-bit FMA kernels on AVX2, and on AVX-512 cores with one 512-bit FMA
    unit, where `ballcam` takes its AVX-512 kernels out; onnxruntime's MLAS: AVX-512 kernels
    wherever avx512f is present)."""
    model, flags = read_cpu()
    return {
        "model": model or platform.processor() or platform.machine(),
        "flags": {f: f in flags for f in CPU_FLAGS},
        "tract_cpu_isa_env": os.environ.get("TRACT_CPU_ISA"),
        "tract_x86_kind_env": os.environ.get("TRACT_X86_KIND"),
    }


def percentile(values: list[float], p: float) -> float:
    """The `p`th percentile as `ballcam profile` computes it (desktop/src/stats.rs): the sorted
    value at index round(p / 100 * (n - 1)), halves rounded away from zero."""
    s = sorted(values)
    k = int(np.floor((len(s) - 1) * (p / 100.0) + 0.5))
    return s[max(0, min(len(s) - 1, k))]


def ort_session(model: Path) -> ort.InferenceSession:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(model), sess_options=opts, providers=["CPUExecutionProvider"])


def run_profile(args: argparse.Namespace, out: Path) -> dict:
    cmd = [
        str(args.ballcam), "profile", "--synthetic",
        "--resolution", args.resolution, "--format", "nv21",
        "--frames", str(args.frames), "--preset", args.preset, "--threads", "1",
        "--model", str(args.model), "--out", str(out),
        "--only-preset", "--dump-frames", str(DUMPED_FRAMES), "--json",
    ]
    print("running:", " ".join(cmd), file=sys.stderr)
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"ballcam profile failed ({done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout)


def time_inference(session: ort.InferenceSession, width: int, height: int) -> list[float]:
    """onnxruntime alone on the same deterministic input as `ballcam profile`, microseconds."""
    n = 3 * width * height
    data = ((np.arange(n, dtype=np.int64) * 31) % 256).astype(np.float32).reshape(1, 3, height, width)
    name = session.get_inputs()[0].name
    times = []
    for i in range(INFER_WARMUP_RUNS + INFER_RUNS):
        t0 = time.perf_counter()
        session.run(None, {name: data})
        dt = (time.perf_counter() - t0) * US_PER_S
        if i >= INFER_WARMUP_RUNS:
            times.append(dt)
    return times


def naive_frame(session: ort.InferenceSession, name: str, nv21: np.ndarray, w: int, h: int,
                in_w: int, in_h: int) -> np.ndarray:
    """The obvious pipeline: whole frame to RGB, letterbox resize, inference, heatmap peak."""
    rgb = cv2.cvtColor(nv21.reshape(h * 3 // 2, w), cv2.COLOR_YUV2RGB_NV21)
    scale = min(in_w / w, in_h / h)
    rw, rh = max(1, round(w * scale)), max(1, round(h * scale))
    small = cv2.resize(rgb, (rw, rh), interpolation=cv2.INTER_AREA)
    canvas = np.full((in_h, in_w, 3), PAD_VALUE, dtype=np.uint8)
    x0, y0 = (in_w - rw) // 2, (in_h - rh) // 2
    canvas[y0:y0 + rh, x0:x0 + rw] = small
    tensor = np.ascontiguousarray(canvas.transpose(2, 0, 1)[None].astype(np.float32))
    out = session.run(None, {name: tensor})[0]
    return np.unravel_index(np.argmax(out[0, 0]), out.shape[2:])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ballcam", type=Path, default=Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "release" / "ballcam")
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "ballnet.onnx")
    ap.add_argument("--resolution", default="1920x1080")
    ap.add_argument("--frames", type=int, default=300)
    ap.add_argument("--preset", default="phone-30fps")
    ap.add_argument("--out", type=Path, default=ROOT / "out" / "compare")
    args = ap.parse_args()
    if not args.ballcam.exists():
        sys.exit(f"{args.ballcam} not found: build it (cargo build --release --workspace --all-targets) or pass --ballcam")
    if not args.model.exists():
        sys.exit(f"{args.model} not found: pass --model")
    args.out.mkdir(parents=True, exist_ok=True)
    cv2.setNumThreads(1)

    profile = run_profile(args, args.out)
    w, h = profile["input"]["width"], profile["input"]["height"]
    session = ort_session(args.model)
    name = session.get_inputs()[0].name

    # (a) Inference alone.
    rows = []
    for t in profile["inference"]:
        times = time_inference(session, t["width"], t["height"])
        ort_p50 = percentile(times, 50)
        rows.append({
            "role": t["role"], "input": t["input"],
            "tract_p50_us": t["p50_us"], "ort_p50_us": ort_p50,
            "tract_mean_us": t["mean_us"], "ort_mean_us": statistics.fmean(times),
            "ort_over_tract": ort_p50 / max(t["p50_us"], 1),
        })

    # (b) Naive pipeline against Ballcam's whole frame, on the same NV21 frames.
    frame_bytes = w * h * 3 // 2
    raw = np.fromfile(args.out / "frames.nv21", dtype=np.uint8)
    frames = [raw[i * frame_bytes:(i + 1) * frame_bytes] for i in range(len(raw) // frame_bytes)]
    if not frames:
        sys.exit("ballcam profile wrote no frames")
    full = next(t for t in profile["inference"] if t["role"] == "full")
    in_w, in_h = full["width"], full["height"]
    naive = []
    for i in range(NAIVE_WARMUP_FRAMES + args.frames):
        f = frames[i % len(frames)]
        t0 = time.perf_counter()
        naive_frame(session, name, f, w, h, in_w, in_h)
        dt = (time.perf_counter() - t0) * US_PER_S
        if i >= NAIVE_WARMUP_FRAMES:
            naive.append(dt)
    total = profile["all"]["total_us"]
    pipeline = {
        "frames": args.frames,
        "naive_input": f"{in_w}x{in_h}",
        "naive_p50_us": percentile(naive, 50), "naive_mean_us": statistics.fmean(naive),
        "naive_p99_us": percentile(naive, 99),
        "ballcam_p50_us": total["p50"], "ballcam_mean_us": total["mean"], "ballcam_p99_us": total["p99"],
    }
    pipeline["naive_over_ballcam_mean"] = pipeline["naive_mean_us"] / max(pipeline["ballcam_mean_us"], 1)
    pipeline["naive_over_ballcam_p50"] = pipeline["naive_p50_us"] / max(pipeline["ballcam_p50_us"], 1)
    modes = {m["mode"]: m for m in profile["modes"]}
    for mode in ("roi", "full", "tile"):
        m = modes.get(mode)
        if m and m["frames"] > 0:
            pipeline[f"ballcam_{mode}_frames"] = m["frames"]
            pipeline[f"ballcam_{mode}_mean_us"] = m["total_us"]["mean"]
            pipeline[f"naive_over_ballcam_{mode}_mean"] = pipeline["naive_mean_us"] / max(m["total_us"]["mean"], 1)

    cpu = cpu_description()
    print(f"\nSame model ({args.model.name}), single thread, {profile['machine']}")
    flag_text = " ".join(f"{f}:{'yes' if on else 'no'}" for f, on in cpu["flags"].items())
    print(f"CPU {cpu['model']}; instruction sets {flag_text}"
          + (f"; TRACT_CPU_ISA={cpu['tract_cpu_isa_env']}" if cpu["tract_cpu_isa_env"] is not None else "")
          + (f"; TRACT_X86_KIND={cpu['tract_x86_kind_env']}" if cpu["tract_x86_kind_env"] is not None else ""))
    print(f"onnxruntime {ort.__version__}, OpenCV {cv2.__version__}, numpy {np.__version__}")
    print("\n(a) inference alone, p50 (us): onnxruntime / tract")
    for r in rows:
        print(f"  {r['role']:<9} {r['input']:>8}: ort {r['ort_p50_us']:8.0f}  tract {r['tract_p50_us']:8.0f}"
              f"  ratio ort/tract {r['ort_over_tract']:.2f}")
    p = pipeline
    print(f"\n(b) whole frame, {w}x{h} NV21, {p['frames']} frames, preset {profile['preset']}:")
    print(f"  naive (OpenCV NV21->RGB + resize to {p['naive_input']} + onnxruntime every frame): "
          f"mean {p['naive_mean_us']:.0f} us, p50 {p['naive_p50_us']:.0f}, p99 {p['naive_p99_us']:.0f}")
    print(f"  ballcam (profile, all detector modes):                        "
          f"mean {p['ballcam_mean_us']:.0f} us, p50 {p['ballcam_p50_us']}, p99 {p['ballcam_p99_us']}")
    print(f"  ratio naive/ballcam: mean {p['naive_over_ballcam_mean']:.2f}x, p50 {p['naive_over_ballcam_p50']:.2f}x")
    skipped = profile.get("lost_frames_without_search", 0)
    if skipped:
        print(f"  note: on {skipped} of {p['frames']} frames Ballcam had lost the ball and ran no detector (its "
              "scheduler skipped the search), so the whole-frame ratio is not like for like; compare per mode:")
    for mode, what in (("roi", "tracking (roi)"), ("full", "search (full)"), ("tile", "search (tile)")):
        if f"ballcam_{mode}_mean_us" in p:
            print(f"  ballcam {what} frames: {p[f'ballcam_{mode}_frames']}, mean {p[f'ballcam_{mode}_mean_us']:.0f} us;"
                  f" naive/ballcam {p[f'naive_over_ballcam_{mode}_mean']:.2f}x")
    pipeline["ballcam_lost_frames_without_search"] = skipped
    result = {"inference": rows, "pipeline": pipeline, "machine": profile["machine"], "cpu": cpu,
              "versions": {"onnxruntime": ort.__version__, "opencv": cv2.__version__, "numpy": np.__version__}}
    (args.out / "compare.json").write_text(json.dumps(result, indent=2))
    print(f"\nwrote {args.out / 'compare.json'}")


if __name__ == "__main__":
    main()
