"""The Lambda artifacts: a real `sam build` (aarch64, CPython 3.12), and each function's handler imported in its
own artifact by a clean interpreter, the way Lambda's init would, so a package imported but not shipped, or
shipped but never imported, fails here.

The aarch64 artifacts cannot run on this machine, so the same recipe (functions/Makefile, with TARGET and
WHEEL_DIR overridden) also builds them for the interpreter running the tests, and a test checks that both
builds ship the same distributions at the same versions.
"""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from imagemeta.avif import LIBAVIF_SONAME
from infra.functions import template_environment
from tests.local_template import local_template
from tests.paths import ROOT

# The tools tier; and a time limit for builds, not the suite's 120 s: on a clean checkout the first builds
# download every wheel of requirements.txt (twice: aarch64 and this machine), each pip run given 600 s.
pytestmark = [pytest.mark.tools, pytest.mark.timeout(900)]

BIN = Path(sys.executable).parent
TOOL_ENV = {**os.environ, "SAM_CLI_TELEMETRY": "0", "AWS_DEFAULT_REGION": "us-east-1", "PYTHON": sys.executable}
FUNCTIONS = {function.name: function for function in local_template().functions}
IMAGING = {"PIL", "pillow_heif", "pyvips", "numpy"}
AWS_SDK = {"boto3", "botocore"}
LAMBDA_UNPACKED_LIMIT = 250 * 2**20
# What the probe's interpreter gets besides the function's variables: Lambda's region and credentials variables.
LAMBDA_ENVIRONMENT = {"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "probe",
                      "AWS_SECRET_ACCESS_KEY": "probe", "AWS_SESSION_TOKEN": "probe"}


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=TOOL_ENV, capture_output=True, text=True, timeout=600)


def _elf_machine(path: Path) -> tuple[int, int]:
    """(ELF class, e_machine) of a shared object: (2, 183) is 64-bit AArch64."""
    header = path.read_bytes()[:20]
    assert header[:4] == b"\x7fELF", path
    return header[4], int.from_bytes(header[18:20], "little")


def distributions(artifact: Path) -> dict[str, tuple[str, bool, set[str]]]:
    """Each installed distribution: (version, whether it was asked for by name, the top-level modules it installed)."""
    found = {}
    for info in artifact.glob("*.dist-info"):
        name, version = info.name.removesuffix(".dist-info").rsplit("-", 1)
        tops = set()
        for line in (info / "RECORD").read_text().splitlines():
            top = line.split(",")[0].split("/")[0]
            if not top.endswith((".dist-info", ".libs")) and top not in ("..", "bin", "__pycache__"):
                tops.add(top.split(".")[0])  # six.py, _libvips.abi3.so, PIL
        found[name.lower().replace("_", "-")] = (version, (info / "REQUESTED").exists(), tops)
    return found


def unpacked_size(artifact: Path) -> int:
    return sum(path.stat().st_size for path in artifact.rglob("*") if path.is_file())


@pytest.fixture(scope="module")
def sam_build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sam-build")
    result = _run(str(BIN / "sam"), "build", "--template", str(ROOT / "template.yaml"), "--build-dir", str(out))
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return out


@pytest.fixture(scope="module")
def host_build(tmp_path_factory) -> Path:
    """Every function's artifact for this interpreter and machine, by functions/Makefile's own recipe."""
    out = tmp_path_factory.mktemp("host-build")
    wheels = ROOT / ".aws-sam" / f"wheels-{sys.implementation.cache_tag}-{platform.machine()}"
    for name in FUNCTIONS:
        result = _run("make", "-s", "-f", "functions/Makefile", f"build-{name}", f"ARTIFACTS_DIR={out / name}",
                      "TARGET=--only-binary=:all:", f"WHEEL_DIR={wheels}", f"PYTHON={sys.executable}")
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return out


def probe(artifact: Path, function_name: str) -> dict:
    """tests/artifact_probe.py in a clean interpreter: the handler's init and deferred imports inside the artifact."""
    function = FUNCTIONS[function_name]
    module = (function.handler or "").rsplit(".", 1)[0]
    environment = {**template_environment(function), **LAMBDA_ENVIRONMENT,
                   "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory)}
    done = subprocess.run([sys.executable, "-I", "-S", str(ROOT / "tests" / "artifact_probe.py"), str(artifact), module],
                          env=environment, capture_output=True, text=True, timeout=120, cwd=artifact)
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.parametrize("function", FUNCTIONS)
def test_each_handler_imports_in_its_own_artifact_and_uses_everything_it_ships(host_build: Path, function: str):
    artifact = host_build / function
    found = probe(artifact, function)
    assert found["failed"] == [], "imported but not shipped"
    assert found["outside"] == [], "the probe's interpreter saw packages from outside the artifact"
    requested = {name: tops for name, (_, asked, tops) in distributions(artifact).items() if asked}
    unused = sorted(name for name, tops in requested.items() if not tops & set(found["loaded"]))
    assert unused == [], "shipped but never imported"


def test_the_record_functions_ship_no_imaging_library_and_the_url_function_no_aws_sdk(host_build: Path):
    for function in ("AuthorizerFunction", "BackfillFunction", "FilesFunction", "FileDeleteFunction"):
        shipped = set().union(*(tops for _, _, tops in distributions(host_build / function).values()))
        assert shipped and not shipped & IMAGING, function
    url_shipped = set().union(*(tops for _, _, tops in distributions(host_build / "MetadataUrlFunction").values()))
    assert url_shipped >= IMAGING and not url_shipped & AWS_SDK
    page_shipped = set().union(*(tops for _, _, tops in distributions(host_build / "PageFunction").values()))
    assert "aws_lambda_powertools" in page_shipped and not page_shipped & (IMAGING | AWS_SDK)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_sam_build_ships_what_the_probed_build_ships_for_aarch64_cpython_312(sam_build: Path, host_build: Path,
                                                                               function: str):
    artifact = sam_build / function
    shipped = {name: version for name, (version, _, _) in distributions(artifact).items()}
    assert shipped == {name: version for name, (version, _, _) in distributions(host_build / function).items()}
    for package in ("imagemeta", "service", "service/api", "service/ingest", "service/storage", "service/auth", "handlers"):
        assert (artifact / package / "__init__.py").is_file(), package
    assert (artifact / (FUNCTIONS[function].handler or "").rsplit(".", 1)[0].replace(".", "/")).with_suffix(".py").is_file()
    for unwanted in ("tests", "events", "infra", "ops", "bench", "scripts", "docs", "template.yaml", "Makefile", "bin"):
        assert not (artifact / unwanted).exists(), unwanted
    # The page's files go with the page's function only.
    assert (artifact / "web" / "index.html").is_file() == (function == "PageFunction")
    assert not list(artifact.glob("*.egg-info")) and not list(artifact.glob("imagemeta/**/__pycache__"))
    if "PIL" in set().union(*(tops for _, _, tops in distributions(artifact).values())):
        # avif.py decodes AVIF's planes with the libavif of Pillow's wheel, declaring its 1.x ABI.
        assert list((artifact / "pillow.libs").glob(f"libavif*.so.{LIBAVIF_SONAME}*")), function
    extensions = list(artifact.rglob("*.so"))
    for so in extensions:
        assert _elf_machine(so) == (2, 183), so
    # Extension modules built for CPython 3.12, not for the interpreter running the build.
    assert all("cpython-312-aarch64-linux-gnu" in so.name for so in extensions if ".cpython-" in so.name)
    assert unpacked_size(artifact) < LAMBDA_UNPACKED_LIMIT
