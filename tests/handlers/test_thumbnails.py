"""Thumbnails through the functions, on moto: made by the ingest or the upload, held by the record, released with it.

Each test counts the objects under `_imagemeta/thumbnails/`: a thumbnail no record holds is a leak (storage paid
for ever), a record pointing at a missing one a broken picture.
"""
from __future__ import annotations

import io
import json
from types import SimpleNamespace
from typing import Any

import pytest
import requests
from PIL import Image

from imagemeta.limits import Limits
from service.storage.items import thumbnail_of
from service.storage.records import file_id
from service.storage.thumbnails import THUMBNAIL_PREFIX, ThumbnailStore, kept_thumbnail
from service.storage.thumbnails import stored_thumbnail as stored_thumbnail_key

from ..paths import IMAGES
from .conftest import BUCKET, KEYS_TABLE, TABLE, define_fields, for_file, lambda_context, load_event, upload_event
from .test_files_write import BOUNDARY, form, ingest_upload, posted

CANON = IMAGES / "exif-samples" / "jpg" / "Canon_40D.jpg"
SECOND = IMAGES / "phash-vectors" / "second.jpg"
KEY = "photos/Canon 40D.jpg"


def put_and_ingest(aws: SimpleNamespace, key: str, body: bytes, sequencer: str, **put: Any) -> None:
    aws.s3.put_object(Bucket=BUCKET, Key=key, Body=body, **put)
    assert aws.ingest(upload_event(key, body, sequencer), lambda_context()) == {"batchItemFailures": []}


def delete_and_ingest(aws: SimpleNamespace, key: str, sequencer: str) -> None:
    aws.s3.delete_object(Bucket=BUCKET, Key=key)
    event = upload_event(key, b"", sequencer)
    message = json.loads(event["Records"][0]["body"])
    message["Records"][0]["eventName"] = "ObjectRemoved:Delete"
    event["Records"][0]["body"] = json.dumps(message)
    assert aws.ingest(event, lambda_context()) == {"batchItemFailures": []}


def thumbnails(aws: SimpleNamespace) -> list[str]:
    listed = aws.s3.list_objects_v2(Bucket=BUCKET, Prefix=THUMBNAIL_PREFIX).get("Contents", [])
    return sorted(item["Key"] for item in listed)


def stored_thumbnail(aws: SimpleNamespace, key: str) -> str:
    item = aws.dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": file_id(BUCKET, key)}, "sk": {"S": "F"}})["Item"]
    return thumbnail_of(item) or ""


def details(aws: SimpleNamespace, key: str) -> dict:
    response = aws.files(for_file("file_details.json", file_id(BUCKET, key)), lambda_context())
    assert response["statusCode"] == 200, response["body"]
    return dict(json.loads(response["body"]))


def webp_size(url: str) -> tuple[int, int]:
    response = requests.get(url, timeout=10)
    assert response.status_code == 200 and response.content[8:12] == b"WEBP"
    return Image.open(io.BytesIO(response.content)).size


def test_the_ingest_makes_the_thumbnail_the_file_object_shows(aws: SimpleNamespace) -> None:
    put_and_ingest(aws, KEY, CANON.read_bytes(), "0062B4F0A1C2D3E4F5", ContentType="image/jpeg")
    (key,) = thumbnails(aws)
    assert key == stored_thumbnail(aws, KEY)
    assert key.startswith(f"{THUMBNAIL_PREFIX}{file_id(BUCKET, KEY)}/406958840ad1665ffcd1be9c29d515b9-")  # its file, its ETag
    head = aws.s3.head_object(Bucket=BUCKET, Key=key)
    assert (head["ContentType"], head["CacheControl"]) == ("image/webp", "public, max-age=31536000, immutable")
    assert webp_size(details(aws, KEY)["thumbnail"]) == (100, 68)


