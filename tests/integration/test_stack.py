"""The service end to end on the local stack: S3 uploads become records the API answers over HTTP."""
from __future__ import annotations

import hashlib
import io
import uuid
from typing import Any

import pytest
import requests
from PIL import Image

from .local_stack import ImageServer, LocalStack, wait_until

pytestmark = pytest.mark.integration

NOT_FOUND = "The requested file does not exist or is inaccessible at this time."
CORRUPT = "The requested file is corrupt or invalid."
# The promise: an upload is answerable within 2 seconds.
ANSWERABLE_SECONDS = 2.0


def image_bytes(width: int, height: int, image_format: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 60)).save(buffer, image_format)
    return buffer.getvalue()


def unique_key(suffix: str) -> str:
    """A fresh key per test (with a space, which S3 notifications encode as `+`)."""
    return f"uploads/test {uuid.uuid4().hex[:8]}{suffix}"


def expected_file_id(bucket: str, key: str) -> str:
    return hashlib.sha256(f"{bucket}/{key}".encode()).hexdigest()[:24]


def by_path(stack: LocalStack, key: str) -> requests.Response:
    return stack.get("/v1/files/byPath", params={"path": key})


def upload(stack: LocalStack, key: str, body: bytes) -> tuple[dict[str, Any], requests.Response, float]:
    """Put an object with an ordinary S3 client and poll until its lookup by path is no longer 404.

    Returns S3's answer to the put, the lookup's last answer and the seconds until it came.
    """
    put = stack.s3().put_object(Bucket=stack.bucket, Key=key, Body=body)
    response, elapsed = wait_until(lambda: by_path(stack, key), lambda r: r.status_code != 404)
    return put, response, elapsed


def test_upload_is_answerable_by_path_within_two_seconds(local_stack: LocalStack) -> None:
    key = unique_key(".png")
    body = image_bytes(64, 48, "PNG")

    put, response, elapsed = upload(local_stack, key, body)

    assert response.status_code == 200, response.text
    assert elapsed < ANSWERABLE_SECONDS, f"answerable after {elapsed:.2f} s"
    record = response.json()
    assert list(record) == ["fileId", "path", "size", "etag", "updatedAt", "metadata"]
    assert record["fileId"] == expected_file_id(local_stack.bucket, key)
    assert record["path"] == key
    assert record["size"] == len(body)
    assert record["etag"] == put["ETag"].strip('"')
    assert record["updatedAt"]
    assert (record["metadata"]["width"], record["metadata"]["height"]) == (64, 48)
    assert record["metadata"]["format"] == "png"
    assert record["metadata"]["size"] == len(body)
    assert response.headers["x-request-id"]


def test_upload_is_answerable_by_file_id(local_stack: LocalStack) -> None:
    key = unique_key(".jpg")
    local_stack.s3().put_object(Bucket=local_stack.bucket, Key=key, Body=image_bytes(40, 30, "JPEG"))
    file_id = expected_file_id(local_stack.bucket, key)

    response, _ = wait_until(lambda: local_stack.get(f"/v1/files/{file_id}/metadata"), lambda r: r.status_code != 404)

    assert response.status_code == 200, response.text
    metadata = response.json()
    assert (metadata["width"], metadata["height"], metadata["format"]) == (40, 30, "jpg")
    assert metadata == by_path(local_stack, key).json()["metadata"]


def test_overwrite_updates_the_record(local_stack: LocalStack) -> None:
    key = unique_key(".img")
    _, first, _ = upload(local_stack, key, image_bytes(64, 48, "PNG"))
    assert first.status_code == 200, first.text

    replacement = image_bytes(20, 10, "JPEG")
    put = local_stack.s3().put_object(Bucket=local_stack.bucket, Key=key, Body=replacement)
    second, _ = wait_until(lambda: by_path(local_stack, key), lambda r: r.json()["etag"] != first.json()["etag"])

    record = second.json()
    assert record["fileId"] == first.json()["fileId"]
    assert record["etag"] == put["ETag"].strip('"')
    assert record["size"] == len(replacement)
    assert (record["metadata"]["width"], record["metadata"]["height"], record["metadata"]["format"]) == (20, 10, "jpg")


def test_delete_removes_the_record(local_stack: LocalStack) -> None:
    key = unique_key(".png")
    _, created, _ = upload(local_stack, key, image_bytes(8, 8, "PNG"))
    assert created.status_code == 200, created.text

    local_stack.s3().delete_object(Bucket=local_stack.bucket, Key=key)
    gone, _ = wait_until(lambda: by_path(local_stack, key), lambda r: r.status_code == 404)

    assert gone.status_code == 404
    assert gone.json()["message"] == NOT_FOUND
    by_id = local_stack.get(f"/v1/files/{created.json()['fileId']}/metadata")
    assert by_id.status_code == 404
    assert by_id.json()["message"] == NOT_FOUND


def test_non_image_upload_is_answered_as_corrupt(local_stack: LocalStack) -> None:
    _, response, _ = upload(local_stack, unique_key(".txt"), b"plain text, not an image\n")

    assert response.status_code == 400, response.text
    assert response.json()["message"] == CORRUPT
    assert response.json()["help"]


def test_missing_file_is_not_found_by_path_and_by_file_id(local_stack: LocalStack) -> None:
    key = unique_key(".png")

    for response in (
        by_path(local_stack, key),
        local_stack.get(f"/v1/files/{expected_file_id(local_stack.bucket, key)}/metadata"),
    ):
        assert response.status_code == 404
        assert response.json()["message"] == NOT_FOUND
        assert response.headers["content-type"].startswith("application/json")


def test_remote_url_route_reads_an_image_served_from_loopback(
    local_stack: LocalStack, image_server: ImageServer
) -> None:
    body = image_bytes(33, 21, "PNG")
    image_server.files["remote.png"] = (body, "image/png")

    response = local_stack.get("/v1/metadata", params={"url": image_server.url("remote.png")})

    assert response.status_code == 200, response.text
    metadata = response.json()
    assert (metadata["width"], metadata["height"], metadata["format"], metadata["size"]) == (33, 21, "png", len(body))


def test_existing_callers_keep_sending_the_key_in_x_api_key(local_stack: LocalStack) -> None:
    assert local_stack.api_key == local_stack.private_key

    accepted = local_stack.get("/v1/files/byPath", params={"path": "any.png"}, auth=None, headers={"x-api-key": local_stack.api_key})
    refused = local_stack.get("/v1/files/byPath", params={"path": "any.png"}, auth=None, headers={"x-api-key": "not-the-key"})

    # 404 is the files function's answer: the key got the request through.
    assert accepted.status_code == 404 and accepted.json()["message"] == NOT_FOUND
    assert refused.status_code == 401
    assert set(refused.json()) == {"message", "help"}
    assert refused.headers["WWW-Authenticate"].startswith("Basic")


def test_unknown_route_is_a_json_404(local_stack: LocalStack) -> None:
    response = local_stack.get("/v1/nothing-here")

    assert response.status_code == 404
    assert set(response.json()) == {"message", "help"}


def test_libvips_info_messages_stay_out_of_the_stack_s_log(local_stack: LocalStack) -> None:
    # pyvips passes on libvips' info messages ("threadpool completed", shrink factors), several per image read.
    _, response, _ = upload(local_stack, unique_key(".jpg"), image_bytes(640, 480, "JPEG"))
    assert response.status_code == 200, response.text
    assert "VIPS:" not in local_stack.log()
