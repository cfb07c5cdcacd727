"""The README's examples run as written, in order, in a fresh copy of the repository after the local stack starts.

The examples under test are the fenced blocks preceded by `<!-- readme-test -->` (invisible on GitHub):
`sh` blocks run in one bash script, `python` blocks with `.venv/bin/python`, in the copy's root, with no
AWS variables from outside (the README's `make env` must provide them). The copy holds the repository's
files as a clone of this working tree would (tracked and new files, nothing ignored), in a temporary
folder with no siblings; it shares this checkout's `.venv` (a link) rather than spending minutes on its
own. The stack is started the way the README's URL recipe asks, `make run PARAMS="FetchAllowedPorts=80,443,8765"`,
on free ports that only its outputs file in `.local/` tells the examples.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.ports import free_port, free_port_run
from ops.stack import STATE_FILE

from ..paths import ROOT

pytestmark = pytest.mark.integration

MARKER = "<!-- readme-test -->"
BLOCK = re.compile(re.escape(MARKER) + r"\n```(sh|python)\n(.*?)\n```", re.DOTALL)
STARTUP_SECONDS = 90
EXAMPLES_SECONDS = 300
# The README's recipe for serving files of your own to the URL route.
RECIPE_PORT = 8765
# Make's stamp of an installed .venv: the copy's dependency files must not look newer than it.
STAMP = ".venv/.installed"
DEPENDENCY_FILES = ("requirements.txt", "requirements-dev.txt", "pyproject.toml")


def readme_examples(readme: str) -> list[tuple[str, str]]:
    """The marked blocks, in order, as (language, code)."""
    return BLOCK.findall(readme)


def example_script(examples: list[tuple[str, str]]) -> str:
    """One bash script running them in order; any failing command or HTTP answer of 400 or more stops it."""
    lines = [
        "set -euo pipefail",
        # The examples' curl shows bodies as the README does; here an error answer also fails the script
        # (curl refuses --fail-with-body beside an example's own --fail).
        'curl() { case " $* " in *" -sf "* | *" -f "*) command curl "$@" ;; *) command curl --fail-with-body "$@" ;; esac; }',
    ]
    for language, code in examples:
        lines.append(code if language == "sh" else f".venv/bin/python - <<'PYTHON'\n{code}\nPYTHON")
    return "\n".join(lines) + "\n"


def fresh_copy(destination: Path) -> Path:
    """The repository's files as a clone of this working tree would hold them, in an empty folder."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():  # a tracked file deleted in the working tree is not in the copy
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    venv = Path(sys.executable).parent.parent
    (destination / ".venv").symlink_to(venv, target_is_directory=True)
    installed = (venv / ".installed").stat().st_mtime
    for name in DEPENDENCY_FILES:
        os.utime(destination / name, (installed - 1, installed - 1))
    return destination


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def clean_environment() -> dict[str, str]:
    """A user's shell: no AWS settings, local-stack overrides or make variables from the test run."""
    inherited = ("AWS_", "LOCAL_", "MAKE", "MFLAGS")
    return {name: value for name, value in os.environ.items() if not name.startswith(inherited)}


@pytest.fixture(scope="module")
def copy_with_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh copy with `make run PARAMS=...` running in it, stopped with Ctrl-C (SIGINT) at the end."""
    if not port_is_free(RECIPE_PORT):
        pytest.fail(f"port {RECIPE_PORT}, which the README's URL recipe serves files on, is in use")
    copy = fresh_copy(tmp_path_factory.mktemp("fresh") / "imagemeta")
    log_path = copy.parent / "make-run.log"
    api_port, aws_port = free_port(), free_port()
    environment = {**clean_environment(), "LOCAL_API_PORT": str(api_port), "LOCAL_AWS_PORT": str(aws_port),
                   "LOCAL_DELIVERY_PORT": str(free_port_run(2))}
    command = ["make", "run", f"PARAMS=FetchAllowedPorts=80,443,{RECIPE_PORT}"]
    with log_path.open("wb") as log:
        # Its own process group: SIGINT reaches make and the stack as Ctrl-C in a terminal would.
        process = subprocess.Popen(command, cwd=copy, env=environment, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    state = copy / ".local" / STATE_FILE.format(api_port=api_port, aws_port=aws_port)
    deadline = time.monotonic() + STARTUP_SECONDS
    while not state.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"make run did not start the stack:\n{log_path.read_text(errors='replace')[-4000:]}")
        time.sleep(0.2)
    yield copy
    os.killpg(process.pid, signal.SIGINT)
    # make passes Ctrl-C on and then dies of it; the stack must have stopped cleanly and removed its outputs.
    assert process.wait(timeout=30) in (0, -signal.SIGINT, 2), log_path.read_text(errors="replace")[-4000:]
    assert not state.exists(), log_path.read_text(errors="replace")[-4000:]


def test_the_readme_marks_the_examples_a_new_user_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    examples = readme_examples(readme)
    assert readme.count(MARKER) == len(examples), "a marker not followed by an sh or python block"
    code = "\n".join(code for _, code in examples)
    for step in ("make env", "aws s3 cp", "make invoke", "make smoke", "make keys", "make backfill", "imagekitio"):
        assert step in code, step


@pytest.mark.timeout(EXAMPLES_SECONDS + 60)
def test_the_readme_s_examples_run_as_written_in_a_fresh_copy(copy_with_stack: Path) -> None:
    examples = readme_examples((copy_with_stack / "README.md").read_text(encoding="utf-8"))

    done = subprocess.run(
        ["bash", "-c", example_script(examples)],
        cwd=copy_with_stack,
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=EXAMPLES_SECONDS,
    )

    assert done.returncode == 0, f"stdout:\n{done.stdout[-6000:]}\nstderr:\n{done.stderr[-6000:]}"
    # The lookups answered the test image's metadata, and the SDK's smoke check passed every step.
    assert '"pHash": "a56a1332cf90e299"' in done.stdout
    assert "ok   wrong key" in done.stdout
