"""Delivery on the local stack, over HTTP: files and thumbnails at their urls with the safe headers, private files
to signed urls only, the service's own objects never (the distributions as infra/delivery.py serves them)."""
from __future__ import annotations

import io
import time
import uuid
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from PIL import Image

from service.storage.records import file_id

from ..paths import IMAGES
from .local_stack import LocalStack

pytestmark = pytest.mark.integration

PHOTO = IMAGES / "phash-vectors" / "second.jpg"  # 2430 x 3038
SAFE = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox", "Referrer-Policy": "no-referrer"}


def upload(stack: LocalStack, name: str, body: bytes, content_type: str, folder: str) -> dict[str, Any]:
    """The hosted upload API (the SDKs' form), the name kept."""
    answer = stack.post("/api/v1/files/upload", data={"fileName": name, "folder": folder, "useUniqueFileName": "false"},
                        files={"file": (name, body, content_type)})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def details(stack: LocalStack, file_id: str, seconds: float = 10) -> dict[str, Any]:
    """The File object, once the ingest has written its record."""
    deadline = time.monotonic() + seconds
    while (answer := stack.get(f"/v1/files/{file_id}/details")).status_code == 404 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def fetched(url: str) -> requests.Response:
    response = requests.get(url, timeout=10)
    for header, value in SAFE.items():
        assert response.headers.get(header) == value, (header, url)
    return response


@pytest.fixture()
def folder() -> str:
    return f"/delivery-{uuid.uuid4().hex[:8]}"


def test_an_upload_is_served_at_its_path_and_its_thumbnail_beside_it(local_stack: LocalStack, folder: str) -> None:
    answer = upload(local_stack, "second.jpg", PHOTO.read_bytes(), "image/jpeg", folder)
    assert answer["url"] == f"{local_stack.delivery_url}{folder}/second.jpg"
    thumbnail = fetched(answer["thumbnailUrl"])  # there as soon as the upload answers
    assert (thumbnail.headers["Content-Type"], Image.open(io.BytesIO(thumbnail.content)).size) == ("image/webp", (160, 200))
    assert "Content-Disposition" not in thumbnail.headers

    found = details(local_stack, answer["fileId"])
    assert (found["url"], found["thumbnail"]) == (answer["url"], answer["thumbnailUrl"])
    file = fetched(found["url"])
    assert (file.status_code, file.content, file.headers["Content-Type"]) == (200, PHOTO.read_bytes(), "image/jpeg")
    assert "Content-Disposition" not in file.headers  # a picture is shown in place


@pytest.mark.parametrize(("name", "content_type", "body"), [
    ("page.html", "text/html", b"<html><script>document.title='ran'</script></html>"),
    ("drawing.svg", "image/svg+xml", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("feed.xml", "text/xml", b"<?xml version='1.0'?><x/>"),
])
def test_a_file_a_browser_would_run_is_an_attachment_in_a_sandbox(local_stack: LocalStack, folder: str, name: str,
                                                                 content_type: str, body: bytes) -> None:
    answer = upload(local_stack, name, body, content_type, folder)
    assert answer["thumbnailUrl"] is None
    served = fetched(answer["url"])
    assert (served.content, served.headers["Content-Type"]) == (body, content_type)
    assert served.headers["Content-Disposition"] == "attachment"


def test_the_services_own_objects_are_never_served_but_thumbnails(local_stack: LocalStack, folder: str) -> None:
    upload(local_stack, "photo.jpg", PHOTO.read_bytes(), "image/jpeg", folder)
    stored = local_stack.s3().list_objects_v2(Bucket=local_stack.bucket, Prefix="_imagemeta/")["Contents"]
    assert {item["Key"].split("/")[1] for item in stored} == {"thumbnails"}
    local_stack.s3().put_object(Bucket=local_stack.bucket, Key="_imagemeta/records/planted.json.z", Body=b"{}")
    base = local_stack.delivery_url
    for path in ("/_imagemeta/records/planted.json.z", "/%5Fimagemeta/records/planted.json.z",
                 "/_imagemeta%2Frecords%2Fplanted.json.z", "/_imagemeta/", "/_imagemeta/x"):
        assert requests.get(base + path, timeout=10).status_code == 404, path
    # Past the edge function's reading of the path, the bucket policy still refuses record bodies.
    assert requests.get(base + "/_imagemeta/thumbnails/../records/planted.json.z", timeout=10).status_code in (403, 404)
    assert requests.get(f"{base}/{stored[0]['Key']}", timeout=10).status_code == 200


def test_a_private_file_is_served_to_its_signed_url_only(local_stack: LocalStack, folder: str) -> None:
    key = f"{folder[1:]}/private.jpg"
    local_stack.s3().put_object(Bucket=local_stack.bucket, Key=key, Body=PHOTO.read_bytes(), ContentType="image/jpeg",
                                Tagging="imagemeta-private=true&team=blue")
    found = details(local_stack, file_id(local_stack.bucket, key))
    assert found["tags"] == ["team=blue"]  # the private tag is no tag of the file's
    url, thumbnail = urlsplit(found["url"]), urlsplit(found["thumbnail"])
    assert f"{url.scheme}://{url.netloc}" == local_stack.signed_delivery_url and url.path == f"/{key}"
    assert set(parse_qs(url.query)) == {"Expires", "Signature", "Key-Pair-Id"}
    assert fetched(found["url"]).content == PHOTO.read_bytes()
    assert fetched(found["thumbnail"]).headers["Content-Type"] == "image/webp"

    # Not at its public path, nor its thumbnail's: the bucket policy refuses the public distribution both.
    assert requests.get(f"{local_stack.delivery_url}/{key}", timeout=10).status_code == 403
    assert requests.get(local_stack.delivery_url + thumbnail.path, timeout=10).status_code == 403
    # Nor at the signed distribution without a valid signature.
    signed = dict(parse_qs(url.query, strict_parsing=True))
    forged = {**{name: values[0] for name, values in signed.items()}, "Expires": str(int(signed["Expires"][0]) + 300)}
    for query in ("", urlencode(forged)):
        assert requests.get(f"{local_stack.signed_delivery_url}/{key}?{query}", timeout=10).status_code == 403
    other = f"{local_stack.signed_delivery_url}/{folder[1:]}/other.jpg?{url.query}"  # another file, this signature
    assert requests.get(other, timeout=10).status_code == 403

