"""The local stack (`python -m infra`) as a session fixture: free ports, a temp state dir, stopped with SIGINT."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from infra.ports import free_port, free_port_run
from ops.stack import STATE_FILE

from ..paths import ROOT
from .local_stack import ImageServer, LocalStack

STARTUP_SECONDS = 60
# The template's distributions (PublicDelivery, SignedDelivery): one port each, in a run.
DISTRIBUTIONS = 2
STOP_SECONDS = 15


@pytest.fixture(scope="session")
def image_server() -> Iterator[ImageServer]:
    served = ImageServer(port=0)

    class FileHandler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            served.requested.append(self.path.lstrip("/"))
            found = served.files.get(self.path.lstrip("/"))
            if found is None:
                self.send_error(404)
                return
            body, content_type = found
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's signature
            """Quiet: pytest shows the stack's log on failure, which is the one that matters."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), FileHandler)
    served.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield served
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def local_stack(image_server: ImageServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """The stack most integration tests share (one per pytest-xdist worker): each leaves what it made behind
    unless it says otherwise, and none depends on the table holding only its own records."""
    with started_stack(image_server, tmp_path_factory.mktemp("local-stack")) as stack:
        yield stack


@contextmanager
def started_stack(image_server: ImageServer, state_dir: Path) -> Iterator[LocalStack]:
    """`python -m infra` on free ports with its state in state_dir, until SIGINT stops it (asserted clean)."""
    log_path = state_dir / "stack.log"
    api_port, aws_port = free_port(), free_port()
    delivery_port = free_port_run(DISTRIBUTIONS)
    state_file = state_dir / STATE_FILE.format(api_port=api_port, aws_port=aws_port)
    environment = {
        **os.environ,
        "LOCAL_API_PORT": str(api_port),
        "LOCAL_AWS_PORT": str(aws_port),
        "LOCAL_DELIVERY_PORT": str(delivery_port),
        "LOCAL_STATE_DIR": str(state_dir),
    }
    # The URL route may fetch from the image server and from the stack's own S3 and distributions (files' urls,
    # make smoke) only: the image server's port is allowed as a deployment would allow one (the stack adds its
    # own ports itself), and the prefixes keep generated URLs (schemathesis) from ever leaving this machine.
    own = [f"http://127.0.0.1:{port}/" for port in (aws_port, *range(delivery_port, delivery_port + DISTRIBUTIONS))]
    command = [
        sys.executable,
        "-m",
        "infra",
        "--parameter-overrides",
        f"FetchAllowedPorts=80,443,{image_server.port}",
        f"AllowedUrlPrefixes={','.join([image_server.url(''), *own])}",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)

    def log_tail() -> str:
        return log_path.read_text(errors="replace")[-4000:]

    deadline = time.monotonic() + STARTUP_SECONDS
    while not state_file.exists():
        if process.poll() is not None:
            pytest.fail(f"the local stack exited with {process.returncode}:\n{log_tail()}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the local stack wrote no outputs in {STARTUP_SECONDS} s:\n{log_tail()}")
        time.sleep(0.1)
    outputs = json.loads(state_file.read_text())
    yield LocalStack(
        api_url=outputs["apiUrl"],
        aws_endpoint=outputs["awsEndpoint"],
        bucket=outputs["bucket"],
        table=outputs["table"],
        private_key=outputs["privateKey"],
        api_key=outputs["apiKey"],
        public_key=outputs["publicKey"],
        state_file=state_file,
        delivery_url=outputs["deliveryUrl"],
        signed_delivery_url=outputs["signedDeliveryUrl"],
    )
    process.send_signal(signal.SIGINT)
    try:
        returncode = process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail(f"the local stack did not stop within {STOP_SECONDS} s of SIGINT:\n{log_tail()}")
    assert returncode == 0, f"the local stack exited with {returncode} on SIGINT:\n{log_tail()}"
    assert not state_file.exists(), "the local stack left its outputs file behind"


@pytest.fixture(scope="module")
def own_local_stack(image_server: ImageServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """A stack for one module's tests alone, for those that fill the table with hundreds of records: on moto
    every index Query scans the whole table, so on the shared stack they would slow every later search."""
    with started_stack(image_server, tmp_path_factory.mktemp("own-local-stack")) as stack:
        yield stack
