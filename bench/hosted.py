"""The hosted API's engine on the same files: sharp + sharp-phash + node-exif (scripts/bench_sharp.js), when node is here.

One node process serves the whole run, so its runs can be interleaved with ours one at a time.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from .inputs import ROOT

SCRIPTS = ROOT / "scripts"


class HostedEngine:
    """A node process running the hosted engine once per file named; None of it without node."""

    def __init__(self) -> None:
        subprocess.run(["npm", "--prefix", str(SCRIPTS), "install", "--no-audit", "--no-fund", "--silent"], check=True)
        self._node = subprocess.Popen(["node", str(SCRIPTS / "bench_sharp.js")], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, text=True, bufsize=1)

    @staticmethod
    def available() -> bool:
        return bool(shutil.which("node") and shutil.which("npm"))

    def run(self, path: Path) -> tuple[float, float] | str:
        """(wall, CPU) seconds of one warm run on this file, or sharp's error."""
        assert self._node.stdin is not None and self._node.stdout is not None
        self._node.stdin.write(f"{path}\n")
        answer = json.loads(self._node.stdout.readline())
        if "error" in answer:
            return f"sharp: {answer['error']}"
        return answer["wall_ms"] / 1000, answer["cpu_ms"] / 1000

    def close(self) -> None:
        assert self._node.stdin is not None
        self._node.stdin.close()
        self._node.wait(timeout=30)
