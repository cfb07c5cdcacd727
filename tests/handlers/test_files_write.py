"""Uploads through the API, upload URLs and deletes, invoked in-process with the files in events/, on moto.

Expected metadata and embeddedMetadata are the core's own (`extract`, `embedded_metadata`), whose agreement
with sharp, node-exif and ExifTool the unit tests establish; the record the ingest writes must equal what the
upload answered.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from types import SimpleNamespace
from typing import Any

import pytest
import requests
from PIL import Image

from handlers import upload
from handlers.settings import UploadSettings
from imagemeta import Limits, embedded_metadata, extract, thumbnail
from imagemeta.budget import BASE_BYTES
from imagemeta.fetch.policy import FetchSettings
from service.storage.records import file_id
from service.storage.seeds import Seeds, seed_key

from ..paths import IMAGES
from .conftest import BUCKET, KEYS_TABLE, TABLE, define_fields, for_file, lambda_context, load_event, upload_event

CANON = IMAGES / "exif-samples" / "jpg" / "Canon_40D.jpg"
UPLOADED = "photos/Canon_40D.jpg"  # where events/file_upload.json puts the file
BOUNDARY = "test-boundary-7d1e"


@pytest.fixture(autouse=True)
def fields(aws: SimpleNamespace) -> None:
    """The custom metadata fields the uploads here give values of (events/file_upload.json's `camera`)."""
    define_fields(aws.dynamodb, camera={"type": "Text"}, place={"type": "Text"}, n={"type": "Number"})


def form(fields: dict[str, str], file_part: tuple[str, bytes, str] | None = None) -> bytes:
    """A multipart body: text fields, then (file name, bytes, type) as the `file` part."""
    body = b""
    for name, value in fields.items():
        body += f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    if file_part:
        name, data, kind = file_part
        body += (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                 f"Content-Type: {kind}\r\n\r\n").encode() + data + b"\r\n"
    return body + f"--{BOUNDARY}--\r\n".encode()


def posted(aws: SimpleNamespace, body: bytes, content_type: str = f"multipart/form-data; boundary={BOUNDARY}") -> dict:
    """events/file_upload.json with another body."""
    event = load_event("file_upload.json")
    event["body"] = base64.b64encode(body).decode()
    event["headers"] = {**event["headers"], "Content-Type": content_type}
    event["multiValueHeaders"] = {name: [value] for name, value in event["headers"].items()}
    return aws.upload(event, lambda_context())


def body_of(response: dict) -> Any:
    return json.loads(response["body"])


def ingest_upload(aws: SimpleNamespace, key: str, sequencer: str = "0062B4F0A1C2D3E4F5") -> None:
    """The upload's S3 event (its ETag as S3 notifies it) through the ingest."""
    body = aws.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    assert aws.ingest(upload_event(key, body, sequencer), lambda_context()) == {"batchItemFailures": []}


def by_id(aws: SimpleNamespace, event_name: str, fid: str) -> dict:
    return aws.files(for_file(event_name, fid), lambda_context())


# ------------------------------------------------------------------ upload


def test_the_sample_upload_answers_the_hosted_response_with_the_fields_asked(aws: SimpleNamespace) -> None:
    response = aws.upload(load_event("file_upload.json"), lambda_context())

    assert response["statusCode"] == 200, response["body"]
    answer = body_of(response)
    fid = file_id(BUCKET, UPLOADED)
    assert list(answer)[:11] == ["fileId", "name", "size", "versionInfo", "filePath", "url", "fileType", "height",
                                 "width", "thumbnailUrl", "AITags"]
    assert answer == {
        **answer,
        "fileId": fid,
        "name": "Canon_40D.jpg",
        "size": CANON.stat().st_size,
        "versionInfo": {"id": fid, "name": "Version 1"},
        "filePath": "/" + UPLOADED,
        "fileType": "image",
        "tags": ["canon", "sample"],
        "customMetadata": {"camera": "40D"},
    }
    assert answer["metadata"] == extract(CANON)
    assert answer["embeddedMetadata"] == embedded_metadata(CANON)
    assert "isPrivateFile" not in answer  # not asked for
    # The object, as S3 keeps it: its tags and custom metadata wait for the ingest in its seed, not in S3.
    head = aws.s3.head_object(Bucket=BUCKET, Key=UPLOADED)
    assert (head["ContentType"], head["Metadata"]) == ("image/jpeg", {"imagemeta-seed": "1"})
    assert aws.s3.get_object_tagging(Bucket=BUCKET, Key=UPLOADED)["TagSet"] == []
    assert requests.get(answer["url"], timeout=10).content == CANON.read_bytes()


def test_the_ingest_writes_the_record_from_the_uploads_extraction(aws: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    answer = body_of(aws.upload(load_event("file_upload.json"), lambda_context()))
    md5 = hashlib.md5(CANON.read_bytes()).hexdigest()
    prepared = seed_key(answer["fileId"], md5)
    assert "Item" in aws.dynamodb.get_item(TableName=TABLE, Key=prepared)

    def no_extraction(*_: object) -> None:
        raise AssertionError("the ingest extracted an upload the API had extracted")

    monkeypatch.setattr(thumbnail, "extract_with_thumbnail", no_extraction)
    ingest_upload(aws, UPLOADED)

    assert "Item" not in aws.dynamodb.get_item(TableName=TABLE, Key=prepared)  # used, then discarded
    assert json.loads(by_id(aws, "file_metadata.json", answer["fileId"])["body"]) == answer["metadata"]
    stored = body_of(by_id(aws, "file_details.json", answer["fileId"]))
    assert (stored["embeddedMetadata"], stored["tags"], stored["customMetadata"]) == (
        answer["embeddedMetadata"], answer["tags"], answer["customMetadata"])


def test_an_extraction_for_other_bytes_is_not_used(aws: SimpleNamespace) -> None:
    """The object was overwritten after the upload: the ingest reads what S3 holds, not the old extraction."""
    answer = body_of(aws.upload(load_event("file_upload.json"), lambda_context()))
    small = (IMAGES / "phash-vectors" / "first.jpg").read_bytes()
    aws.s3.put_object(Bucket=BUCKET, Key=UPLOADED, Body=small)
    ingest_upload(aws, UPLOADED)
    assert json.loads(by_id(aws, "file_metadata.json", answer["fileId"])["body"]) == extract(small)


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda data: base64.b64encode(data).decode(), id="base64"),
        pytest.param(lambda data: "data:image/jpeg;base64," + base64.b64encode(data).decode(), id="data-uri"),
    ],
)
def test_the_file_may_come_as_base64_text(aws: SimpleNamespace, encode: Any) -> None:
    data = CANON.read_bytes()
    response = posted(aws, form({"fileName": "b64.jpg", "file": encode(data), "responseFields": "metadata"}))
    assert response["statusCode"] == 200, response["body"]
    answer = body_of(response)
    assert re.fullmatch(r"b64_[A-Za-z0-9]{8}\.jpg", answer["name"])  # useUniqueFileName defaults to true
    assert answer["metadata"] == extract(CANON)
    assert aws.s3.get_object(Bucket=BUCKET, Key=answer["name"])["Body"].read() == data