def test_a_record_keeps_only_the_random_part_of_its_thumbnail_s_key() -> None:
    # The rest is the record's own fileId and ETag: 12 bytes in the item instead of about 90, which keeps a camera
    # JPEG's record within one write unit (docs/benchmarks.md, "Ingest cost").
    fid, etag = file_id(BUCKET, KEY), "406958840ad1665ffcd1be9c29d515b9"
    own = f"{THUMBNAIL_PREFIX}{fid}/{etag}-0123456789ab.webp"
    assert stored_thumbnail_key(own, fid, etag) == "0123456789ab"
    assert kept_thumbnail(stored_thumbnail_key(own, fid, etag), fid, etag) == own
    # Another file's or another version's key is kept whole, and none is "".
    for other in (f"{THUMBNAIL_PREFIX}{fid}/{'0' * 32}-0123456789ab.webp", f"{THUMBNAIL_PREFIX}x/{etag}-0123456789ab.webp"):
        assert stored_thumbnail_key(other, fid, etag) == other and kept_thumbnail(other, fid, etag) == other
    assert (stored_thumbnail_key(None, fid, etag), kept_thumbnail("", fid, etag)) == ("", None)


def test_an_overwrite_replaces_the_thumbnail_and_a_delete_removes_it(aws: SimpleNamespace) -> None:
    put_and_ingest(aws, KEY, CANON.read_bytes(), "0062B4F0A1C2D3E4F5")
    (first,) = thumbnails(aws)
    put_and_ingest(aws, KEY, SECOND.read_bytes(), "0062B4F0A1C2D3E4F6")
    (second,) = thumbnails(aws)
    assert second != first and second == stored_thumbnail(aws, KEY)
    assert webp_size(details(aws, KEY)["thumbnail"]) == (160, 200)
    delete_and_ingest(aws, KEY, "0062B4F0A1C2D3E4F7")
    assert thumbnails(aws) == []


def test_a_repeated_or_stale_event_stores_no_thumbnail(aws: SimpleNamespace) -> None:
    put_and_ingest(aws, KEY, SECOND.read_bytes(), "0062B4F0A1C2D3E4F9")
    held = thumbnails(aws)
    puts: list[str] = []
    aws.s3.meta.events.register("before-call.s3.PutObject", lambda params, **_: puts.append(params["Key"]))
    # The same event again, and an older one (S3 holds the newer bytes: the write finds nothing to change).
    for sequencer in ("0062B4F0A1C2D3E4F9", "0062B4F0A1C2D3E4F5"):
        assert aws.ingest(upload_event(KEY, SECOND.read_bytes(), sequencer), lambda_context()) == {"batchItemFailures": []}
        assert thumbnails(aws) == held == [stored_thumbnail(aws, KEY)]
    assert puts == []  # nor puts one to delete it again (a PUT costs as much as the thumbnail)


def test_a_file_that_is_no_image_has_no_thumbnail(aws: SimpleNamespace) -> None:
    put_and_ingest(aws, "notes.html", b"<script>alert(1)</script>", "0062B4F0A1C2D3E4F5", ContentType="text/html")
    assert details(aws, "notes.html")["thumbnail"] is None and thumbnails(aws) == []


def test_an_image_the_budget_refuses_gets_none(aws: SimpleNamespace) -> None:
    # IngestLargeFunction's last word over its budget: a 413 record, and no thumbnail.
    from handlers import ingest
    from handlers.settings import IngestSettings

    small = ingest.build(IngestSettings(BUCKET, TABLE, Limits(max_decode_bytes=1)), aws.clients)
    aws.s3.put_object(Bucket=BUCKET, Key=KEY, Body=CANON.read_bytes())
    assert small(upload_event(KEY, CANON.read_bytes(), "0062B4F0A1C2D3E4F5"), lambda_context()) == {
        "batchItemFailures": []}
    assert thumbnails(aws) == []
    assert details(aws, KEY)["thumbnail"] is None


def test_a_thumbnail_s3_refuses_never_fails_the_ingest(aws: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*_: object) -> None:
        raise RuntimeError("AccessDenied")

    monkeypatch.setattr(ThumbnailStore, "put", refused)
    put_and_ingest(aws, KEY, CANON.read_bytes(), "0062B4F0A1C2D3E4F5")
    found = details(aws, KEY)
    assert (found["thumbnail"], found["height"]) == (None, 68)
    assert stored_thumbnail(aws, KEY) == ""  # read by a version that makes thumbnails: a backfill leaves it


