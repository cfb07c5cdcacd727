"""Access control on the local stack: the official SDK by base URL, every refusal, key rotation and revocation."""
from __future__ import annotations

import base64
import io
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from imagekitio import AuthenticationError, ImageKit, NotFoundError, PermissionDeniedError
from PIL import Image

from ..paths import IMAGES
from .local_stack import ImageServer, LocalStack, wait_until

pytestmark = pytest.mark.integration

CANON = IMAGES / "exif-samples" / "jpg" / "Canon_40D.jpg"


def sdk(stack: LocalStack, private_key: str | None = None) -> ImageKit:
    """The official client configured as the contract promises: a base URL and a private key, nothing else."""
    return ImageKit(base_url=stack.api_url, private_key=private_key or stack.private_key)


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (width, height), (10, 200, 30, 128)).save(buffer, "PNG")
    return buffer.getvalue()


def basic(raw: bytes) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


def serve_unique_image(image_server: ImageServer) -> str:
    """A fresh image on the loopback server; whether it is ever requested shows whether the URL function ran."""
    name = f"probe-{uuid.uuid4().hex}.png"
    image_server.files[name] = (png(5, 4), "image/png")
    return name


def assert_refused_before_any_function(stack: LocalStack, image_server: ImageServer, **request: Any) -> None:
    """401 with the contract's body from API Gateway itself, and the URL function never fetched its image."""
    name = serve_unique_image(image_server)

    response = stack.get("/v1/metadata", params={"url": image_server.url(name)}, **request)

    assert response.status_code == 401, response.text
    assert set(response.json()) == {"message", "help"}
    assert response.json()["message"] == "The credentials are missing or invalid."
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert "x-request-id" not in response.headers  # every function answer carries it; gateway responses do not
    assert name not in image_server.requested


# ------------------------------------------------------------------ the official SDK


def test_sdk_reads_an_uploaded_files_metadata_exactly_as_our_api_answers_it(local_stack: LocalStack) -> None:
    key = f"uploads/sdk {uuid.uuid4().hex[:8]}.jpg"
    local_stack.s3().put_object(Bucket=local_stack.bucket, Key=key, Body=CANON.read_bytes())
    record, _ = wait_until(lambda: local_stack.get("/v1/files/byPath", params={"path": key}), lambda r: r.status_code != 404)
    assert record.status_code == 200, record.text
    file_id = record.json()["fileId"]

    metadata = sdk(local_stack).files.metadata.get(file_id)

    ours = local_stack.get(f"/v1/files/{file_id}/metadata").json()
    assert metadata.to_dict(mode="json") == ours
    assert ours["exif"]["image"]["Make"] == "Canon"  # a real EXIF block made the trip, not an empty one
    assert (metadata.width, metadata.height, metadata.format) == (ours["width"], ours["height"], "jpg")


def test_sdk_reads_the_metadata_of_an_image_served_from_loopback(
    local_stack: LocalStack, image_server: ImageServer
) -> None:
    image_server.files["sdk-remote.png"] = (png(17, 9), "image/png")
    url = image_server.url("sdk-remote.png")

    metadata = sdk(local_stack).files.metadata.get_from_url(url=url)

    assert metadata.to_dict(mode="json") == local_stack.get("/v1/metadata", params={"url": url}).json()
    assert (metadata.width, metadata.height, metadata.has_transparency) == (17, 9, True)


def test_sdk_raises_its_not_found_error_for_a_missing_file(local_stack: LocalStack) -> None:
    with pytest.raises(NotFoundError) as raised:
        sdk(local_stack).files.metadata.get("0" * 24)

    assert raised.value.body["message"] == "The requested file does not exist or is inaccessible at this time."


def test_sdk_raises_its_authentication_error_for_a_wrong_key(local_stack: LocalStack) -> None:
    with pytest.raises(AuthenticationError) as raised:
        sdk(local_stack, private_key=local_stack.private_key + "x").files.metadata.get("0" * 24)

    assert set(raised.value.body) == {"message", "help"}
    assert raised.value.response.headers["WWW-Authenticate"].startswith("Basic")


