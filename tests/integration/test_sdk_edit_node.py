"""Issue 24's calls through the hosted API's npm SDK (@imagekit/nodejs, installed by `make test`), as with the
Python SDK: custom metadata fields, files.update in both shapes, bulk tags, a typed search, and a client-side
upload signed with the SDK's own helper, sent without the private key. The script is node/edit_sdk.cjs."""
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

SCRIPT = Path(__file__).parent / "node" / "edit_sdk.cjs"


def test_the_npm_sdk_edits_searches_and_uploads_from_a_browser(local_stack: LocalStack, tmp_path: Path) -> None:
    assert shutil.which("node") and SDK.is_dir(), "node and the npm SDK are needed (`make test` installs it)"
    photo = tmp_path / "photo.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (12, 9), (200, 100, 0)).save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())
    suffix = uuid.uuid4().hex[:8]
    folder = f"/node-edit-{suffix}"

    run = subprocess.run(["node", str(SCRIPT), local_stack.api_url, local_stack.private_key, local_stack.public_key,
                          folder, str(photo), suffix], capture_output=True, text=True, timeout=120)

    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout)
    field = seen["price"]["name"]
    assert seen["price"]["schema"] == {"type": "Number", "minValue": 0}
    assert (seen["uploaded"]["customMetadata"], seen["uploaded"]["isPublished"]) == ({field: 12.5}, False)
    assert (seen["updated"]["customMetadata"], seen["updated"]["description"], seen["updated"]["tags"]) == (
        {field: 150}, "From node", None)
    assert seen["published"]["isPublished"] is True
    assert seen["added"] == seen["removed"] == {"successfullyUpdatedFileIds": [seen["uploaded"]["fileId"]]}
    assert [item["fileId"] for item in seen["found"]] == [seen["uploaded"]["fileId"]]
    assert seen["refused"] == [400, "false"]
    assert seen["browser"]["filePath"] == f"{folder}/browser.jpg"
    assert seen["replayed"] == [400, "false"]  # the token was spent: not retried either
    assert seen["listedField"] is True and seen["deleted"] is None