def test_a_non_image_upload_is_a_non_image_file(aws: SimpleNamespace) -> None:
    response = posted(aws, form({"fileName": "notes.txt", "useUniqueFileName": "false", "responseFields": "metadata"},
                                ("notes.txt", b"plain text", "text/plain")))
    answer = body_of(response)
    assert (answer["fileType"], answer["height"], answer["metadata"]) == ("non-image", None, None)
    assert aws.s3.head_object(Bucket=BUCKET, Key="notes.txt")["ContentType"] == "text/plain"
    ingest_upload(aws, "notes.txt")
    assert body_of(by_id(aws, "file_details.json", answer["fileId"]))["fileType"] == "non-image"


def test_overwrite_file_false_refuses_an_existing_file(aws: SimpleNamespace) -> None:
    fields = {"fileName": "once.jpg", "useUniqueFileName": "false", "overwriteFile": "false"}
    assert posted(aws, form(fields, ("once.jpg", CANON.read_bytes(), "image/jpeg")))["statusCode"] == 200
    again = posted(aws, form(fields, ("once.jpg", b"other bytes", "image/jpeg")))
    assert again["statusCode"] == 409
    assert aws.s3.get_object(Bucket=BUCKET, Key="once.jpg")["Body"].read() == CANON.read_bytes()
    # Without it, the file is replaced, as the hosted API's default says.
    del fields["overwriteFile"]
    assert posted(aws, form(fields, ("once.jpg", b"other bytes", "image/jpeg")))["statusCode"] == 200


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"folder": "/_imagemeta/records/"}, "`folder`"),
        ({"folder": "/a b/"}, "`folder`"),
        ({"fileName": ""}, "`fileName`"),
        ({"extensions": '[{"name": "remove-bg"}]'}, "does not run extensions"),
        ({"webhookUrl": "https://example.com/"}, "`webhookUrl`"),
        ({"transformation": '{"pre": "w-100"}'}, "`transformation`"),
        ({"checks": '"file.size" < "1mb"'}, "`checks`"),
        ({"overwriteTags": "no"}, "`overwriteTags`"),
        ({"isPrivateFile": "1"}, "`isPrivateFile`"),
        ({"useUniqueFileName": "yes"}, "`useUniqueFileName`"),
        ({"tags": ",".join(f"tag{n:03d}" for n in range(100))}, "`tags`"),  # over 500 characters
        ({"tags": "50%off"}, "`tags`"),
        ({"customCoordinates": "1,2"}, "`customCoordinates`"),
        ({"customMetadata": "[1]"}, "`customMetadata`"),
        ({"customMetadata": '{"bad name": 1}'}, "`customMetadata.bad name`"),
        ({"customMetadata": '{"n": "three"}'}, "`customMetadata.n`"),
        ({"customMetadata": json.dumps({"place": "x" * 50_000})}, "`customMetadata.place`"),
        ({"responseFields": "metadata,colour"}, "`responseFields`"),
        ({"colour": "red"}, "`colour`"),
    ],
)
def test_bad_fields_are_400_naming_them(aws: SimpleNamespace, fields: dict[str, str], named: str) -> None:
    response = posted(aws, form({"fileName": "x.jpg", **fields}, ("x.jpg", CANON.read_bytes(), "image/jpeg")))
    assert response["statusCode"] == 400
    assert named in body_of(response)["message"]
    assert aws.s3.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0


