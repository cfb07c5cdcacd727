"""Each function's Lambda artifact as `sam build` makes it (functions/Makefile, aarch64 CPython 3.12): its size."""
from __future__ import annotations

import io
import platform
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .inputs import ROOT
from .lambdas import template_functions

BUILD_DIR = ROOT / ".aws-sam" / "bench-artifacts"
# The same artifacts for this machine's interpreter (the cold-start measurement runs them).
HOST_BUILD_DIR = ROOT / ".aws-sam" / "bench-host-artifacts"
LAMBDA_UNPACKED_LIMIT_MB = 250


@dataclass(frozen=True)
class Artifact:
    function: str
    memory_mb: int
    unpacked_mb: float
    zipped_mb: float  # deflated, as `sam deploy` uploads it
    ships: list[str]  # the distributions the Makefile names for it (what pip installed them for)


def build(function: str) -> Path:
    """The function's artifact, by the same recipe `sam build` runs."""
    return _make(function, BUILD_DIR / function)


def build_for_host(function: str) -> Path:
    """The function's artifact by the same recipe, for this machine and interpreter (its wheels and bytecode)."""
    wheels = ROOT / ".aws-sam" / f"wheels-{sys.implementation.cache_tag}-{platform.machine()}"
    return _make(function, HOST_BUILD_DIR / function, "TARGET=--only-binary=:all:", f"WHEEL_DIR={wheels}",
                 f"PYC_PYTHON={sys.executable}", f"PYC_VERSION={sys.version_info.major}.{sys.version_info.minor}")


def _make(function: str, out: Path, *overrides: str) -> Path:
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run(["make", "-s", "-f", "functions/Makefile", f"build-{function}", f"ARTIFACTS_DIR={out}",
                    f"PYTHON={sys.executable}", *overrides], cwd=ROOT, check=True)
    return out


def zipped_size(directory: Path) -> int:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(directory))
    return buffer.tell()


def measure_artifacts() -> list[Artifact]:
    artifacts = []
    for function in template_functions():
        out = build(function.logical_id)
        unpacked = sum(path.stat().st_size for path in out.rglob("*") if path.is_file())
        ships = sorted(info.name.removesuffix(".dist-info").replace("-", " ")
                       for info in out.glob("*.dist-info") if (info / "REQUESTED").exists())
        artifacts.append(Artifact(function.logical_id, function.memory_mb, unpacked / 1e6, zipped_size(out) / 1e6, ships))
    return artifacts


def artifacts_section(artifacts: list[Artifact]) -> str:
    from .report import table

    rows = [[a.function, f"{a.memory_mb}", f"{a.unpacked_mb:.1f}", f"{a.zipped_mb:.1f}", ", ".join(a.ships)]
            for a in artifacts]
    return f"""## Artifact sizes

Each function's artifact as `sam build` makes it: `functions/Makefile` installs, for aarch64 CPython 3.12,
only the packages its handler imports (pins from requirements.txt), then our three packages (`imagemeta`,
`service`, `handlers`). **unpacked** counts against Lambda's {LAMBDA_UNPACKED_LIMIT_MB} MB limit; **zipped** is
the deflated archive `sam deploy` uploads. **ships** names the packages asked for (their dependencies come too).

{table(["function", "memory MB", "unpacked MB", "zipped MB", "ships"], rows)}"""
