"""`make smoke` (python -m ops.smoke) against the local stack: the official SDK's end-to-end check passes, and can fail."""
from __future__ import annotations

import subprocess

import pytest

from .local_stack import LocalStack

pytestmark = pytest.mark.integration

STEPS = ["upload", "by id", "by URL", "similar", "wrong key", "delete"]


def smoke(stack: LocalStack, *arguments: str) -> subprocess.CompletedProcess[str]:
    return stack.command("ops.smoke", *arguments)


def uploads_left(stack: LocalStack) -> list[str]:
    listed = stack.s3().list_objects_v2(Bucket=stack.bucket, Prefix="smoke/")
    return [item["Key"] for item in listed.get("Contents", [])]


def test_every_step_passes_with_the_stack_s_key(local_stack: LocalStack) -> None:
    done = smoke(local_stack)

    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"smoke test of imagemeta-local at {local_stack.api_url}"
    assert [line[5:16].strip() for line in lines[1:]] == STEPS
    assert all(line.startswith("ok   ") for line in lines[1:])
    assert uploads_left(local_stack) == []


def test_a_key_the_stack_does_not_know_fails_at_the_upload(local_stack: LocalStack) -> None:
    done = smoke(local_stack, "--key", "private_" + "x" * 43)

    assert done.returncode == 1
    assert done.stdout.splitlines()[-1].startswith("FAIL upload     AuthenticationError: Error code: 401")
    assert uploads_left(local_stack) == []  # the upload is removed whatever happened