@pytest.mark.parametrize(
    ("body", "content_type", "named"),
    [
        (form({"fileName": "x.jpg"}), f"multipart/form-data; boundary={BOUNDARY}", "`file`"),
        (form({"fileName": "x.jpg", "file": "not base64!"}), f"multipart/form-data; boundary={BOUNDARY}", "`file`"),
        (b'{"fileName": "x.jpg"}', "application/json", "multipart/form-data"),
        (b"--other\r\n", f"multipart/form-data; boundary={BOUNDARY}", "boundary"),
        (form({"fileName": "x.jpg"}), "multipart/form-data", "boundary"),
    ],
)
def test_malformed_uploads_are_400(aws: SimpleNamespace, body: bytes, content_type: str, named: str) -> None:
    response = posted(aws, body, content_type)
    assert response["statusCode"] == 400
    assert named in body_of(response)["message"]


def test_non_ascii_custom_metadata_round_trips(aws: SimpleNamespace) -> None:
    fields = {"fileName": "café.jpg", "useUniqueFileName": "false", "customMetadata": '{"place": "Zürich", "n": 3}',
              "responseFields": "customMetadata"}
    answer = body_of(posted(aws, form(fields, ("c.jpg", CANON.read_bytes(), "image/jpeg"))))
    assert answer["name"] == "caf_.jpg"  # the hosted rule for file names
    ingest_upload(aws, "caf_.jpg")
    # Kept in the record as JSON, not as S3 user metadata: text stays text, a number a number.
    assert body_of(by_id(aws, "file_details.json", answer["fileId"]))["customMetadata"] == {"place": "Zürich", "n": 3}


