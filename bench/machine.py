"""The machine and software a run measured on, for the report's header."""
from __future__ import annotations

import datetime
import os
import platform
import subprocess
from pathlib import Path

import numpy
import PIL
import pillow_heif
from PIL import features

from .inputs import ROOT


def _first_line(path: str, prefix: str) -> str:
    for line in Path(path).read_text().splitlines():
        if line.startswith(prefix):
            return line.split(":", 1)[1].strip() if ":" in line else line.split("=", 1)[1].strip('"')
    return "unknown"


def _command_output(argv: list[str]) -> str:
    try:
        completed = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT)
    except FileNotFoundError:
        return "not installed"
    return (completed.stdout + completed.stderr).strip().splitlines()[0]


def load_average() -> str:
    """1, 5 and 15 minutes."""
    return " ".join(f"{load:.2f}" for load in os.getloadavg())


def machine_facts(djpeg: str | None) -> list[tuple[str, str]]:
    mem_kb = int(_first_line("/proc/meminfo", "MemTotal").split()[0])
    revision = _command_output(["git", "rev-parse", "--short", "HEAD"])
    dirty = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True, cwd=ROOT).stdout
    return [
        ("date (UTC)", datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M")),
        ("CPU", f"{_first_line('/proc/cpuinfo', 'model name')}, {os.cpu_count()} cores ({platform.machine()})"),
        ("memory", f"{mem_kb / 1024 / 1024:.0f} GiB"),
        ("load average at start", load_average()),
        ("OS", f"{_first_line('/etc/os-release', 'PRETTY_NAME=')}, Linux {platform.release()}"),
        ("Python", platform.python_version()),
        ("Pillow", f"{PIL.__version__} (libjpeg-turbo {features.version('libjpeg_turbo')}, "
                   f"libwebp {features.version('webp')})"),
        ("pillow-heif", f"{pillow_heif.__version__} (libheif {pillow_heif.libheif_info()['libheif']})"),
        ("numpy", numpy.__version__),
        ("djpeg", _command_output([djpeg, "-version"]) if djpeg else "not installed"),
        ("tree", f"{revision}{' with uncommitted changes' if dirty.strip() else ''}"),
    ]
