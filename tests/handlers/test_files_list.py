"""GET /v1/files (list and search), GET /v1/files/{fileId}/details and /byPath, invoked in-process on moto.

Uploads go through the real ingest (S3 object, then its event) where the File object's facts matter; the
paging and search tests write records with the ingest's own RecordStore (tests/records.py), as the
similar-search tests do.
Expected orders are computed here from the values the test wrote, by the rules of docs/files-api.md.
"""
from __future__ import annotations

import base64
import gzip
import io
import json
import time
from dataclasses import replace
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from PIL import Image

from imagemeta import embedded_metadata, extract
from service.api import resolver
from service.storage.folders import folder_id
from service.storage.library_pages import Pages
from service.storage.records import file_id

from ..paths import IMAGES
from ..records import image_metadata, record_store, write_record
from .conftest import BUCKET, SEARCH_MAX_RECORDS, TABLE, for_file, lambda_context, load_event, upload_event

CANON = IMAGES / "exif-samples" / "jpg" / "Canon_40D.jpg"
KEY = "photos/Canon 40D.jpg"  # the key the files in events/ name


def call(aws: SimpleNamespace, event_name: str, query: dict[str, str] | None = None, **changes: Any) -> dict:
    """An API event from events/, its query string replaced when given, answered by the files function."""
    event = load_event(event_name)
    if query is not None:
        event["queryStringParameters"] = query
        event["multiValueQueryStringParameters"] = {name: [value] for name, value in query.items()}
    event.update(changes)
    return aws.files(event, lambda_context())


def by_id(aws: SimpleNamespace, event_name: str, fid: str) -> dict:
    return aws.files(for_file(event_name, fid), lambda_context())


def body_of(response: dict) -> Any:
    payload = response["body"]
    if response.get("isBase64Encoded"):
        payload = gzip.decompress(base64.b64decode(payload)).decode()
    return json.loads(payload)


def listed(aws: SimpleNamespace, **query: str) -> list[dict]:
    response = call(aws, "files_list.json", query)
    assert response["statusCode"] == 200, response["body"]
    return body_of(response)


def error_of(aws: SimpleNamespace, **query: str) -> str:
    response = call(aws, "files_list.json", query)
    assert response["statusCode"] == 400, response["body"]
    return body_of(response)["message"]


