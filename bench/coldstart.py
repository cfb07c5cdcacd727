"""Cold start: Lambda's init of each function, as near as this machine gets: its handler module imported and
the handler built (settings read, clients made) by a clean interpreter inside the function's own artifact.

The artifact is the one `sam build` makes (functions/Makefile), built for this machine's interpreter by the
same recipe (bench.artifacts.build_for_host): the packages the function ships and nothing else, its bytecode
compiled. The interpreter sees the standard library and the artifact only (-I -S: no site-packages, no PYTHON*
variables), as /var/task is on Lambda, and writes no bytecode (-B: /var/task is read-only), so what the
artifact does not ship is compiled at every start, as on Lambda.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .artifacts import build_for_host
from .inputs import ROOT
from .lambdas import LambdaFunction
from .timing import child_cpu_seconds

RUNS = 9
# -X importtime, which the largest imports come from, slows every import down (it writes a line for each): its
# runs are separate from the timed ones.
IMPORTTIME_RUNS = 3
PROJECT_PACKAGES = {"handlers", "service", "library", "imagemeta"}
TOP_MODULES = 3
# What Lambda's environment adds to the function's variables: the credentials the clients are made with.
LAMBDA_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_SESSION_TOKEN": "bench"}
# The issue's targets: the URL route's caller waits for its cold start, the others' mostly do not.
URL_MODULE = "handlers.metadata_url"
URL_IMPORT_MS_TARGET = 350
IMPORT_MS_TARGET = 600


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

    @property
    def target_ms(self) -> int:
        return URL_IMPORT_MS_TARGET if self.function.module == URL_MODULE else IMPORT_MS_TARGET

    @property
    def margin_ms(self) -> float:
        """How far under its target (negative: over)."""
        return self.target_ms - self.import_ms


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


def import_once(function: LambdaFunction, artifact: Path, importtime: bool = False) -> tuple[str, float, float]:
    """Standard error (-X importtime's lines when asked for), the ms `from handlers.X import handler` took, and the
    process's CPU ms."""
    env = {**function.environment, **LAMBDA_CREDENTIALS, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb)}
    code = (
        f"import sys, time; sys.path.insert(0, {str(artifact)!r}); started = time.perf_counter()\n"
        f"from {function.module} import handler\n"
        "print((time.perf_counter() - started) * 1000)"
    )
    cpu = child_cpu_seconds()
    completed = subprocess.run(
        [sys.executable, "-I", "-S", "-B", *(["-X", "importtime"] if importtime else []), "-c", code],
        env=env, cwd=artifact, check=True, capture_output=True, text=True,
    )
    return completed.stderr, float(completed.stdout.split()[-1]), (child_cpu_seconds() - cpu) * 1000


def measure_cold_start(function: LambdaFunction) -> ColdStart:
    artifact = build_for_host(function.logical_id)
    import_once(function, artifact)  # the first run fills the page cache; Lambda's package is warm on disk too
    totals, cpus = [], []
    per_module: dict[str, list[float]] = defaultdict(list)
    for _ in range(RUNS):
        _, start_ms, cpu_ms = import_once(function, artifact)
        totals.append(start_ms)
        cpus.append(cpu_ms)
    for _ in range(IMPORTTIME_RUNS):
        stderr, _, _ = import_once(function, artifact, importtime=True)
        for name, ms in dependency_imports(parse_importtime(stderr)).items():
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
