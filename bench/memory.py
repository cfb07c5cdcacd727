"""Peak resident memory of one extraction, each in a fresh interpreter."""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass

from .inputs import BenchImage


@dataclass(frozen=True)
class PeakMemory:
    """MB: the process peak, and the peak before decoding (interpreter, imports, the file's bytes)."""

    peak_mb: float
    baseline_mb: float


@dataclass(frozen=True)
class MemoryResult:
    image: BenchImage
    ours: PeakMemory
    obvious: PeakMemory


def peak_memory(implementation: str, image: BenchImage) -> PeakMemory:
    completed = subprocess.run(
        [sys.executable, "-m", "bench.peak_rss", implementation, str(image.path)],
        check=True, capture_output=True, text=True,
    )
    return PeakMemory(**json.loads(completed.stdout))


def measure_memory(image: BenchImage) -> MemoryResult:
    return MemoryResult(image, peak_memory("ours", image), peak_memory("obvious", image))