def png(width: int, height: int, mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


def upload(aws: SimpleNamespace, key: str, body: bytes, sequencer: str, **put: Any) -> None:
    """An object put with an ordinary S3 client, then its event through the ingest."""
    aws.s3.put_object(Bucket=BUCKET, Key=key, Body=body, **put)
    assert aws.ingest(upload_event(key, body, sequencer), lambda_context()) == {"batchItemFailures": []}


def synthetic(aws: SimpleNamespace, key: str, sequence: int, size: int, width: int, height: int, when: str,
              image_format: str = "png") -> None:
    """A record as the ingest writes it, for an image of these facts, last modified `when`."""
    metadata = image_metadata(width, height, size, f"{sequence:016x}", image_format)
    store = record_store(aws.dynamodb, aws.s3, TABLE, BUCKET)
    assert write_record(store, Pages(aws.dynamodb, TABLE), key, sequence, metadata=metadata, embedded={}, size=size,
                        when=when)


# ------------------------------------------------------------------ the File object


def test_an_untagged_object_costs_no_tagging_request(aws: SimpleNamespace) -> None:
    # GetObject's TagCount says there are none; S3 charges a GET-class request for asking anyway.
    asked: list[str] = []
    aws.s3.meta.events.register("before-call.s3.GetObjectTagging", lambda **_: asked.append("tagging"))
    upload(aws, KEY, CANON.read_bytes(), "0062B4F0A1C2D3E4F5", ContentType="image/jpeg")

    (found,) = listed(aws, path="/photos/")
    assert (found["tags"], asked) == (None, [])  # the hosted API answers null for no tags


def test_a_listed_file_is_the_hosted_file_object_of_the_stored_facts(aws: SimpleNamespace) -> None:
    body = CANON.read_bytes()
    upload(aws, KEY, body, "0062B4F0A1C2D3E4F5", ContentType="image/jpeg", Tagging="summer=&team=blue",
           Metadata={"brand": "Acme", "shot-by": "Ana"})

    (found,) = listed(aws, path="/photos/")

    metadata = extract(CANON)
    head = aws.s3.head_object(Bucket=BUCKET, Key=KEY)
    assert list(found) == ["type", "name", "createdAt", "updatedAt", "fileId", "tags", "AITags", "versionInfo",
                           "embeddedMetadata", "customCoordinates", "customMetadata", "description", "isPrivateFile",
                           "isPublished", "url", "thumbnail", "fileType", "filePath", "height", "width", "size",
                           "hasAlpha", "mime"]
    modified = head["LastModified"].strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert found == {
        **found,
        "type": "file",
        "name": "Canon 40D.jpg",
        "createdAt": modified,
        "updatedAt": modified,
        "fileId": file_id(BUCKET, KEY),
        "tags": ["summer", "team=blue"],
        "AITags": None,
        "versionInfo": {"id": file_id(BUCKET, KEY), "name": "Version 1"},
        "customCoordinates": None,
        # No custom metadata field is defined: S3's user metadata stays the text it is.
        "customMetadata": {"brand": "Acme", "shot-by": "Ana"},
        "description": None,
        "isPrivateFile": False,
        "isPublished": True,
        "fileType": "image",
        "filePath": "/" + KEY,
        "height": metadata["height"],
        "width": metadata["width"],
        "size": len(body),
        "hasAlpha": metadata["hasTransparency"],
        "mime": "image/jpeg",
    }
    assert found["embeddedMetadata"] == embedded_metadata(CANON)
    # A presigned GET of this very object, valid for the configured hour.
    url = urlsplit(found["url"])
    assert url.path.endswith("/photos/Canon%2040D.jpg")
    assert parse_qs(url.query)["X-Amz-Expires"] == ["3600"]
    # Its thumbnail, likewise (this deployment has no distribution): the picture as a WebP (100 x 68: never enlarged).
    thumbnail = urlsplit(found["thumbnail"])
    assert thumbnail.path.startswith(f"/_imagemeta/thumbnails/{file_id(BUCKET, KEY)}/")
    webp = requests.get(found["thumbnail"], timeout=10).content
    assert webp[8:12] == b"WEBP" and Image.open(io.BytesIO(webp)).size == (100, 68)
    # Details answers the same object.
    details = call(aws, "file_details.json")
    assert details["statusCode"] == 200
    assert {**body_of(details), "url": None, "thumbnail": None} == {**found, "url": None, "thumbnail": None}


def jpeg(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (90, 140, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_the_sample_search_event_finds_the_wide_jpegs_under_photos(aws: SimpleNamespace) -> None:
    # events/files_search.json: path : "/photos/" AND format = "jpg" AND width > 50 (recursive, every field bound).
    objects = {KEY: CANON.read_bytes(), "photos/deep/wide.jpg": jpeg(120, 10), "photos/deep/narrow.jpg": jpeg(50, 10),
               "photos/wide.png": png(200, 10), "elsewhere/wide.jpg": jpeg(300, 10)}
    for n, (key, body) in enumerate(objects.items()):
        upload(aws, key, body, f"0062B4F0A1C2D3E4{n:02X}")

    response = call(aws, "files_search.json")

    assert response["statusCode"] == 200, response["body"]
    assert sorted(item["filePath"] for item in body_of(response)) == ["/photos/Canon 40D.jpg", "/photos/deep/wide.jpg"]


def test_an_overwrite_keeps_created_at_and_moves_updated_at(aws: SimpleNamespace) -> None:
    upload(aws, KEY, png(4, 4), "0062B4F0A1C2D3E4F5")
    first = body_of(call(aws, "file_details.json"))
    time.sleep(1.1)  # S3 keeps LastModified to the second
    upload(aws, KEY, png(8, 6), "0062B4F0A1C2D3E4F6")
    second = body_of(call(aws, "file_details.json"))
    assert second["createdAt"] == first["createdAt"]
    assert second["updatedAt"] > first["updatedAt"]
    assert (second["width"], second["height"]) == (8, 6)


def test_a_non_image_is_listed_as_a_non_image_file(aws: SimpleNamespace) -> None:
    upload(aws, "photos/notes.txt", b"plain text", "0062B4F0A1C2D3E4F5", ContentType="text/plain")
    upload(aws, "photos/data.bin", b"\x00\x01", "0062B4F0A1C2D3E4F6")  # no content type: the extension decides

    files = {f["name"]: f for f in listed(aws, path="/photos/", sort="ASC_NAME")}

    assert files["notes.txt"]["fileType"] == "non-image"
    assert files["notes.txt"]["mime"] == "text/plain"
    assert (files["notes.txt"]["height"], files["notes.txt"]["width"], files["notes.txt"]["embeddedMetadata"]) == (None, None, None)
    assert files["data.bin"]["mime"] == "application/octet-stream"
    assert [f["name"] for f in listed(aws, path="/photos/", fileType="non-image", sort="ASC_NAME")] == ["data.bin", "notes.txt"]
    assert listed(aws, path="/photos/", fileType="image") == []
    # Its metadata route still answers the contract's 400.
    assert by_id(aws, "file_metadata.json", file_id(BUCKET, "photos/notes.txt"))["statusCode"] == 400


def test_details_and_by_path_refuse_what_is_no_file(aws: SimpleNamespace) -> None:
    upload(aws, KEY, png(4, 4), "0062B4F0A1C2D3E4F5")
    folder = folder_id(BUCKET, "photos/")
    assert by_id(aws, "file_details.json", folder)["statusCode"] == 404
    assert by_id(aws, "file_details.json", "f" * 24)["statusCode"] == 404
    assert by_id(aws, "file_details.json", "not-an-id")["statusCode"] == 400
    assert call(aws, "file_by_path.json", {"path": "/photos/"})["statusCode"] == 400  # a folder, not a file


@pytest.mark.parametrize("path", ["photos/Canon 40D.jpg", "/photos/Canon 40D.jpg"])
def test_by_path_takes_the_key_with_or_without_its_leading_slash(aws: SimpleNamespace, path: str) -> None:
    upload(aws, KEY, png(4, 4), "0062B4F0A1C2D3E4F5")
    response = call(aws, "file_by_path.json", {"path": path})
    assert response["statusCode"] == 200
    assert body_of(response)["path"] == KEY
    # A doubled slash names another key, which has no record.
    assert call(aws, "file_by_path.json", {"path": "/photos//Canon 40D.jpg"})["statusCode"] == 404


# ------------------------------------------------------------------ folders


def test_folders_are_listed_until_deleted_even_when_empty(aws: SimpleNamespace) -> None:
    upload(aws, "photos/2024/a.png", png(2, 2), "0062B4F0A1C2D3E4F5")
    upload(aws, "photos/2025/deep/b.png", png(2, 2), "0062B4F0A1C2D3E4F6")
    upload(aws, "photos/c.png", png(2, 2), "0062B4F0A1C2D3E4F7")

    everything = listed(aws, path="/photos/", type="all", sort="ASC_NAME")
    assert [(o["type"], o["name"]) for o in everything] == [("folder", "2024"), ("folder", "2025"), ("file", "c.png")]
    folder = everything[0]
    assert folder == {**folder, "folderId": folder_id(BUCKET, "photos/2024/"), "folderPath": "/photos/2024",
                      "customMetadata": {}}
    assert [o["name"] for o in listed(aws, path="/photos/", type="folder")] == ["2024", "2025"]
    assert [o["name"] for o in listed(aws, path="/photos/")] == ["c.png"]  # type defaults to file
    assert [o["name"] for o in listed(aws, path="/", type="all")] == ["photos"]

    # The last file of a folder deleted: the folder stays, as the hosted library keeps it (DELETE /v1/folder
    # deletes it: tests/handlers/test_organize.py).
    delete = upload_event("photos/2024/a.png", b"", "0062B4F0A1C2D3E4F8")
    message = json.loads(delete["Records"][0]["body"])
    message["Records"][0]["eventName"] = "ObjectRemoved:Delete"
    delete["Records"][0]["body"] = json.dumps(message)
    aws.s3.delete_object(Bucket=BUCKET, Key="photos/2024/a.png")
    assert aws.ingest(delete, lambda_context()) == {"batchItemFailures": []}
    assert [o["name"] for o in listed(aws, path="/photos/", type="folder")] == ["2024", "2025"]
    assert listed(aws, path="/photos/2024/", type="all") == []


def test_a_folder_marker_keeps_its_folder_listed_and_is_no_file(aws: SimpleNamespace) -> None:
    upload(aws, "photos/empty/", b"", "0062B4F0A1C2D3E4F5")  # what an S3 console's "Create folder" writes
    assert [(o["type"], o["name"]) for o in listed(aws, path="/photos/", type="all")] == [("folder", "empty")]
    assert listed(aws, path="/photos/empty/", type="all") == []


def test_the_reserved_prefix_is_never_listed(aws: SimpleNamespace) -> None:
    aws.s3.put_object(Bucket=BUCKET, Key="_imagemeta/records/x.json.z", Body=b"{}")
    assert aws.ingest(upload_event("_imagemeta/records/x.json.z", b"{}", "0062B4F0A1C2D3E4F5"), lambda_context()) == {
        "batchItemFailures": []
    }
    upload(aws, "a.png", png(2, 2), "0062B4F0A1C2D3E4F6")
    assert [(o["type"], o["name"]) for o in listed(aws, path="/", type="all")] == [("file", "a.png")]
    assert listed(aws, path="/_imagemeta/", type="all") == []


# ------------------------------------------------------------------ sorts and pages

# name, size, width, height, last modified
FILES = [
    ("b.png", 300, 20, 10, "2026-01-03T00:00:00.000Z"),
    ("a.png", 100, 30, 30, "2026-01-02T00:00:00.000Z"),
    ("d.png", 300, 10, 20, "2026-01-01T00:00:00.000Z"),
    ("c.png", 200, 30, 40, "2026-01-04T00:00:00.000Z"),
]
SORT_VALUE = {"NAME": lambda f: "", "CREATED": lambda f: f[4], "UPDATED": lambda f: f[4], "SIZE": lambda f: f[1],
              "WIDTH": lambda f: f[2], "HEIGHT": lambda f: f[3]}


@pytest.fixture()
def album(aws: SimpleNamespace) -> SimpleNamespace:
    for n, (name, size, width, height, when) in enumerate(FILES):
        synthetic(aws, f"album/{name}", n + 1, size, width, height, when)
    synthetic(aws, "album/sub/e.png", 9, 50, 5, 5, "2026-01-05T00:00:00.000Z")
    return aws


@pytest.mark.parametrize("field", list(SORT_VALUE))
@pytest.mark.parametrize("order", ["ASC", "DESC"])
def test_every_sort_orders_by_its_value_then_name(album: SimpleNamespace, field: str, order: str) -> None:
    expected = [f[0] for f in sorted(FILES, key=lambda f: (SORT_VALUE[field](f), f[0]), reverse=order == "DESC")]
    assert [o["name"] for o in listed(album, path="/album/", sort=f"{order}_{field}")] == expected


def test_the_default_sort_is_ascending_creation(album: SimpleNamespace) -> None:
    assert [o["name"] for o in listed(album, path="/album/")] == ["d.png", "a.png", "b.png", "c.png"]


def test_pages_joined_are_the_whole_listing(album: SimpleNamespace) -> None:
    whole = [o["name"] for o in listed(album, path="/album/", type="all", sort="DESC_SIZE")]
    assert whole[0] == "sub"  # folders first
    pages = [[o["name"] for o in listed(album, path="/album/", type="all", sort="DESC_SIZE", skip=str(skip), limit="2")]
             for skip in range(0, 6, 2)]
    assert sum(pages, []) == whole and all(len(page) <= 2 for page in pages)


# ------------------------------------------------------------------ search


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('name : "a"', ["a.png"]),
        ("size >= 200 AND width < 30", ["d.png", "b.png"]),
        ("size = 300 OR height = 40", ["d.png", "b.png", "c.png"]),
        ('createdAt < "2026-01-03"', ["d.png", "a.png"]),
        ('format IN ["png"] AND NOT_A_FIELD = 1', None),
        ('path = "/album/sub/"', ["e.png"]),
        ('path : "/album/" AND size < 100', ["e.png"]),
        ('name NOT IN ["a.png", "b.png"] AND path = "/album/"', ["d.png", "c.png"]),
    ],
)
def test_search_queries(album: SimpleNamespace, query: str, expected: list[str] | None) -> None:
    if expected is None:
        assert "NOT_A_FIELD" in error_of(album, searchQuery=query)
        return
    assert [o["name"] for o in listed(album, searchQuery=query)] == expected


def test_path_parameter_limits_a_search_to_one_folder(album: SimpleNamespace) -> None:
    assert [o["name"] for o in listed(album, path="/album/", searchQuery="size < 150")] == ["a.png"]
    assert [o["name"] for o in listed(album, searchQuery="size < 150")] == ["a.png", "e.png"]  # whole library


def test_the_older_parameters_filter_as_the_hosted_api_took_them(album: SimpleNamespace) -> None:
    store = record_store(album.dynamodb, album.s3, TABLE, BUCKET)
    store.update_annotations(file_id(BUCKET, "album/a.png"), lambda notes: replace(notes, tags=("sale",)))
    store.update_annotations(file_id(BUCKET, "album/c.png"), lambda notes: replace(notes, tags=("new", "sale")))
    assert [o["name"] for o in listed(album, path="/album/", tags="sale,other")] == ["a.png", "c.png"]
    assert [o["name"] for o in listed(album, path="/album/", name="c.png", tags="sale")] == ["c.png"]
    assert [o["type"] for o in listed(album, path="/album/", includeFolder="true", name="sub")] == ["folder"]
    # With a searchQuery they have no effect, as in the hosted API.
    assert [o["name"] for o in listed(album, path="/album/", tags="sale", searchQuery="size >= 300")] == ["d.png", "b.png"]


def test_a_search_asking_about_type_can_find_folders(album: SimpleNamespace) -> None:
    found = listed(album, searchQuery='type = "folder"')
    assert [(o["type"], o["folderPath"]) for o in found] == [("folder", "/album"), ("folder", "/album/sub")]


def test_a_search_beyond_the_limit_asks_for_a_narrower_path(aws: SimpleNamespace) -> None:
    for n in range(SEARCH_MAX_RECORDS + 2):
        synthetic(aws, f"many/{n:03d}.png", n + 1, n, 1, 1, f"2026-01-01T00:{n // 60:02d}:{n % 60:02d}.000Z")
    # A condition the folder index cannot read by key, that no file meets: every file of the library would be
    # read, 51 more than the one the page answers.
    message = error_of(aws, searchQuery='format = "gif"', limit="1")
    assert f"more than {SEARCH_MAX_RECORDS + 1} records" in message
    assert "path" in body_of(call(aws, "files_list.json", {"searchQuery": 'format = "gif"', "limit": "1"}))["help"]
    # One that the first files meet reads, in creation order, only until its page is full: any library's size.
    assert [o["name"] for o in listed(aws, searchQuery='format = "png"', limit="2")] == ["000.png", "001.png"]
    # Bounded by creation time, the index's own order, it reads only that range (11 to 51: 41 rows).
    assert len(listed(aws, searchQuery='createdAt >= "2026-01-01T00:00:11Z"')) == SEARCH_MAX_RECORDS - 9
    # A plain listing of the folder, in creation order, reads what its page needs, whatever the folder's size.
    assert len(listed(aws, path="/many/")) == SEARCH_MAX_RECORDS + 2
    # Another order reads the folder whole, so it counts against the limit too; and so do rows skipped.
    assert f"more than {SEARCH_MAX_RECORDS + 1} records" in error_of(aws, path="/many/", sort="ASC_SIZE", limit="1")
    assert f"more than {SEARCH_MAX_RECORDS + 1} records" in error_of(aws, path="/many/", skip="51", limit="1")
    # The whole library in creation order reads its pages: any size.
    assert len(listed(aws)) == SEARCH_MAX_RECORDS + 2


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"sort": "ASC_COLOUR"}, "`sort`"),
        ({"type": "files"}, "`type`"),
        ({"fileType": "video"}, "`fileType`"),
        ({"limit": "0"}, "`limit`"),
        ({"limit": "1001"}, "`limit`"),
        ({"skip": "-1"}, "`skip`"),
        ({"includeFolder": "yes"}, "`includeFolder`"),
        ({"searchQuery": 'tags = "a"'}, "`tags`"),
        ({"searchQuery": '"customMetadata.brand" = "a"'}, "`customMetadata.brand`"),  # no such field
        ({"searchQuery": 'createdAt > "9999-12-31T23:59:59-23:59"'}, "searchQuery"),
        ({"searchQuery": "createdAt > 999999d"}, "searchQuery"),
        ({"searchQuery": "size >"}, "a value"),
    ],
)
def test_bad_parameters_are_400_naming_them(aws: SimpleNamespace, query: dict[str, str], named: str) -> None:
    assert named in error_of(aws, **query)


