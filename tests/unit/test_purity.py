"""The core stays pure (no AWS SDK, no Powertools) and loads HEIF support only when a HEIF file arrives."""
from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import imagemeta

from ..paths import IMAGES

FORBIDDEN = ("boto3", "botocore", "aws_lambda_powertools")


def modules_after(code: str) -> set[str]:
    """The top-level modules a fresh interpreter has loaded after running code."""
    script = code + "\nimport sys, json; print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_no_module_of_the_core_imports_aws_code() -> None:
    names = [m.name for m in pkgutil.walk_packages(imagemeta.__path__, "imagemeta.")]
    assert "imagemeta.fetch.http" in names and "imagemeta.cli" in names
    loaded = modules_after("\n".join(f"import {name}" for name in names))
    assert not loaded & set(FORBIDDEN)


def test_pillow_heif_loads_only_for_a_heif_file() -> None:
    jpeg = IMAGES / "exif-samples/jpg/Canon_40D.jpg"
    heic = IMAGES / "exif-samples/heic/IMG_5195.HEIC"
    assert "pillow_heif" not in modules_after(f"import imagemeta; imagemeta.extract({str(jpeg)!r})")
    assert "pillow_heif" in modules_after(f"import imagemeta; imagemeta.extract({str(heic)!r})")


def test_the_remote_url_handler_does_not_load_boto3() -> None:
    loaded = modules_after("import handlers.metadata_url")
    assert "boto3" not in loaded


def test_the_file_lookup_handler_does_not_load_the_image_stack() -> None:
    # It only reads records: numpy and Pillow would add ~150 ms to every cold start for nothing.
    loaded = modules_after(
        "import os; os.environ.update(BUCKET_NAME='b', TABLE_NAME='t', AWS_DEFAULT_REGION='us-east-1')\n"
        "import handlers.files"
    )
    assert not loaded & {"numpy", "PIL"}


def test_embedded_metadata_needs_neither_numpy_nor_pillow_for_a_jpeg() -> None:
    jpeg = IMAGES / "metadata/iptc-reference.jpg"
    loaded = modules_after(f"import imagemeta; imagemeta.embedded_metadata({str(jpeg)!r})")
    assert not loaded & {"numpy", "PIL"}