def test_a_record_written_before_thumbnails_gets_one_from_the_backfills_event(aws: SimpleNamespace) -> None:
    put_and_ingest(aws, KEY, CANON.read_bytes(), "0062B4F0A1C2D3E4F5")
    fid = {"pk": {"S": file_id(BUCKET, KEY)}, "sk": {"S": "F"}}
    aws.s3.delete_object(Bucket=BUCKET, Key=stored_thumbnail(aws, KEY))
    aws.dynamodb.update_item(TableName=TABLE, Key=fid, UpdateExpression="REMOVE thumb")  # as version 3 wrote it
    assert aws.ingest(upload_event(KEY, CANON.read_bytes(), "0"), lambda_context()) == {"batchItemFailures": []}
    assert thumbnails(aws) == [stored_thumbnail(aws, KEY)]


def test_the_upload_answers_a_thumbnail_url_and_the_ingest_makes_no_second_one(aws: SimpleNamespace) -> None:
    define_fields(aws.dynamodb, camera={"type": "Text"})  # the field the event's customMetadata gives a value of
    answer = json.loads(aws.upload(load_event("file_upload.json"), lambda_context())["body"])
    (made,) = thumbnails(aws)
    assert webp_size(answer["thumbnailUrl"]) == (100, 68)  # there before the record is
    ingest_upload(aws, "photos/Canon_40D.jpg")
    assert thumbnails(aws) == [made] == [stored_thumbnail(aws, "photos/Canon_40D.jpg")]


def test_a_refused_upload_leaves_no_thumbnail(aws: SimpleNamespace) -> None:
    fields = {"fileName": "once.jpg", "useUniqueFileName": "false", "overwriteFile": "false"}
    assert posted(aws, form(fields, ("once.jpg", CANON.read_bytes(), "image/jpeg")))["statusCode"] == 200
    kept = thumbnails(aws)
    again = posted(aws, form(fields, ("once.jpg", SECOND.read_bytes(), "image/jpeg")))
    assert again["statusCode"] == 409
    assert thumbnails(aws) == kept


def test_a_non_image_upload_answers_no_thumbnail_url(aws: SimpleNamespace) -> None:
    response = posted(aws, form({"fileName": "page.html"}, ("page.html", b"<b>hi</b>", "text/html")),
                      f"multipart/form-data; boundary={BOUNDARY}")
    assert json.loads(response["body"])["thumbnailUrl"] is None and thumbnails(aws) == []


def test_a_deployment_with_thumbnails_off_makes_none(aws: SimpleNamespace) -> None:
    # Thumbnails=Off: no PUT (nor its event) per image; File objects answer thumbnail null.
    from handlers import ingest, upload
    from handlers.settings import IngestSettings, UploadSettings
    from imagemeta.fetch.policy import FetchSettings
    from imagemeta.limits import DEFAULT_LIMITS

    aws.ingest = ingest.build(IngestSettings(BUCKET, TABLE, DEFAULT_LIMITS, thumbnails=False), aws.clients)
    put_and_ingest(aws, KEY, CANON.read_bytes(), "0062B4F0A1C2D3E4F5")
    assert thumbnails(aws) == [] and details(aws, KEY)["thumbnail"] is None
    assert details(aws, KEY)["width"] == 100  # the rest of the record as ever
    aws.upload = upload.build(UploadSettings(BUCKET, TABLE, DEFAULT_LIMITS, FetchSettings(), 3600, KEYS_TABLE,
                                             thumbnails=False), aws.clients)
    answer = posted(aws, form({"fileName": "again.jpg"}, ("again.jpg", SECOND.read_bytes(), "image/jpeg")))
    assert answer["statusCode"] == 200, answer["body"]
    assert json.loads(answer["body"])["thumbnailUrl"] is None and thumbnails(aws) == []
