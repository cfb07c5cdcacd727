"""The files API on the local stack through the hosted API's official Python SDK, given only base_url and
private_key: issue 13's "Done when", call by call.

(Named to run after test_openapi.py: moto scans the whole table for each of a 12-bit similar search's
index reads, and schemathesis's searches must stay within their timeout.)
Expected metadata is what GET /v1/files/{fileId}/metadata answers (the core's own, checked against sharp and
ExifTool by the unit tests); expected records are read from the stack's table and bucket directly.
"""
from __future__ import annotations

import io
import time
import uuid
from datetime import datetime
from typing import Any

import pytest
import requests
from imagekitio import APIStatusError, BadRequestError, ImageKit, NotFoundError
from imagekitio.types import File, Folder
from PIL import Image

from imagemeta import embedded_metadata
from service.storage.items import object_key, update_instant

from .local_stack import ImageServer, LocalStack

pytestmark = pytest.mark.integration

SECONDS = 2.0  # the promise: a delete is visible within 2 s, an upload answerable as soon


def sdk(stack: LocalStack) -> ImageKit:
    return ImageKit(base_url=stack.api_url, private_key=stack.private_key)


def jpeg(width: int, height: int, colour: tuple[int, int, int] = (200, 30, 60)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def eventually(probe: Any, done: Any, seconds: float = SECONDS) -> tuple[Any, float]:
    """Poll until done(result): the last result and the seconds it took (an SDK error is a result too)."""
    started = time.monotonic()
    while True:
        try:
            result = probe()
        except APIStatusError as error:
            result = error
        elapsed = time.monotonic() - started
        if done(result) or elapsed > seconds:
            return result, elapsed
        time.sleep(0.05)


@pytest.fixture()
def album(local_stack: LocalStack) -> dict[str, Any]:
    """A fresh folder with three images put with an ordinary S3 client, and a sub-folder with one."""
    folder = f"album-{uuid.uuid4().hex[:8]}"
    s3 = local_stack.s3()
    sizes = {"b.jpg": (30, 20), "a.jpg": (10, 40), "c.jpg": (20, 10)}
    for name, (width, height) in sizes.items():
        s3.put_object(Bucket=local_stack.bucket, Key=f"{folder}/{name}", Body=jpeg(width, height), ContentType="image/jpeg",
                      Tagging="holiday=", Metadata={"place": "Lisbon"})
    s3.put_object(Bucket=local_stack.bucket, Key=f"{folder}/sub/d.jpg", Body=jpeg(5, 5))
    client = sdk(local_stack)
    listed, _ = eventually(lambda: client.assets.list(path=f"/{folder}/", type="all"), lambda r: isinstance(r, list) and len(r) == 4,
                           seconds=10)
    assert len(listed) == 4, listed
    return {"folder": folder, "sizes": sizes}


def test_assets_list_returns_the_folders_files_and_subfolders_sorted_and_paged(local_stack: LocalStack, album: dict) -> None:
    client = sdk(local_stack)
    folder = album["folder"]

    files = client.assets.list(path=f"/{folder}/", sort="ASC_NAME")
    assert all(isinstance(item, File) for item in files)
    assert [f.name for f in files] == ["a.jpg", "b.jpg", "c.jpg"]
    assert [f.file_path for f in files] == [f"/{folder}/a.jpg", f"/{folder}/b.jpg", f"/{folder}/c.jpg"]

    everything = client.assets.list(path=f"/{folder}/", type="all", sort="ASC_NAME")
    assert isinstance(everything[0], Folder) and everything[0].folder_path == f"/{folder}/sub"
    assert [item.name for item in everything[1:]] == ["a.jpg", "b.jpg", "c.jpg"]

    by_width = client.assets.list(path=f"/{folder}/", sort="DESC_WIDTH")
    assert [f.name for f in by_width] == ["b.jpg", "c.jpg", "a.jpg"]
    pages = [client.assets.list(path=f"/{folder}/", sort="DESC_WIDTH", skip=skip, limit=2) for skip in (0, 2)]
    assert [[f.name for f in page] for page in pages] == [["b.jpg", "c.jpg"], ["a.jpg"]]

    found = client.assets.list(search_query=f'path : "/{folder}/" AND height >= 20', sort="ASC_HEIGHT")
    assert [f.name for f in found] == ["b.jpg", "a.jpg"]
    # The path forms: leading and trailing "/" optional.
    assert [f.name for f in client.assets.list(path=folder, sort="ASC_NAME")] == ["a.jpg", "b.jpg", "c.jpg"]


def test_files_get_returns_a_file_equal_to_the_stored_record(local_stack: LocalStack, album: dict) -> None:
    client = sdk(local_stack)
    listed = {f.name: f for f in client.assets.list(path=f"/{album['folder']}/")}
    got = client.files.get(listed["a.jpg"].file_id)

    item = local_stack.client("dynamodb").get_item(TableName=local_stack.table,
                                                   Key={"pk": {"S": got.file_id}, "sk": {"S": "F"}})["Item"]
    metadata = client.files.metadata.get(got.file_id)
    assert got.type == "file"
    assert got.file_path == "/" + object_key(item)
    assert got.size == int(item["size"]["N"])
    assert (got.width, got.height, got.has_alpha) == (metadata.width, metadata.height, metadata.has_transparency) == (10, 40, False)
    assert got.mime == item["mime"]["S"] == "image/jpeg"
    assert got.file_type == "image"
    assert got.tags == ["holiday"] and got.custom_metadata == {"place": "Lisbon"}
    assert got.created_at == datetime.fromisoformat(item["ckey"]["S"].split("/", 1)[0])
    assert got.updated_at == datetime.fromisoformat(update_instant(item))
    # The template's bucket keeps versions: the version is S3's, the first of the file.
    assert (got.version_info.id, got.version_info.name) == (item["vid"]["S"], "Version 1")
    # Its url is the stable one of the stack's distribution, and fetches the object itself, whose embedded
    # metadata it carries; its thumbnail, the picture as a WebP (10 x 40 is never enlarged).
    body = local_stack.s3().get_object(Bucket=local_stack.bucket, Key=object_key(item))["Body"].read()
    assert got.url == f"{local_stack.delivery_url}/{album['folder']}/a.jpg"
    assert requests.get(got.url, timeout=10).content == body
    assert got.embedded_metadata == embedded_metadata(body)
    assert isinstance(got.thumbnail, str) and got.thumbnail.startswith(f"{local_stack.delivery_url}/_imagemeta/thumbnails/")
    assert Image.open(io.BytesIO(requests.get(got.thumbnail, timeout=10).content)).size == (10, 40)


def test_files_delete_is_followed_by_404_within_two_seconds(local_stack: LocalStack, album: dict) -> None:
    client = sdk(local_stack)
    target = next(f for f in client.assets.list(path=f"/{album['folder']}/") if f.name == "c.jpg")
    assert client.files.metadata.get(target.file_id).width == 20

    assert client.files.delete(target.file_id) is None

    result, elapsed = eventually(lambda: client.files.metadata.get(target.file_id), lambda r: isinstance(r, NotFoundError))
    assert isinstance(result, NotFoundError), result
    assert elapsed < SECONDS
    with pytest.raises(NotFoundError):
        client.files.get(target.file_id)


def test_bulk_delete(local_stack: LocalStack, album: dict) -> None:
    client = sdk(local_stack)
    ids = [f.file_id for f in client.assets.list(path=f"/{album['folder']}/")]
    with pytest.raises(NotFoundError) as missing:
        client.files.bulk.delete(file_ids=[ids[0], "0" * 24])
    assert missing.value.body["missingFileIds"] == ["0" * 24]
    assert client.files.bulk.delete(file_ids=ids).successfully_deleted_file_ids == ids
    listed, _ = eventually(lambda: client.assets.list(path=f"/{album['folder']}/"), lambda r: r == [])
    assert listed == []


def test_files_upload_answers_a_file_id_whose_metadata_equals_the_stored_metadata(local_stack: LocalStack) -> None:
    client = sdk(local_stack)
    name = f"sdk-{uuid.uuid4().hex[:8]}.jpg"

    uploaded = client.files.upload(file=jpeg(48, 32), file_name=name, folder="/sdk", response_fields=["metadata"])

    assert uploaded.file_path.startswith("/sdk/sdk-") and uploaded.file_type == "image"
    assert (uploaded.width, uploaded.height) == (48, 32)
    assert uploaded.url == local_stack.delivery_url + uploaded.file_path
    assert Image.open(io.BytesIO(requests.get(uploaded.thumbnail_url, timeout=10).content)).format == "WEBP"
    stored, elapsed = eventually(lambda: client.files.metadata.get(uploaded.file_id), lambda r: not isinstance(r, NotFoundError))
    assert not isinstance(stored, APIStatusError), stored
    assert elapsed < SECONDS
    assert stored.to_dict() == uploaded.metadata.to_dict()
    assert uploaded.metadata.p_hash == stored.p_hash and uploaded.metadata.exif == stored.exif


def form_upload(stack: LocalStack, **fields: str) -> requests.Response:
    """An upload whose `file` is text (a URL, base64), as the hosted API takes it; the Python SDK sends bytes only."""
    return stack.post("/api/v1/files/upload", files={name: (None, value) for name, value in fields.items()})


def test_an_upload_from_a_url_goes_through_the_safe_fetcher(local_stack: LocalStack, image_server: ImageServer) -> None:
    image_server.files["to-upload.jpg"] = (jpeg(12, 34), "image/jpeg")
    uploaded = form_upload(local_stack, file=image_server.url("to-upload.jpg"), fileName="fetched.jpg", folder="/sdk",
                           responseFields="metadata")
    assert uploaded.status_code == 200, uploaded.text
    assert (uploaded.json()["metadata"]["width"], uploaded.json()["metadata"]["height"]) == (12, 34)
    assert image_server.requested[-1] == "to-upload.jpg"
    # A private address is refused, as for GET /v1/metadata.
    refused = form_upload(local_stack, file="http://169.254.169.254/latest/meta-data/", fileName="x.jpg")
    assert refused.status_code == 403, refused.text


def test_the_reserved_prefix_is_refused(local_stack: LocalStack) -> None:
    with pytest.raises(BadRequestError) as refused:
        sdk(local_stack).files.upload(file=jpeg(4, 4), file_name="x.jpg", folder="/_imagemeta/records")
    assert "`folder`" in refused.value.body["message"]


def test_a_body_over_the_lambda_limit_is_413_pointing_to_upload_url(local_stack: LocalStack) -> None:
    too_large = bytes(5 * 1024 * 1024)  # 5 MB: 6.7 MB once base64 in the function's event
    with pytest.raises(APIStatusError) as refused:
        sdk(local_stack).files.upload(file=too_large, file_name="big.bin")
    assert refused.value.status_code == 413
    assert "/v1/files/upload-url" in refused.value.body["help"]

    answer = local_stack.post("/v1/files/upload-url", json={"fileName": "big.bin", "folder": "/large", "useUniqueFileName": False})
    assert answer.status_code == 200, answer.text
    ticket = answer.json()
    assert requests.put(ticket["url"], data=too_large, headers=ticket["headers"], timeout=30).status_code == 200
    listed, _ = eventually(lambda: sdk(local_stack).files.get(ticket["fileId"]), lambda r: not isinstance(r, NotFoundError))
    assert not isinstance(listed, APIStatusError), listed
    assert (listed.size, listed.file_type, listed.file_path) == (len(too_large), "non-image", "/large/big.bin")


@pytest.mark.parametrize("form", ["{folder}/x.jpg", "/{folder}/x.jpg"])
def test_path_forms_name_the_same_file(local_stack: LocalStack, form: str) -> None:
    folder = f"forms-{uuid.uuid4().hex[:8]}"
    local_stack.s3().put_object(Bucket=local_stack.bucket, Key=f"{folder}/x.jpg", Body=jpeg(3, 3))
    found, _ = eventually(lambda: local_stack.get("/v1/files/byPath", params={"path": form.format(folder=folder)}),
                          lambda r: r.status_code == 200)
    assert found.json()["path"] == f"{folder}/x.jpg"
    # A doubled slash is another key, which has no file.
    assert local_stack.get("/v1/files/byPath", params={"path": f"/{folder}//x.jpg"}).status_code == 404


def test_a_doubled_slash_key_is_its_own_file(local_stack: LocalStack) -> None:
    folder = f"forms-{uuid.uuid4().hex[:8]}"
    local_stack.s3().put_object(Bucket=local_stack.bucket, Key=f"{folder}//x.jpg", Body=jpeg(3, 3))
    found, _ = eventually(lambda: local_stack.get("/v1/files/byPath", params={"path": f"/{folder}//x.jpg"}),
                          lambda r: r.status_code == 200)
    assert found.json()["path"] == f"{folder}//x.jpg"
    assert local_stack.get("/v1/files/byPath", params={"path": f"/{folder}/x.jpg"}).status_code == 404
    # Listed in its own folder, "/<folder>//", an empty-named folder inside <folder>.
    client = sdk(local_stack)
    assert [f.file_path for f in client.assets.list(path=f"/{folder}//")] == [f"/{folder}//x.jpg"]
    assert [item.name for item in client.assets.list(path=f"/{folder}/", type="all")] == [""]