def test_an_answer_lambda_cannot_carry_is_refused_naming_limit(aws: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resolver, "MAX_RESPONSE_BYTES", 2_000)
    for n in range(5):
        synthetic(aws, f"big/{n:03d}.png", n + 1, n, 1, 1, "2026-01-01T00:00:00.000Z")
    assert "`limit`" in error_of(aws, path="/big/")
    assert len(listed(aws, path="/big/", limit="1")) == 1


def test_a_listing_reads_no_more_bodies_than_its_answer_can_carry(aws: SimpleNamespace,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # Files whose documents are in the bucket (spilled): each one listed costs a GetObject of its body.
    monkeypatch.setattr("service.storage.docs.INLINE_LIMIT_BYTES", 10)
    monkeypatch.setattr(resolver, "MAX_RESPONSE_BYTES", 3_000)
    embedded = {"Comment": "x" * 500}
    store = record_store(aws.dynamodb, aws.s3, TABLE, BUCKET)
    for n in range(20):
        write_record(store, Pages(aws.dynamodb, TABLE), f"heavy/{n:02d}.png", n + 1,
                     metadata=image_metadata(1, 1, 1, f"{n:016x}"), embedded=embedded)
    bodies_read: list[str] = []
    aws.s3.meta.events.register("provide-client-params.s3.GetObject",
                                lambda params, **_: bodies_read.append(params["Key"]))
    assert "`limit`" in error_of(aws, path="/heavy/")
    # About 530 bytes a file: the answer is refused at the sixth, and no later body is read.
    assert 0 < len(bodies_read) <= 7


def test_a_large_answer_is_gzipped_for_clients_that_accept_it(aws: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resolver, "COMPRESS_ABOVE_BYTES", 10_000)  # instead of writing 256 KB of records
    for n in range(30):
        synthetic(aws, f"big/{n:03d}.png", n + 1, n, 1, 1, "2026-01-01T00:00:00.000Z")
    event = load_event("files_list.json")
    event["queryStringParameters"] = {"path": "/big/"}
    event["headers"] = {**event["headers"], "Accept-Encoding": "gzip, deflate"}
    event["multiValueHeaders"] = {name: [value] for name, value in event["headers"].items()}
    plain = call(aws, "files_list.json", {"path": "/big/"})
    compressed = aws.files(event, lambda_context())
    assert not plain["isBase64Encoded"] and len(plain["body"]) > 10_000
    assert compressed["isBase64Encoded"] and compressed["multiValueHeaders"]["Content-Encoding"] == ["gzip"]
    assert len(compressed["body"]) < len(plain["body"]) / 3
    unsigned = [[{**o, "url": None} for o in body_of(response)] for response in (compressed, plain)]
    assert unsigned[0] == unsigned[1]
