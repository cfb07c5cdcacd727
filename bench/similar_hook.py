"""The near-duplicate search benchmark's section.

The hook: `python -m bench.similar` prints a Markdown section (a `##` heading and its table) on
stdout; `make bench` prints it and adds it to docs/benchmarks.md after the others.
"""
from __future__ import annotations

import subprocess
import sys

from .inputs import ROOT


def similar_section() -> str:
    """bench/similar.py's Markdown, run in its own process (it builds 20,000 records in moto)."""
    completed = subprocess.run([sys.executable, "-m", "bench.similar"], cwd=ROOT, capture_output=True, text=True)
    if completed.returncode != 0:
        reason = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        return f"## Near-duplicate search\n\nNot measured: `python -m bench.similar` failed: {reason}\n"
    return completed.stdout.strip() + "\n"
