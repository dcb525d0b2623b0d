#!/usr/bin/env python3
"""Instructions per frame of each engine frame class, counted by callgrind, against a baseline.

Wall-clock timings move with the machine's load; instruction counts do not: the same binary on
the same input executes the same instructions. Each frame class (core/examples/icount.rs) runs
in its own process under `valgrind --tool=callgrind`, which collects only the measured frames
(`--collect-atstart=no --toggle-collect='*icount_measured_frame*'`: model loading and warm-up
are not counted). The table gives instructions per frame (Ir) and the change against the
committed baseline, benches/icount/baseline.json.

Usage (from the repository root, after `cargo build --release --workspace --all-targets`):
    python3 benches/icount/icount.py                 # table against the baseline
    python3 benches/icount/icount.py --check         # exit 1 when a class is >3% above it
    python3 benches/icount/icount.py --write-baseline
    python3 benches/icount/icount.py --classes roi,tracking-frame

Counts depend on the binary (rustc, tract, the project's code) and on the instruction sets
valgrind emulates, not on the load. Valgrind does not emulate AVX-512, so tract runs its
256-bit AVX2+FMA kernels under it: the same ones the engine picks on single-FMA AVX-512 cores
(core/src/kernels.rs) and on AVX2 CPUs. Valgrind's CPUID also names an Intel CPU ("GenuineIntel"),
which would have tract choose among those kernels with its Intel cost model; the benchmark sets
`TRACT_X86_KIND` (default `generic`: tract's tile-fit picker, the CLI's choice on AMD cores with
AVX-512 and one 512-bit FMA unit) so that the counts are of a known kernel choice on any host.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BASELINE = Path(__file__).resolve().parent / "baseline.json"
# A class this many percent above its baseline fails `--check`.
DEFAULT_THRESHOLD_PCT = 3.0
# Measured frames per class: the engine classes vary frame to frame (the ring played back and
# forth), the detector and conversion classes repeat exactly.
FRAMES = {
    "tracking-frame": 16,
    "search-frame": 4,
    "roi": 3,
    "roi-small": 3,
    "tile": 3,
    "full": 3,
    "convert-full": 5,
    "convert-roi": 10,
}
# The callgrind pattern of the marker function (core/examples/icount.rs).
TOGGLE = "*icount_measured_frame*"
# tract's x86 kernel cost model under valgrind (see the module docs).
DEFAULT_X86_KIND = "generic"
# Classes that must run the detector mode given (otherwise the count is of another workload).
EXPECTED_MODE = {"tracking-frame": "Roi"}


def default_binary() -> Path:
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return target / "release" / "examples" / "icount"


def model_sha256(path: str) -> str:
    """sha256 of a repository file, lower-case hex."""
    import hashlib
    return hashlib.sha256((Path(__file__).resolve().parents[2] / path).read_bytes()).hexdigest()


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform
    return platform.processor() or platform.machine()


def cpu_flags() -> list[str]:
    """The CPU's vector instruction sets of interest (from /proc/cpuinfo)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return []
    flags = set()
    for line in text.splitlines():
        if line.startswith("flags"):
            flags.update(line.split(":", 1)[1].split())
            break
    return [f for f in ("avx2", "fma", "avx512f") if f in flags]


def command_version(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def tract_version() -> str:
    lock = (ROOT / "Cargo.lock").read_text()
    m = re.search(r'name = "tract-onnx"\nversion = "([^"]+)"', lock)
    return m.group(1) if m else "unknown"


def git_commit() -> str:
    """The commit measured (`-dirty`: with uncommitted changes on top of it)."""
    return command_version(["git", "-C", str(ROOT), "describe", "--always", "--dirty", "--abbrev=7"])


def collected_ir(out_file: Path) -> int:
    """The collected instructions of a callgrind output file (its `summary:` or `totals:`)."""
    for line in out_file.read_text().splitlines():
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1])
    raise ValueError(f"{out_file}: no summary line")


