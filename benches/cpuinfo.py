"""The CPU that produced a benchmark's numbers: its model name and vector instruction sets
(shared by benches/compare/compare.py and benches/opprofile/op_compare.py)."""
from __future__ import annotations

from pathlib import Path

# The instruction sets that decide tract's and onnxruntime's kernels.
CPU_FLAGS = ("avx2", "fma", "avx512f")


def read_cpu() -> tuple[str | None, set[str]]:
    """(model name or None, flags) of the first CPU in /proc/cpuinfo; (None, empty) elsewhere."""
    model, flags = None, set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and model is None:
                model = value.strip()
            elif key.strip() == "flags" and not flags:
                flags = set(value.split())
    except OSError:
        pass
    return model, flags
