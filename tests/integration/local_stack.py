"""Helpers of the integration tests: the running stack's outputs and clients, an image server, polling."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import requests

from ..paths import ROOT


@dataclass
class ImageServer:
    """Serves test images from loopback, for the remote-URL route; tests add files by name.

    `requested` lists every path asked for: the proof that a request reached the URL function.
    """

    port: int
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    requested: list[str] = field(default_factory=list)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"


@dataclass(frozen=True)
class LocalStack:
    """The running stack's outputs (its outputs file) and clients for it."""

    api_url: str
    aws_endpoint: str
    bucket: str
    table: str
    private_key: str
    api_key: str
    public_key: str
    state_file: Path
    delivery_url: str = ""
    signed_delivery_url: str = ""

    def get(self, path: str, params: dict[str, str] | None = None, **request: Any) -> requests.Response:
        """GET an API path with the stack's private key as HTTP Basic user name, unless `auth`/`headers` say otherwise."""
        request.setdefault("auth", (self.private_key, ""))
        return requests.get(self.api_url + path, params=params, timeout=30, **request)

    def post(self, path: str, **request: Any) -> requests.Response:
        """POST to an API path with the stack's private key, as `get` does."""
        request.setdefault("auth", (self.private_key, ""))
        return requests.post(self.api_url + path, timeout=30, **request)

    def command(self, module: str, *arguments: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        """One of the repository's commands (`python -m <module> --local <outputs file>`) run on this stack."""
        return subprocess.run(
            [sys.executable, "-m", module, "--local", str(self.state_file), *arguments],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def keys(self, *arguments: str) -> str:
        """Run the key-management command against this stack, as an operator would; its standard output."""
        done = self.command("ops.keys", *arguments, timeout=60)
        done.check_returncode()
        return done.stdout

    def s3(self) -> Any:
        """An ordinary S3 client pointed at the stack's moto server."""
        return self.client("s3")

    def client(self, service: str) -> Any:
        """An ordinary client of one service, pointed at the stack's moto server."""
        return boto3.client(
            service,
            endpoint_url=self.aws_endpoint,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )

    def output(self, name: str) -> str:
        """One output of the outputs file (ingestQueueUrl, deadLetterQueueUrl, ...)."""
        return str(json.loads(self.state_file.read_text(encoding="utf-8"))[name])

    @contextmanager
    def notifications_to(self, queue_arn: str | None) -> Iterator[None]:
        """Within the block, the bucket notifies another queue (or, with None, none); then as deployed."""
        s3 = self.s3()
        deployed = s3.get_bucket_notification_configuration(Bucket=self.bucket)
        deployed.pop("ResponseMetadata", None)
        redirected = [{**c, "QueueArn": queue_arn} for c in deployed["QueueConfigurations"]] if queue_arn else []
        s3.put_bucket_notification_configuration(
            Bucket=self.bucket, NotificationConfiguration={"QueueConfigurations": redirected}
        )
        try:
            yield
        finally:
            s3.put_bucket_notification_configuration(Bucket=self.bucket, NotificationConfiguration=deployed)

    def log(self) -> str:
        """Everything the stack has written so far (its standard output and error)."""
        return (self.state_file.parent / "stack.log").read_text(encoding="utf-8", errors="replace")

    def log_entries(self, message: str) -> list[dict[str, Any]]:
        """The functions' JSON log entries (Powertools) with this message, from the stack's log."""
        # One entry a line; the stack's own pretty-printed outputs open with a bare "{".
        entries = (log_entry(line) for line in self.log().splitlines() if line.startswith('{"'))
        return [entry for entry in entries if entry is not None and entry.get("message") == message]


def log_entry(line: str) -> dict[str, Any] | None:
    """A log line's entry; None for one cut short (the stack's threads write the log at once, and a line may be
    half written when it is read)."""
    try:
        entry: dict[str, Any] = json.loads(line)
    except json.JSONDecodeError:
        return None
    return entry


def wait_until(
    probe: Callable[[], requests.Response], done: Callable[[requests.Response], bool], seconds: float = 5.0
) -> tuple[requests.Response, float]:
    """Poll until `done` holds or `seconds` pass: the last answer and the seconds it took."""
    started = time.monotonic()
    while True:
        response = probe()
        elapsed = time.monotonic() - started
        if done(response) or elapsed > seconds:
            return response, elapsed
        time.sleep(0.05)
