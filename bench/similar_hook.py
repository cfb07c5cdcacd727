"""The sections benchmarks print in processes of their own: near-duplicate search, listing a large folder.

The hook: `python -m bench.<module>` prints a Markdown section (a `##` heading and its tables) on stdout;
`make bench` prints it and adds it to docs/benchmarks.md after the others.
"""
from __future__ import annotations

import os
import subprocess
import sys

from .inputs import ROOT


def module_section(module: str, heading: str) -> str:
    """`python -m bench.<module>`'s Markdown, or a section saying why it is missing."""
    # The benchmarks run moto in process: an endpoint an earlier section set would lead boto3 away from it.
    environment = {name: value for name, value in os.environ.items() if not name.startswith("AWS_ENDPOINT_URL")}
    completed = subprocess.run([sys.executable, "-m", f"bench.{module}"], cwd=ROOT, capture_output=True, text=True,
                               env=environment)
    if completed.returncode != 0:
        reason = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        return f"## {heading}\n\nNot measured: `python -m bench.{module}` failed: {reason}\n"
    return completed.stdout.strip() + "\n"


def similar_section() -> str:
    """bench/similar.py's Markdown (it builds 20,000 records in moto)."""
    return module_section("similar", "Near-duplicate search")


def listing_section() -> str:
    """bench/listing.py's Markdown (a folder of 100,000 records in moto)."""
    return module_section("listing", "Listing a folder of 100,000 files")
