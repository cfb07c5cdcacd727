"""Issue 23's hostile classes (tests/hostile.py) at full size, each through the ingest's call in a fresh
interpreter: peak RSS, CPU and wall time until the answer (a 413 naming the bound, for every class)."""
from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

from tests.hostile import CLASSES

from .inputs import GENERATED
from .report import table
from .timing import child_cpu_seconds

HOSTILE = GENERATED / "hostile"
# extract_with_embedded (the ingest's and the upload's call), then the process's own peak (VmHWM).
_CHILD = ("import sys; from imagemeta import ImageMetaError, extract_with_embedded\n"
          "try:\n    extract_with_embedded(sys.argv[1]); print('ok')\n"
          "except ImageMetaError as error:\n    print(type(error).__name__ + ': ' + error.message)\n"
          "print(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')), file=sys.stderr)")


def hostile_files() -> list[tuple[str, Path]]:
    """Each class's full-size file, written once into .local/bench-inputs/hostile/."""
    HOSTILE.mkdir(parents=True, exist_ok=True)
    files = []
    for index, (label, make) in enumerate(CLASSES):
        path = HOSTILE / f"{index:02d}-{re.sub(r'[^a-z0-9]+', '-', label.lower()).strip('-')[:60]}"
        if not path.exists():
            path.write_bytes(make())
        files.append((label, path))
    return files


def run(path: Path) -> list[str]:
    """Peak RSS (MB), CPU and wall seconds (the interpreter's start included) and the answer, as table cells."""
    started, cpu = time.perf_counter(), child_cpu_seconds()
    completed = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True, text=True)
    wall, cpu_seconds = time.perf_counter() - started, child_cpu_seconds() - cpu
    peak = re.search(r"VmHWM:\s+(\d+) kB", completed.stderr)
    answer = completed.stdout.strip() or f"exit {completed.returncode}"
    return [f"{int(peak.group(1)) / 1024:.0f}" if peak else "?", f"{cpu_seconds:.2f}", f"{wall:.2f}", answer]


def hostile_section() -> str:
    rows = [[label, f"{path.stat().st_size / 1e6:.1f}", *run(path)] for label, path in hostile_files()]
    return f"""## Hostile classes (issue 23): what each costs before its refusal

Each class of `tests/hostile.py` at full size (the red team's sizes, or what a 40 MiB file holds) through
`extract_with_embedded` in a fresh interpreter: peak RSS of the whole process, its CPU time (user + system)
and wall time, both with the interpreter's start (about 0.15 s), and the answer. Before the bounds of
docs/limits.md the worst took 2.07 GB (100 zTXt chunks of 7 MB) and 76.9 s (500 XMP packets).

{table(["class", "file MB", "peak RSS MB", "CPU s", "wall s", "answer"], rows)}"""


if __name__ == "__main__":
    print(hostile_section())