# ------------------------------------------------------------------ upload URL


def test_an_upload_url_puts_the_file_with_its_tags(aws: SimpleNamespace) -> None:
    response = aws.upload(load_event("upload_url.json"), lambda_context())
    assert response["statusCode"] == 200, response["body"]
    answer = body_of(response)
    assert answer["method"] == "PUT"
    assert answer["filePath"] == "/scans/large-scan.tiff"
    assert answer["fileId"] == file_id(BUCKET, "scans/large-scan.tiff")
    assert answer["headers"] == {"Content-Type": "image/tiff", "x-amz-tagging": "archive="}
    put = requests.put(answer["url"], data=b"II*\0scan", headers=answer["headers"], timeout=10)
    assert put.status_code == 200
    assert aws.s3.get_object_tagging(Bucket=BUCKET, Key="scans/large-scan.tiff")["TagSet"] == [{"Key": "archive", "Value": ""}]


def test_an_upload_url_refuses_the_reserved_prefix(aws: SimpleNamespace) -> None:
    event = load_event("upload_url.json")
    event["body"] = base64.b64encode(json.dumps({"fileName": "x", "folder": "_imagemeta"}).encode()).decode()
    response = aws.upload(event, lambda_context())
    assert response["statusCode"] == 400 and "`folder`" in body_of(response)["message"]


# ------------------------------------------------------------------ delete


def put_and_ingest(aws: SimpleNamespace) -> None:
    """The file the delete events name (the upload event's), put with an ordinary S3 client and ingested."""
    aws.s3.put_object(Bucket=BUCKET, Key=UPLOADED, Body=CANON.read_bytes())
    ingest_upload(aws, UPLOADED)


def test_delete_removes_the_object_and_the_ingest_the_record(aws: SimpleNamespace) -> None:
    put_and_ingest(aws)

    response = aws.delete(load_event("file_delete.json"), lambda_context())

    assert (response["statusCode"], response["body"]) == (204, "")
    assert aws.s3.list_objects_v2(Bucket=BUCKET, Prefix="photos/").get("KeyCount") == 0
    removal = upload_event(UPLOADED, b"", "0062B4F0A1C2D3E4F6")
    message = json.loads(removal["Records"][0]["body"])
    message["Records"][0]["eventName"] = "ObjectRemoved:Delete"
    removal["Records"][0]["body"] = json.dumps(message)
    assert aws.ingest(removal, lambda_context()) == {"batchItemFailures": []}
    assert aws.files(for_file("file_metadata.json", file_id(BUCKET, UPLOADED)), lambda_context())["statusCode"] == 404
    # Deleting again: there is no such file.
    assert aws.delete(load_event("file_delete.json"), lambda_context())["statusCode"] == 404


def test_bulk_delete_deletes_all_or_names_the_missing(aws: SimpleNamespace) -> None:
    put_and_ingest(aws)
    present = file_id(BUCKET, UPLOADED)
    absent = "0" * 24

    event = load_event("files_bulk_delete.json")
    event["body"] = base64.b64encode(json.dumps({"fileIds": [present, absent]}).encode()).decode()
    refused = aws.delete(event, lambda_context())
    assert refused["statusCode"] == 404
    assert body_of(refused)["missingFileIds"] == [absent]
    assert aws.s3.list_objects_v2(Bucket=BUCKET, Prefix="photos/").get("KeyCount") == 1  # nothing deleted

    response = aws.delete(load_event("files_bulk_delete.json"), lambda_context())
    assert (response["statusCode"], body_of(response)) == (200, {"successfullyDeletedFileIds": [present]})
    assert aws.s3.list_objects_v2(Bucket=BUCKET, Prefix="photos/").get("KeyCount") == 0


