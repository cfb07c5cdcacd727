"""Organizing the library on the local stack through the hosted API's npm SDK (@imagekit/nodejs, installed by
`make test`), as test_sdk_organize.py does with the Python SDK: the script (node/organize_sdk.cjs) prints what the
SDK answered, checked here."""
from __future__ import annotations

import io
import json
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from PIL import Image

from .local_stack import LocalStack
from .test_sdk_files_node import SDK

pytestmark = pytest.mark.integration

SCRIPT = Path(__file__).parent / "node" / "organize_sdk.cjs"


def jpeg(path: Path, width: int) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", (width, 9), (width, 40, 90)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def test_the_npm_sdk_copies_moves_renames_versions_and_folders(local_stack: LocalStack, tmp_path: Path) -> None:
    assert shutil.which("node") and SDK.is_dir(), "node and the npm SDK are needed (make test installs the SDK)"
    folder = f"/node-org-{uuid.uuid4().hex[:8]}"
    run = subprocess.run(["node", str(SCRIPT), local_stack.api_url, local_stack.private_key, folder,
                          str(jpeg(tmp_path / "a.jpg", 13)), str(jpeg(tmp_path / "b.jpg", 17))],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout)

    assert [(v["type"], v["versionInfo"]["name"], v["width"]) for v in seen["versions"]] == [
        ("file", "Version 2", 17), ("file-version", "Version 1", 13)]
    assert (seen["kept"]["type"], seen["kept"]["versionInfo"]["id"]) == ("file-version", seen["first"]["versionInfo"]["id"])
    assert seen["deleteCurrent"]["status"] == 400 and seen["deleteCurrent"]["name"] == "BadRequestError"
    assert (seen["restored"]["versionInfo"]["name"], seen["restored"]["width"]) == ("Version 3", 13)
    assert seen["copied"] is None and seen["moved"] is None and seen["deleted"] is None  # 204s
    assert seen["purge"] == {"status": "Completed"} and seen["renamed"]["purgeRequestId"]
    assert seen["taken"]["status"] == 400  # the file's own name
    assert seen["created"] == {} and len(seen["job"]["jobId"]) == 24
    assert seen["jobDone"] == {"jobId": seen["job"]["jobId"], "type": "MOVE_FOLDER", "status": "Completed"}
    assert [f["name"] for f in seen["listed"]] == ["b.jpg"]
    assert [f["name"] for f in seen["folders"]] == ["copies"]
    assert seen["notServed"]["status"] == 501 and seen["notServed"]["name"] == "InternalServerError"
    assert seen["notServed"]["body"]["message"] == "GET /v1/accounts/usage is not supported by this service."
