"""The near-duplicate search benchmark's section, when bench/similar.py exists.

The hook: `python -m bench.similar` prints a Markdown section (a `##` heading and its table) on
stdout; `make bench` prints it and adds it to docs/benchmarks.md after the others.
"""
from __future__ import annotations

import subprocess
import sys

from .inputs import ROOT

SIMILAR = ROOT / "bench" / "similar.py"


def similar_section() -> str:
    if not SIMILAR.exists():
        return ("## Near-duplicate search\n\nNot measured: `bench/similar.py` does not exist yet. "
                "When it does, `make bench` runs `python -m bench.similar` and includes the Markdown it prints.\n")
    completed = subprocess.run([sys.executable, "-m", "bench.similar"], cwd=ROOT, capture_output=True, text=True)
    if completed.returncode != 0:
        reason = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        return f"## Near-duplicate search\n\nNot measured: `python -m bench.similar` failed: {reason}\n"
    return completed.stdout.strip() + "\n"