@pytest.mark.parametrize("body", [{}, {"fileIds": []}, {"fileIds": ["x"]}, {"fileIds": ["0" * 24] * 101}, [1]])
def test_bulk_delete_checks_its_body(aws: SimpleNamespace, body: Any) -> None:
    event = load_event("files_bulk_delete.json")
    event["body"] = base64.b64encode(json.dumps(body).encode()).decode()
    response = aws.delete(event, lambda_context())
    assert response["statusCode"] == 400 and "`fileIds`" in body_of(response)["message"]


def test_an_upload_over_its_decoding_budget_is_left_to_the_ingest(aws: SimpleNamespace) -> None:
    """No 413 record from the upload route's smaller budget: the ingest (or its larger function) decodes it."""
    small_budget = Limits(max_decode_bytes=BASE_BYTES + 4 * 2**20)  # a 2000x1500 PNG's lines do not fit
    uploading = upload.build(UploadSettings(BUCKET, TABLE, small_budget, FetchSettings(), 3600, KEYS_TABLE),
                             aws.clients)
    out = io.BytesIO()
    Image.linear_gradient("L").resize((2000, 1500)).convert("RGB").save(out, "PNG")
    event = load_event("file_upload.json")
    event["body"] = base64.b64encode(form({"fileName": "wide.png", "folder": "/budget", "useUniqueFileName": "false"},
                                          ("wide.png", out.getvalue(), "image/png"))).decode()
    event["headers"] = {**event["headers"], "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    event["multiValueHeaders"] = {name: [value] for name, value in event["headers"].items()}

    answer = body_of(uploading(event, lambda_context()))
    md5 = hashlib.md5(out.getvalue()).hexdigest()
    # The seed carries the upload's annotations only: the ingest reads the bytes (its larger function may decode).
    seed = Seeds(aws.dynamodb, TABLE).take(answer["fileId"], md5)
    assert seed is not None and seed.extraction is None

    ingest_upload(aws, "budget/wide.png")
    assert json.loads(by_id(aws, "file_metadata.json", answer["fileId"])["body"]) == extract(out.getvalue())


# ------------------------------------------------------------------ hostile bodies (#23): 400, never 500

DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(
    ("event_name", "body", "named"),
    [
        ("upload_url.json", DEEP, "JSON"),
        ("upload_url.json", '{"fileName": "x.jpg", "customMetadata": {"n": ' + "9" * 5000 + "}}", "JSON"),
        ("upload_url.json", json.dumps({"fileName": "x.jpg", "customMetadata": {"place": "a\r\nX-Injected: 1"}}),
         "`customMetadata`"),
        ("files_bulk_delete.json", DEEP, "JSON"),
    ],
)
def test_hostile_json_bodies_are_400(aws: SimpleNamespace, event_name: str, body: str, named: str) -> None:
    event = load_event(event_name)
    event["body"], event["isBase64Encoded"] = body, False
    handler = aws.upload if event_name == "upload_url.json" else aws.delete
    response = handler(event, lambda_context())
    assert response["statusCode"] == 400, response["body"]
    assert named in body_of(response)["message"]


@pytest.mark.parametrize("custom", ["[" * 100_000 + "]" * 100_000, '{"n": ' + "9" * 5000 + "}"])
def test_hostile_custom_metadata_in_an_upload_is_400_and_leaves_nothing(aws: SimpleNamespace, custom: str) -> None:
    response = posted(aws, form({"fileName": "x.jpg", "customMetadata": custom}, ("x.jpg", CANON.read_bytes(), "image/jpeg")))
    assert response["statusCode"] == 400 and "`customMetadata`" in body_of(response)["message"]
    assert aws.s3.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0
    assert [item for item in aws.dynamodb.scan(TableName=TABLE)["Items"] if item["pk"]["S"].startswith("_seed#")] == []
