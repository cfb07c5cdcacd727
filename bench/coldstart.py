"""Cold start: importing each handler module and building its handler (as Lambda's init does) in a fresh
interpreter, with the function's environment."""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .inputs import ROOT
from .lambdas import LambdaFunction
from .timing import child_cpu_seconds

RUNS = 5
PROJECT_PACKAGES = {"handlers", "service", "imagemeta"}
TOP_MODULES = 3


@dataclass(frozen=True)
class ImportLine:
    name: str
    depth: int
    cumulative_ms: float


@dataclass(frozen=True)
class ColdStart:
    function: LambdaFunction
    import_ms: float  # median wall time of `from handlers.X import handler`: the imports, settings and clients
    process_cpu_ms: float  # median process time (user + system) of the whole interpreter: start-up, import, exit
    top: list[tuple[str, float]]  # the dependencies that dominate: (module, median cumulative ms)
    runs: int


def parse_importtime(stderr: str) -> list[ImportLine]:
    """`import time: self | cumulative | name` lines; nesting is two spaces of indent per level."""
    lines = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "[us]" in line:
            continue
        _self, cumulative, name = line[len("import time:"):].split("|")
        stripped = name.lstrip(" ")
        lines.append(ImportLine(stripped, (len(name) - len(stripped) - 1) // 2, int(cumulative) / 1000))
    return lines


def dependency_imports(lines: list[ImportLine]) -> dict[str, float]:
    """Cumulative ms of each outside module that the project's own modules import directly.

    importtime prints a module after the modules it imported, so walking backwards every line
    comes after its ancestors; an outside module counts when all its ancestors are the project's.
    """
    found: dict[str, float] = {}
    ancestors: list[ImportLine] = []
    for line in reversed(lines):
        while ancestors and ancestors[-1].depth >= line.depth:
            ancestors.pop()
        outside = line.name.split(".")[0] not in PROJECT_PACKAGES
        if outside and ancestors and all(a.name.split(".")[0] in PROJECT_PACKAGES for a in ancestors):
            found[line.name] = found.get(line.name, 0.0) + line.cumulative_ms
        ancestors.append(line)
    return found


def import_once(function: LambdaFunction) -> tuple[str, float, float]:
    """-X importtime's lines, the ms `from handlers.X import handler` took, and the process's CPU ms."""
    env = {**os.environ, **function.environment}
    code = (
        "import time; started = time.perf_counter()\n"
        f"from {function.module} import handler\n"
        "print((time.perf_counter() - started) * 1000)"
    )
    cpu = child_cpu_seconds()
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        env=env, cwd=ROOT, check=True, capture_output=True, text=True,
    )
    return completed.stderr, float(completed.stdout.split()[-1]), (child_cpu_seconds() - cpu) * 1000


def measure_cold_start(function: LambdaFunction) -> ColdStart:
    import_once(function)  # the first run fills the page cache; Lambda's package is warm on disk too
    totals, cpus = [], []
    per_module: dict[str, list[float]] = defaultdict(list)
    for _ in range(RUNS):
        stderr, start_ms, cpu_ms = import_once(function)
        lines = parse_importtime(stderr)
        totals.append(start_ms)
        cpus.append(cpu_ms)
        for name, ms in dependency_imports(lines).items():
            per_module[name].append(ms)
    medians = {name: statistics.median(values) for name, values in per_module.items()}
    top = sorted(medians.items(), key=lambda item: item[1], reverse=True)[:TOP_MODULES]
    return ColdStart(function, statistics.median(totals), statistics.median(cpus), top, RUNS)


def heif_loading(functions: list[LambdaFunction], jpeg: Path, heic: Path) -> dict[str, bool]:
    """Whether pillow-heif is in sys.modules after the imports, a JPEG and a HEIC (bench.heif_probe)."""
    env = dict(os.environ)
    for function in functions:
        env.update(function.environment)
    completed = subprocess.run([sys.executable, "-m", "bench.heif_probe", str(jpeg), str(heic)],
                               env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])