def test_sdk_raises_its_permission_error_for_a_refused_url(local_stack: LocalStack) -> None:
    with pytest.raises(PermissionDeniedError) as raised:
        sdk(local_stack).files.metadata.get_from_url(url="http://169.254.169.254/latest/meta-data/")

    assert raised.value.body["message"].startswith("The URL is not allowed: ")


# ------------------------------------------------------------------ refusals


def test_valid_credentials_do_reach_the_url_function(local_stack: LocalStack, image_server: ImageServer) -> None:
    """The positive control of the refusal tests: with a good key, the image is fetched."""
    name = serve_unique_image(image_server)

    response = local_stack.get("/v1/metadata", params={"url": image_server.url(name)})

    assert response.status_code == 200, response.text
    assert image_server.requested.count(name) == 1


def _last_character_changed(key: str) -> str:
    return key[:-1] + ("A" if key[-1] != "A" else "B")


REFUSED_CREDENTIALS: dict[str, Callable[[str], dict[str, Any]]] = {
    "wrong key": lambda key: {"auth": ("private_" + "x" * 43, "")},
    "no header": lambda key: {"auth": None},
    "Basic with bad base64": lambda key: {"auth": None, "headers": {"Authorization": "Basic ***not base64***"}},
    "empty user name": lambda key: {"auth": None, "headers": basic(b":" + key.encode())},
    "last character differs": lambda key: {"auth": (_last_character_changed(key), "")},
    "x-api-key with the last character differing": lambda key: {
        "auth": None,
        "headers": {"x-api-key": _last_character_changed(key)},
    },
}


@pytest.mark.parametrize("credentials", REFUSED_CREDENTIALS.values(), ids=REFUSED_CREDENTIALS.keys())
def test_bad_credentials_are_refused_with_401_before_any_function(
    local_stack: LocalStack, image_server: ImageServer, credentials: Callable[[str], dict[str, Any]]
) -> None:
    assert_refused_before_any_function(local_stack, image_server, **credentials(local_stack.private_key))


# ------------------------------------------------------------------ key management


def listed_rows(listing: str) -> dict[str, list[str]]:
    """The rows of `keys list` by key id: [id, name, created, last4, revoked or -, public key]."""
    return {line.split()[0]: line.split() for line in listing.splitlines()[1:]}


def test_rotation_two_keys_work_at_once_and_a_revoked_key_is_refused(
    local_stack: LocalStack, image_server: ImageServer
) -> None:
    suffix = uuid.uuid4().hex[:6]
    old_key = local_stack.keys("create", "--name", f"old-{suffix}").strip()
    new_key = local_stack.keys("create", "--name", f"new-{suffix}").strip()
    listing = local_stack.keys("list")

    (old_id,) = [key_id for key_id, row in listed_rows(listing).items() if row[1] == f"old-{suffix}"]
    assert listed_rows(listing)[old_id][3:5] == [old_key[-4:], "-"]
    assert listed_rows(listing)[old_id][5].startswith("public_")  # for its client-side uploads
    for key in (old_key, new_key):
        assert key.startswith("private_") and key not in listing
        # 404 is the files function's answer: the key got the request through.
        assert local_stack.get("/v1/files/byPath", params={"path": "none.png"}, auth=(key, "")).status_code == 404

    revoked = local_stack.keys("revoke", old_id)

    assert old_id in revoked
    # The local stack does not cache authorizer results (the template's TTL is 0): refused at once.
    assert_refused_before_any_function(local_stack, image_server, auth=(old_key, ""))
    assert_refused_before_any_function(local_stack, image_server, auth=None, headers={"x-api-key": old_key})
    assert local_stack.get("/v1/files/byPath", params={"path": "none.png"}, auth=(new_key, "")).status_code == 404
    assert listed_rows(local_stack.keys("list"))[old_id][4] != "-"  # now the revocation time
