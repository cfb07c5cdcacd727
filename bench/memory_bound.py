"""Issue 15's memory bound: the CLI on every test image and every generated extreme shape, each in a
fresh process: peak RSS under 1 GB and time under 3 s, with the model's prediction beside it."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from imagemeta.containers import walk
from imagemeta.errors import ImageMetaError
from imagemeta.limits import DEFAULT_MAX_DECODE_BYTES, MAX_DECODE_SECONDS
from imagemeta.probe import probe

from .extremes import extreme_inputs
from .inputs import GENERATED, TEST_IMAGES
from .report import table
from .timing import child_cpu_seconds

PEAK_MB_TARGET = 1024
SECONDS_TARGET = 3.0
EXTREMES = GENERATED / "extremes"
# The CLI, then its own peak (VmHWM of the exec'd process: a fork's rusage can carry the parent's peak).
_CLI = ("import sys; from imagemeta.cli import main; code = main(sys.argv[1:]); "
        "print(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')), file=sys.stderr); sys.exit(code)")


@dataclass(frozen=True)
class BoundRun:
    label: str
    peak_mb: float
    seconds: float  # wall time: other load on the machine inflates it
    cpu_seconds: float  # the process's user + system time: what the input itself costs
    outcome: str
    predicted: str  # the model's MB and seconds, or why there is none

    @property
    def within(self) -> bool:
        return self.peak_mb < PEAK_MB_TARGET and self.cpu_seconds < SECONDS_TARGET

    def row(self) -> list[str]:
        return [self.label, f"{self.peak_mb:.0f}", f"{self.cpu_seconds:.2f}", f"{self.seconds:.2f}", self.outcome,
                self.predicted]


def run_cli(path: Path) -> tuple[float, float, float, str]:
    """Peak RSS (MB), wall and CPU seconds of `imagemeta PATH` in a fresh interpreter, and what it answered."""
    started, cpu = time.perf_counter(), child_cpu_seconds()
    completed = subprocess.run([sys.executable, "-c", _CLI, str(path)], capture_output=True, text=True)
    seconds, cpu_seconds = time.perf_counter() - started, child_cpu_seconds() - cpu
    peak = re.search(r"VmHWM:\s+(\d+) kB", completed.stderr)
    try:
        body = json.loads(completed.stdout)
        outcome = body["format"] if "format" in body else body["message"][:60]
    except (ValueError, KeyError):
        outcome = f"exit {completed.returncode}"
    return (int(peak.group(1)) / 1024 if peak else float("inf")), seconds, cpu_seconds, outcome


def predicted(path: Path) -> str:
    try:
        data = path.read_bytes()
        layout = probe(data, walk(data)).layout
    except (ImageMetaError, Exception):  # noqa: BLE001 - unreadable: the CLI's answer says why
        return "—"
    return f"{layout.memory_bytes() / 2**20:,.0f} MB, {layout.seconds():.2f} s"


def extreme_files() -> list[tuple[str, Path]]:
    """The generated inputs, written once into .local/bench-inputs/extremes/."""
    EXTREMES.mkdir(parents=True, exist_ok=True)
    files = []
    for index, (label, make) in enumerate(extreme_inputs()):
        path = EXTREMES / f"{index:02d}-{re.sub(r'[^a-z0-9]+', '-', label.lower()).strip('-')[:60]}"
        if not path.exists():
            path.write_bytes(make())
        files.append((label, path))
    return files


def measure_bound() -> list[BoundRun]:
    images = sorted(p for p in TEST_IMAGES.rglob("*") if p.is_file() and p.suffix.lower() not in {".md", ".rst", ""})
    inputs = [(str(p.relative_to(TEST_IMAGES)), p) for p in images] + extreme_files()
    return [BoundRun(label, *run_cli(path), predicted(path)) for label, path in inputs]


def bound_section(runs: list[BoundRun]) -> str:
    extremes = runs[-len(list(extreme_inputs())):]
    tests = runs[: len(runs) - len(extremes)]
    worst_memory = max(runs, key=lambda run: run.peak_mb)
    worst_time = max(runs, key=lambda run: run.cpu_seconds)
    over = [run for run in runs if not run.within]
    verdict = "met" if not over else f"**missed** by {len(over)}: " + ", ".join(run.label for run in over)
    rows = [run.row() for run in extremes]
    worst_tests = sorted(tests, key=lambda run: run.peak_mb, reverse=True)[:3]
    test_rows = [run.row() for run in worst_tests]
    header = ["input", "peak RSS MB", "CPU s", "wall s", "answer", "model: memory, time"]
    return f"""## Memory bound: every test image and generated extreme shapes

The `imagemeta` CLI on each input in a fresh interpreter (peak RSS of the whole process; its CPU time,
user + system, and wall time, both including the interpreter's start): {len(tests)} test images and
{len(extremes)} generated extreme shapes (`bench/extremes.py`). Target: every one under {PEAK_MB_TARGET} MB
and {SECONDS_TARGET:.0f} s of CPU time: {verdict}. The wall time is beside it; on a machine other processes
load it is the CPU time stretched by the wait. Worst memory: **{worst_memory.label}**
({worst_memory.peak_mb:.0f} MB, {worst_memory.outcome}); worst time: **{worst_time.label}**
({worst_time.cpu_seconds:.2f} s CPU, {worst_time.seconds:.2f} s wall, {worst_time.outcome}). **model** is
what `imagemeta.budget` predicts from the header above the process's baseline (refused over
{DEFAULT_MAX_DECODE_BYTES // 2**20} MB or {MAX_DECODE_SECONDS} s, answering 413); "The image's shape..."
and "Decoding this image..." are those refusals, "corrupt or invalid" a container walk over its limits.

{table(header, rows)}
The test images with the highest peaks:

{table(header, test_rows)}"""


if __name__ == "__main__":
    print(bound_section(measure_bound()))
