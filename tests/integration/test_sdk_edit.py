"""Edits, custom metadata fields, searches and client-side uploads on the local stack through the official Python
SDK, given only base_url and private_key, with strict response validation: issue 24's calls, one by one.

(Fields are the deployment's, shared by every test of the session: each test names its own.)
"""
from __future__ import annotations

import io
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from imagekitio import BadRequestError, ImageKit, NotFoundError, Omit
from imagekitio.types import CustomMetadataField, File
from PIL import Image

from .local_stack import LocalStack

pytestmark = pytest.mark.integration

SECONDS = 5.0


def sdk(stack: LocalStack) -> ImageKit:
    return ImageKit(base_url=stack.api_url, private_key=stack.private_key, _strict_response_validation=True)


def jpeg(width: int = 8, height: int = 6) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (20, 90, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def until_listed(client: ImageKit, file_id: str) -> File:
    """The upload's File once its record is there (the ingest follows within the second)."""
    started = time.monotonic()
    while True:
        try:
            return client.files.get(file_id)
        except NotFoundError:
            if time.monotonic() - started > SECONDS:
                raise
            time.sleep(0.05)


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


@pytest.fixture()
def fields(local_stack: LocalStack) -> Iterator[dict[str, CustomMetadataField]]:
    """Fields of this test alone: deleted at its end, so that other tests' uploads get no default of theirs."""
    client = sdk(local_stack)
    made = {
        "brand": client.custom_metadata_fields.create(name=unique("brand"), label=unique("Brand"),
                                                      schema={"type": "Text", "maxLength": 20}),
        "price": client.custom_metadata_fields.create(name=unique("price"), label=unique("Price"),
                                                      schema={"type": "Number", "minValue": 0, "defaultValue": 5,
                                                              "isValueRequired": True}),
        "colours": client.custom_metadata_fields.create(name=unique("colours"), label=unique("Colours"),
                                                        schema={"type": "MultiSelect",
                                                                "selectOptions": ["red", "blue", 5]}),
    }
    yield made
    live = {field.id for field in client.custom_metadata_fields.list()}
    for field in made.values():
        if field.id in live:
            client.custom_metadata_fields.delete(field.id)


def test_custom_metadata_fields_through_the_sdk(local_stack: LocalStack, fields: dict[str, CustomMetadataField]) -> None:
    client = sdk(local_stack)
    price = fields["price"]
    assert price.schema_.type == "Number" and price.schema_.default_value == 5 and price.schema_.is_value_required
    names = [field.name for field in client.custom_metadata_fields.list()]
    assert {field.name for field in fields.values()} <= set(names)

    changed = client.custom_metadata_fields.update(price.id, label=unique("Cost"), schema={"maxValue": 1000})
    assert changed.schema_.max_value == 1000 and changed.schema_.type == "Number"
    assert client.custom_metadata_fields.delete(fields["brand"].id) is None
    assert fields["brand"].name not in [field.name for field in client.custom_metadata_fields.list()]
    deleted = client.custom_metadata_fields.list(include_deleted=True)
    assert fields["brand"].name in [field.name for field in deleted]
    with pytest.raises(BadRequestError) as taken:
        client.custom_metadata_fields.create(name=fields["brand"].name, label=unique("Again"), schema={"type": "Text"})
    assert taken.value.response.headers["x-should-retry"] == "false"  # not sent twice more
    with pytest.raises(NotFoundError):
        client.custom_metadata_fields.delete("0" * 24)


def test_upload_update_and_search_through_the_sdk(local_stack: LocalStack, fields: dict[str, CustomMetadataField]) -> None:
    client = sdk(local_stack)
    brand, price, colours = (fields[name].name for name in ("brand", "price", "colours"))
    folder = f"/edit-{uuid.uuid4().hex[:8]}"
    tag = unique("tag")
    uploaded = client.files.upload(file=jpeg(), file_name="shoe.jpg", folder=folder, tags=[tag, "shoe"],
                                   custom_metadata={brand: "Nike", colours: ["red", 5]}, is_private_file=True,
                                   description="A shoe", custom_coordinates="1,2,3,4",
                                   response_fields=["tags", "customMetadata", "isPrivateFile", "isPublished"])
    assert uploaded.tags == [tag, "shoe"] and uploaded.is_private_file is True and uploaded.is_published is True
    assert uploaded.custom_metadata == {price: 5, brand: "Nike", colours: ["red", 5]}  # the default, typed
    assert uploaded.version_info.name == "Version 1"
    stored = until_listed(client, uploaded.file_id)
    assert (stored.description, stored.custom_coordinates, stored.is_private_file) == ("A shoe", "1,2,3,4", True)

    # files.update, the details shape: null unsets.
    updated = client.files.update(uploaded.file_id, tags=None, custom_metadata={brand: None, price: 99.5},
                                  custom_coordinates=None, remove_ai_tags="all")
    assert updated.tags is None and updated.custom_coordinates is None
    assert updated.custom_metadata == {price: 99.5, colours: ["red", 5]}
    # ... and the publication shape.
    assert client.files.update(uploaded.file_id, publish={"isPublished": False}).is_published is False
    with pytest.raises(BadRequestError) as refused:
        client.files.update(uploaded.file_id, custom_metadata={price: "cheap"})
    assert price in refused.value.body["message"]
    with pytest.raises(BadRequestError) as refused:
        client.files.update(uploaded.file_id, extensions=[{"name": "google-auto-tagging", "maxTags": 5,
                                                           "minConfidence": 95}])
    assert "extensions" in refused.value.body["message"]

    # Bulk tags, then searches over what was edited.
    assert client.files.bulk.add_tags(file_ids=[uploaded.file_id], tags=[tag, "sale"]).successfully_updated_file_ids \
        == [uploaded.file_id]
    assert client.files.bulk.remove_tags(file_ids=[uploaded.file_id], tags=["sale"]).successfully_updated_file_ids \
        == [uploaded.file_id]
    assert client.files.bulk.remove_ai_tags(file_ids=[uploaded.file_id], ai_tags=["car"]) \
        .successfully_updated_file_ids == [uploaded.file_id]
    with pytest.raises(NotFoundError) as missing:
        client.files.bulk.add_tags(file_ids=[uploaded.file_id, "f" * 24], tags=["x"])
    assert missing.value.body["missingFileIds"] == ["f" * 24]
    for query in (f'tags IN ["{tag}"]', f'"customMetadata.{price}" > 50 AND "customMetadata.{price}" < 100',
                  f'"customMetadata.{colours}" IN [5] AND published = false AND private = true',
                  f'path = "{folder}" AND "embeddedMetadata.DateTimeOriginal" NOT EXISTS'):
        assert [item.file_id for item in client.assets.list(search_query=query)] == [uploaded.file_id], query


def test_a_browser_upload_signed_with_the_sdks_helper(local_stack: LocalStack) -> None:
    """The caller's server signs with getAuthenticationParameters; the browser sends no private key."""
    client = sdk(local_stack)
    signed = client.helper.get_authentication_parameters()
    folder = f"/browser-{uuid.uuid4().hex[:8]}"
    fields = {"fileName": "b.jpg", "folder": folder, "publicKey": local_stack.public_key, "token": signed["token"],
              "expire": str(signed["expire"]), "signature": signed["signature"], "useUniqueFileName": "false"}
    files = {"file": ("b.jpg", jpeg(), "image/jpeg")}

    answer = requests.post(f"{local_stack.api_url}/api/v1/files/upload", data=fields, files=files, timeout=30)
    assert answer.status_code == 200, answer.text
    until_listed(client, answer.json()["fileId"])
    # The token is spent: the same fields again are refused, saying which.
    again = requests.post(f"{local_stack.api_url}/api/v1/files/upload", data=fields, files=files, timeout=30)
    assert again.status_code == 400 and "`token`" in again.json()["message"]
    assert again.headers["x-should-retry"] == "false"
    # Without the fields, an upload without credentials is refused; a wrong signature too.
    bare = requests.post(f"{local_stack.api_url}/api/v1/files/upload", data={"fileName": "b.jpg"}, files=files,
                         timeout=30)
    assert bare.status_code == 401
    forged = {**fields, **client.helper.get_authentication_parameters(), "signature": "0" * 40}
    forged["expire"] = str(forged["expire"])
    assert requests.post(f"{local_stack.api_url}/api/v1/files/upload", data=forged, files=files,
                         timeout=30).status_code == 401
    # The Python SDK itself, with its Basic header taken off, as a client-side caller would send it.
    signed = client.helper.get_authentication_parameters()
    through_sdk = client.files.upload(file=jpeg(), file_name="c.jpg", folder=folder,
                                      public_key=local_stack.public_key, signature=signed["signature"],
                                      expire=signed["expire"], token=signed["token"],
                                      extra_headers={"Authorization": Omit()})
    assert through_sdk.file_path == f"{folder}/c.jpg" or through_sdk.file_path.startswith(f"{folder}/c_")


def test_the_searches_the_bench_measures_run(local_stack: LocalStack) -> None:
    """The 100,000-file benchmark's searches (bench/): a tag, a custom number range, DateTimeOriginal."""
    client = sdk(local_stack)
    price = client.custom_metadata_fields.create(name=unique("benchprice"), label=unique("Bench price"),
                                                 schema={"type": "Number"})
    queries: list[Any] = ['tags IN ["bench-sale"]',
                          f'"customMetadata.{price.name}" >= 100 AND "customMetadata.{price.name}" < 200',
                          '"embeddedMetadata.DateTimeOriginal" >= "2020-01-01" AND '
                          '"embeddedMetadata.DateTimeOriginal" < "2021-01-01"']
    for query in queries:
        assert isinstance(client.assets.list(search_query=query, limit=100), list)
    client.custom_metadata_fields.delete(price.id)