def measure(binary: Path, frames_dir: Path, work: Path, cls: str, frames: int, x86_kind: str) -> dict:
    out_file = work / f"callgrind.{cls}.out"
    cmd = [
        "valgrind", "--tool=callgrind", "--collect-atstart=no", f"--toggle-collect={TOGGLE}",
        f"--callgrind-out-file={out_file}",
        str(binary), "measure", cls, str(frames_dir), str(frames),
    ]
    env = dict(os.environ, TRACT_X86_KIND=x86_kind)
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        sys.exit(f"{cls}: callgrind run failed ({done.returncode}):\n{done.stderr[-4000:]}")
    line = next((l for l in done.stdout.splitlines() if l.startswith("{")), None)
    if line is None:
        sys.exit(f"{cls}: no result line in:\n{done.stdout}")
    result = json.loads(line)
    ir = collected_ir(out_file)
    result["ir_total"] = ir
    result["ir_per_frame"] = round(ir / frames)
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", type=Path, default=default_binary(), help="the icount example binary")
    ap.add_argument("--baseline", type=Path, default=BASELINE)
    ap.add_argument("--classes", default=",".join(FRAMES), help="comma-separated subset")
    ap.add_argument("--check", action="store_true",
                    help="exit 1 when a class is more than --threshold percent above its baseline")
    ap.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD_PCT, help="percent")
    ap.add_argument("--write-baseline", action="store_true", help="write the counts as the baseline")
    ap.add_argument("--json", type=Path, help="also write the results here")
    ap.add_argument("--x86-kind", default=DEFAULT_X86_KIND,
                    help="TRACT_X86_KIND for the measured processes: generic, intel or amd")
    args = ap.parse_args()

    if not args.bin.exists():
        sys.exit(f"{args.bin} not found: cargo build --release --workspace --all-targets (or pass --bin)")
    if shutil.which("valgrind") is None:
        sys.exit("valgrind not found (apt-get install valgrind)")
    classes = [c for c in args.classes.split(",") if c]
    unknown = [c for c in classes if c not in FRAMES]
    if unknown:
        sys.exit(f"unknown classes {unknown}: one of {list(FRAMES)}")
    baseline = json.loads(args.baseline.read_text()) if args.baseline.exists() else None

    commit = git_commit()  # before measuring: the tree the binary was built from
    results = {}
    with tempfile.TemporaryDirectory(prefix="icount-") as tmp:
        work = Path(tmp)
        # The frames are rendered natively, once: the sim renderer is not what is measured.
        prep = subprocess.run([str(args.bin), "prepare", str(work)], capture_output=True, text=True, check=False)
        if prep.returncode != 0:
            sys.exit(f"icount prepare failed:\n{prep.stderr}")
        print(f"frames: {prep.stdout.strip()}", file=sys.stderr)
        for cls in classes:
            print(f"callgrind: {cls} ({FRAMES[cls]} frames) ...", file=sys.stderr, flush=True)
            results[cls] = measure(args.bin, work, work, cls, FRAMES[cls], args.x86_kind)

    problems = []
    for cls, mode in EXPECTED_MODE.items():
        modes = results.get(cls, {}).get("detail", {})
        if cls in results and set(modes) != {mode}:
            problems.append(f"{cls}: detector modes {modes}, expected only {mode}")

    meta = {
        "cpu": cpu_model(),
        "cpu_flags": cpu_flags(),
        "seen_under_valgrind": next(iter(results.values()))["cpu_features"] if results else {},
        "tract_onnx": tract_version(),
        "rustc": command_version(["rustc", "--version"]),
        "valgrind": command_version(["valgrind", "--version"]),
        "commit": commit,
        "date": datetime.date.today().isoformat(),
        "preset": "phone-30fps",
        # The preset's default `ball` (the general model); a new model changes every detector class.
        "model": "models/ballnet_any.onnx sha256 " + model_sha256("models/ballnet_any.onnx"),
        "frame": "1920x1080 NV21, ballcam-sim Match clip, seed 7",
        "threads": 1,
        "tract_x86_kind": args.x86_kind,
    }
    print(f"\nInstructions per frame (callgrind Ir), {meta['frame']}, preset {meta['preset']}, 1 thread")
    print(f"CPU {meta['cpu']} (flags: {' '.join(meta['cpu_flags'])}; under valgrind: "
          f"{', '.join(k for k, v in meta['seen_under_valgrind'].items() if v)}), tract-onnx {meta['tract_onnx']}, "
          f"TRACT_X86_KIND={meta['tract_x86_kind']}, {meta['rustc']}, {meta['valgrind']}")
    if baseline:
        b = baseline.get("meta", {})
        print(f"baseline: commit {b.get('commit')}, {b.get('date')}, {b.get('cpu')}, tract-onnx {b.get('tract_onnx')}, "
              f"TRACT_X86_KIND={b.get('tract_x86_kind')}, {b.get('rustc')}")
        if b.get("tract_x86_kind") != meta["tract_x86_kind"]:
            print("warning: the baseline was counted with another TRACT_X86_KIND", file=sys.stderr)
    print(f"\n{'class':<15} {'input/modes':<16} {'Ir/frame':>14} {'baseline':>14} {'change':>8}")
    regressions = []
    for cls, r in results.items():
        detail = r["detail"]
        what = detail.get("input") or ",".join(f"{k}:{v}" for k, v in detail.items())
        base = (baseline or {}).get("classes", {}).get(cls, {}).get("ir_per_frame")
        change, flag = "", ""
        if base:
            pct = 100.0 * (r["ir_per_frame"] - base) / base
            change = f"{pct:+.2f}%"
            if pct > args.threshold:
                flag = f"  > +{args.threshold:g}%"
                regressions.append(f"{cls}: {change} ({r['ir_per_frame']} against {base})")
        base_text = f"{base:,}" if base else "-"
        print(f"{cls:<15} {what:<16} {r['ir_per_frame']:>14,} {base_text:>14} {change:>8}{flag}")

    document = {"meta": meta, "classes": {c: {k: r[k] for k in ("ir_per_frame", "frames", "detail")}
                                          for c, r in results.items()}}
    if args.json:
        args.json.write_text(json.dumps(document, indent=2) + "\n")
    if args.write_baseline:
        if problems:
            sys.exit("not writing a baseline: " + "; ".join(problems))
        if baseline and set(results) != set(FRAMES):
            # A partial run updates its classes and keeps the others.
            merged = dict(baseline.get("classes", {}))
            merged.update(document["classes"])
            document["classes"] = {c: merged[c] for c in FRAMES if c in merged}
        args.baseline.write_text(json.dumps(document, indent=2) + "\n")
        print(f"\nwrote {args.baseline}")
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    if regressions:
        print(f"\n{len(regressions)} class(es) more than {args.threshold:g}% above the baseline:", file=sys.stderr)
        for r in regressions:
            print(f"  {r}", file=sys.stderr)
    if problems or (args.check and regressions):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
