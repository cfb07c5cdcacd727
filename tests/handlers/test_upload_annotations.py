"""What an upload keeps with its file, on moto: the hosted upload's fields (isPrivateFile, isPublished,
description, customCoordinates, typed customMetadata with the fields' defaults, overwriteTags and
overwriteCustomMetadata), versionInfo's name, a direct upload's S3 metadata typed by the fields; and client-side
uploads, signed with a public key instead of carrying the private one (docs/files-api.md, "Uploads from
browsers")."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from types import SimpleNamespace
from typing import Any

import pytest

from ops.keys import new_public_key
from service.auth.keys import KeyStore
from service.storage.records import file_id

from .conftest import BUCKET, KEYS_TABLE, define_fields, lambda_context, load_event, upload_event
from .test_files_write import BOUNDARY, CANON, body_of, by_id, form, ingest_upload, posted

PRIVATE_KEY = "private_" + "k" * 43


@pytest.fixture()
def shop(aws: SimpleNamespace) -> SimpleNamespace:
    define_fields(aws.dynamodb, brand={"type": "Text"}, price={"type": "Number", "minValue": 0},
                  sale={"type": "Boolean", "defaultValue": False},
                  sku={"type": "Text", "isValueRequired": True, "defaultValue": "none"})
    return aws


def upload(aws: SimpleNamespace, name: str, authorizer: dict[str, str] | None = None, **fields: str) -> dict:
    """An upload of the test image through the API (authorized as the event's key unless `authorizer` says)."""
    event_body = form({"fileName": name, "useUniqueFileName": "false", **fields},
                      ("upload", CANON.read_bytes(), "application/octet-stream"))
    if authorizer is None:
        return posted(aws, event_body)
    event = load_event("file_upload.json")
    event["body"] = base64.b64encode(event_body).decode()
    event["headers"] = {name: value for name, value in event["headers"].items() if name != "Authorization"}
    event["headers"]["Content-Type"] = f"multipart/form-data; boundary={BOUNDARY}"
    event["multiValueHeaders"] = {name: [value] for name, value in event["headers"].items()}
    event["requestContext"]["authorizer"] = authorizer
    return aws.upload(event, lambda_context())


def stored(aws: SimpleNamespace, key: str) -> dict[str, Any]:
    """The upload's record once the ingest has its event (a new sequencer each time, as S3 gives each write)."""
    ingest_upload(aws, key, f"{time.time_ns():018X}")
    response = by_id(aws, "file_details.json", file_id(BUCKET, key))
    assert response["statusCode"] == 200, response["body"]
    return body_of(response)


# ------------------------------------------------------------------ the hosted upload's fields


def test_an_upload_keeps_every_field_it_gives_and_the_fields_defaults(shop: SimpleNamespace) -> None:
    response = upload(shop, "shoe.jpg", tags="red,sale", customMetadata=json.dumps({"brand": "Nike", "price": 99.5}),
                      isPrivateFile="true", isPublished="false", description="A red shoe",
                      customCoordinates="1,2,30,40", overwriteAITags="false", extensions="[]",
                      responseFields="tags,customMetadata,isPrivateFile,isPublished,customCoordinates,"
                                     "selectedFieldsSchema")
    assert response["statusCode"] == 200, response["body"]
    answer = body_of(response)
    expected = {"tags": ["red", "sale"], "customMetadata": {"sale": False, "sku": "none", "brand": "Nike", "price": 99.5},
                "isPrivateFile": True, "isPublished": False, "customCoordinates": "1,2,30,40",
                "description": "A red shoe"}
    assert {key: answer[key] for key in expected} == expected
    assert answer["selectedFieldsSchema"] == {} and answer["versionInfo"]["name"] == "Version 1"

    details = stored(shop, "shoe.jpg")
    assert {key: details[key] for key in expected} == expected
    assert details["versionInfo"] == answer["versionInfo"]


def test_overwrite_rules_follow_the_hosted_upload(shop: SimpleNamespace) -> None:
    upload(shop, "a.jpg", tags="red", customMetadata='{"brand": "Nike"}', description="first",
           customCoordinates="1,1,1,1")
    stored(shop, "a.jpg")
    # No tags or custom metadata, with overwriteTags/overwriteCustomMetadata false: the file keeps its own;
    # coordinates and description describe the bytes, so they go.
    answer = body_of(upload(shop, "a.jpg", overwriteTags="false", overwriteCustomMetadata="false",
                            responseFields="tags,customMetadata"))
    assert (answer["tags"], answer["customMetadata"]["brand"], answer["versionInfo"]["name"]) == (
        ["red"], "Nike", "Version 2")
    details = stored(shop, "a.jpg")
    assert (details["tags"], details["customMetadata"]["brand"]) == (["red"], "Nike")
    assert (details["description"], details["customCoordinates"], details["versionInfo"]["name"]) == (
        None, None, "Version 2")
    # The defaults: overwriteTags and overwriteCustomMetadata are true, so an upload without them removes both
    # (the fields' defaults stay).
    upload(shop, "a.jpg")
    details = stored(shop, "a.jpg")
    assert (details["tags"], details["customMetadata"], details["versionInfo"]["name"]) == (
        None, {"sale": False, "sku": "none"}, "Version 3")
    # Given tags replace the file's whatever overwriteTags says.
    upload(shop, "a.jpg", tags="blue", overwriteTags="false")
    assert stored(shop, "a.jpg")["tags"] == ["blue"]


def test_custom_metadata_must_fit_its_fields(shop: SimpleNamespace) -> None:
    for metadata, named in (('{"colour": "red"}', "`customMetadata.colour`"), ('{"price": -1}', "`customMetadata.price`"),
                            ('{"sale": "yes"}', "`customMetadata.sale`")):
        response = upload(shop, "x.jpg", customMetadata=metadata)
        assert response["statusCode"] == 400 and named in body_of(response)["message"]
        assert response["multiValueHeaders"]["x-should-retry"] == ["false"]
    assert shop.s3.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0


def test_a_direct_uploads_metadata_is_typed_by_the_fields(shop: SimpleNamespace) -> None:
    body = CANON.read_bytes()
    shop.s3.put_object(Bucket=BUCKET, Key="direct/a.jpg", Body=body, Tagging="sale=&season=summer",
                       Metadata={"Price": "12.5", "sale": "true", "brand": "Acme", "shot-by": "Ana", "sku": "A-1"})
    assert shop.ingest(upload_event("direct/a.jpg", body, "0062B4F0A1C2D3E4F5"), lambda_context()) == \
        {"batchItemFailures": []}
    details = body_of(by_id(shop, "file_details.json", file_id(BUCKET, "direct/a.jpg")))
    assert details["tags"] == ["sale", "season=summer"]
    # A value that fits its field takes its name and type; any other stays the text S3 keeps.
    assert details["customMetadata"] == {"price": 12.5, "sale": True, "brand": "Acme", "shot-by": "Ana", "sku": "A-1"}
    shop.s3.put_object(Bucket=BUCKET, Key="direct/b.jpg", Body=body, Metadata={"price": "cheap"})
    shop.ingest(upload_event("direct/b.jpg", body, "0062B4F0A1C2D3E4F6"), lambda_context())
    assert body_of(by_id(shop, "file_details.json", file_id(BUCKET, "direct/b.jpg")))["customMetadata"] == {
        "price": "cheap", "sale": False, "sku": "none"}


# ------------------------------------------------------------------ client-side uploads


@pytest.fixture()
def signer(shop: SimpleNamespace) -> SimpleNamespace:
    """A key of the keys table, as `make keys` makes it; its public key signs uploads."""
    public_key = new_public_key()
    stored_key = KeyStore(shop.dynamodb, KEYS_TABLE).add(PRIVATE_KEY, key_id="key1", name="browser",
                                                         usage_key="usage", public_key=public_key)
    shop.public_key, shop.key_id = public_key, stored_key.key_id
    return shop


def signed(public_key: str, token: str | None = None, expire: int | None = None, key: str = PRIVATE_KEY) -> dict:
    """What the SDKs' getAuthenticationParameters gives a browser: token, expire (now + 30 min) and signature."""
    token = token or f"token-{time.time_ns()}"
    expire = expire or int(time.time()) + 1800
    signature = hmac.new(key.encode(), f"{token}{expire}".encode(), hashlib.sha1).hexdigest()
    return {"publicKey": public_key, "token": token, "expire": str(expire), "signature": signature}


ANONYMOUS = {"principalId": "client-upload", "clientUpload": "true"}


def test_a_signed_upload_without_a_private_key_is_stored(signer: SimpleNamespace) -> None:
    response = upload(signer, "browser.jpg", ANONYMOUS, **signed(signer.public_key), tags="from-a-browser")
    assert response["statusCode"] == 200, response["body"]
    assert stored(signer, "browser.jpg")["tags"] == ["from-a-browser"]
    # The SDKs send their Basic credentials beside the signature: both are checked, and must name one key.
    as_sdk = {"principalId": signer.key_id, "keyId": signer.key_id, "keyName": "browser"}
    assert upload(signer, "sdk.jpg", as_sdk, **signed(signer.public_key))["statusCode"] == 200
    other = {"principalId": "key2", "keyId": "key2", "keyName": "other"}
    response = upload(signer, "sdk.jpg", other, **signed(signer.public_key))
    assert response["statusCode"] == 401 and "another key" in body_of(response)["message"]


@pytest.mark.parametrize(
    ("change", "status", "named"),
    [
        (lambda s: {**s, "signature": "0" * 40}, 401, "`signature`"),
        (lambda s: {**s, "signature": s["signature"][:-1]}, 401, "`signature`"),
        (lambda s: {**s, "publicKey": "public_unknown"}, 401, "`publicKey`"),
        (lambda s: {**s, "expire": str(int(s["expire"]) + 1)}, 401, "`signature`"),  # not what was signed
        (lambda s: {key: value for key, value in s.items() if key != "token"}, 400, "`token`"),
        (lambda s: {key: value for key, value in s.items() if key != "publicKey"}, 400, "`publicKey`"),
        (lambda s: {**s, "expire": "soon"}, 400, "`expire`"),
        (lambda s: {}, 401, "no credentials"),
    ],
)
def test_bad_signatures_are_refused_saying_which_part(signer: SimpleNamespace, change: Any, status: int,
                                                        named: str) -> None:
    response = upload(signer, "x.jpg", ANONYMOUS, **change(signed(signer.public_key)))
    assert response["statusCode"] == status and named in body_of(response)["message"], response["body"]
    assert signer.s3.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0


@pytest.mark.parametrize("ahead", [-1, 3601])
def test_an_expire_past_or_over_an_hour_ahead_is_refused(signer: SimpleNamespace, ahead: int) -> None:
    response = upload(signer, "x.jpg", ANONYMOUS, **signed(signer.public_key, expire=int(time.time()) + ahead))
    assert response["statusCode"] == 400 and "`expire`" in body_of(response)["message"]


def test_a_token_is_spent_once_unless_its_upload_stored_nothing(signer: SimpleNamespace) -> None:
    fields = signed(signer.public_key)
    assert upload(signer, "once.jpg", ANONYMOUS, **fields)["statusCode"] == 200
    replayed = upload(signer, "twice.jpg", ANONYMOUS, **fields)
    assert replayed["statusCode"] == 400 and "`token`" in body_of(replayed)["message"]
    # An upload that fails before storing (here: the name is taken) gives its token back for the retry.
    fields = signed(signer.public_key)
    taken = upload(signer, "once.jpg", ANONYMOUS, **fields, overwriteFile="false")
    assert taken["statusCode"] == 409 and taken["multiValueHeaders"]["x-should-retry"] == ["false"]
    assert upload(signer, "other.jpg", ANONYMOUS, **fields)["statusCode"] == 200


def test_a_revoked_keys_signatures_are_refused(signer: SimpleNamespace) -> None:
    signer.dynamodb.update_item(TableName=KEYS_TABLE, Key={"keyHash": {"S": hashlib.sha256(PRIVATE_KEY.encode()).hexdigest()}},
                                UpdateExpression="SET revokedAt = :now", ExpressionAttributeValues={":now": {"S": "now"}})
    response = upload(signer, "x.jpg", ANONYMOUS, **signed(signer.public_key))
    assert response["statusCode"] == 401
