"""Helpers of the integration tests: the running stack's outputs and clients, an image server, polling."""
from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
import requests


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class ImageServer:
    """Serves test images from loopback, for the remote-URL route; tests add files by name."""

    port: int
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"


@dataclass(frozen=True)
class LocalStack:
    """The running stack's outputs (its stack.json) and clients for it."""

    api_url: str
    aws_endpoint: str
    bucket: str
    table: str
    api_key: str

    def get(self, path: str, params: dict[str, str] | None = None, api_key: str | None = None) -> requests.Response:
        """GET an API path with the stack's API key, or with the one given."""
        return requests.get(
            self.api_url + path,
            params=params,
            headers={"x-api-key": self.api_key if api_key is None else api_key},
            timeout=30,
        )

    def s3(self) -> Any:
        """An ordinary S3 client pointed at the stack's moto server."""
        return boto3.client(
            "s3",
            endpoint_url=self.aws_endpoint,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )


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
