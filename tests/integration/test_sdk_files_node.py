"""The files API on the local stack through the hosted API's npm SDK (@imagekit/nodejs, pinned in
scripts/package.json and installed by `make test`): the issue's "Done when", the same as with the Python SDK.

The script (node/files_sdk.cjs) prints what the SDK answered; expected values are this test's own upload
and the stack's own metadata route.
"""
from __future__ import annotations

import io
import json
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
import requests
from PIL import Image

from ..paths import ROOT
from .local_stack import LocalStack, wait_until

pytestmark = pytest.mark.integration

SCRIPT = Path(__file__).parent / "node" / "files_sdk.cjs"
SDK = ROOT / "scripts" / "node_modules" / "@imagekit" / "nodejs"


def test_the_npm_sdk_uploads_lists_gets_and_deletes(local_stack: LocalStack, tmp_path: Path) -> None:
    assert shutil.which("node"), "node is needed: the npm SDK runs in it"
    assert SDK.is_dir(), "the npm SDK is not installed: `make test` installs it (npm --prefix scripts ci)"
    photo = tmp_path / "photo.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (27, 19), (10, 120, 200)).save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())
    folder = f"/node-{uuid.uuid4().hex[:8]}"

    run = subprocess.run(["node", str(SCRIPT), local_stack.api_url, local_stack.private_key, folder, str(photo)],
                         capture_output=True, text=True, timeout=120)

    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout)
    uploaded = seen["uploaded"]
    assert uploaded["filePath"] == f"{folder}/photo.jpg"
    assert (uploaded["width"], uploaded["height"], uploaded["tags"]) == (27, 19, ["node", "sdk"])
    # What the upload answered is what the stored record answers, as soon as it is there.
    assert seen["stored"] == uploaded["metadata"]
    assert seen["storedSeconds"] < 2
    assert [item["fileId"] for item in seen["listed"]] == [uploaded["fileId"]]
    assert seen["details"]["fileId"] == uploaded["fileId"] and seen["details"]["filePath"] == uploaded["filePath"]
    assert seen["details"]["tags"] == ["node", "sdk"]
    # The File object's url and thumbnail are the distribution's; the thumbnail is the one the upload made, and
    # went with the file.
    assert seen["details"]["url"] == f"{local_stack.delivery_url}{folder}/photo.jpg"
    assert seen["details"]["thumbnail"] == uploaded["thumbnailUrl"]
    gone, _ = wait_until(lambda: requests.get(uploaded["thumbnailUrl"], timeout=10), lambda r: r.status_code == 403)
    assert gone.status_code == 403
    # files.delete, then 404 from files.metadata.get within 2 s.
    assert seen["deleted"] is None
    assert seen["deletedStatus"] == 404
    assert seen["deleteSeconds"] < 2
