"""Child process: one extraction, then the process's peak RSS (VmHWM) as JSON on stdout.

`python -m bench.peak_rss ours|obvious PATH`. A fresh interpreter per measurement, so one image's
peak does not hide another's. `baseline` is the peak after the imports and reading the file, before
any decoding: Lambda's "Max Memory Used" is the whole process, so both are reported.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path


def vm_hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def main(implementation: str, path: str) -> None:
    if implementation == "ours":
        from imagemeta import extract as run
    else:
        from bench.obvious import obvious_metadata as run
    data = Path(path).read_bytes()
    baseline = vm_hwm_mb()
    run(data)
    print(json.dumps({"baseline_mb": baseline, "peak_mb": vm_hwm_mb()}))


if __name__ == "__main__":
    main(*sys.argv[1:])
