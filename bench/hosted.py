"""The hosted API's engine on the same files: sharp + sharp-phash + node-exif (scripts/bench_sharp.js), when node is here."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from .inputs import ROOT
from .timing import Timing

SCRIPTS = ROOT / "scripts"


def hosted_timings(paths: list[Path]) -> dict[Path, Timing | str]:
    """Per file: the median timing, or why there is none (no node, sharp's error); {} without node."""
    if not shutil.which("node") or not shutil.which("npm"):
        return {}
    subprocess.run(["npm", "--prefix", str(SCRIPTS), "install", "--no-audit", "--no-fund", "--silent"], check=True)
    completed = subprocess.run(["node", str(SCRIPTS / "bench_sharp.js"), *map(str, paths)],
                               check=True, capture_output=True, text=True)
    results = json.loads(completed.stdout)
    return {Path(name): (Timing(r["wall_ms"] / 1000, r["cpu_ms"] / 1000, r["runs"]) if "error" not in r
                         else f"sharp: {r['error']}") for name, r in results.items()}
