"""Copy, move and rename of files, versions, folders, purges and the routes not served, on moto: each call's
answer, and the records the ingest then writes from S3's own events (library.py pumps them).

The records of copies and moves must come from the source's record (no extraction: the ingest's extraction is
replaced by one that fails), with the source's annotations; a move keeps createdAt, and the old fileId answers
where the file went.
"""
from __future__ import annotations

import base64
import json
from types import SimpleNamespace
from typing import Any
from urllib.parse import unquote, urlsplit

import boto3
import pytest

from handlers import organize
from handlers.clients import AwsClients
from handlers.settings import OrganizeSettings
from imagemeta import extract, thumbnail
from service.storage.folders import folder_id
from service.storage.overflow import RESERVED_PREFIX
from service.storage.records import file_id
from service.storage.thumbnails import THUMBNAIL_PREFIX as THUMBNAILS

from ..paths import IMAGES
from .conftest import BUCKET, TABLE, for_file, lambda_context, sqs_event, upload_event
from .library import Library, library

CANON = IMAGES / "exif-samples" / "jpg" / "Canon_40D.jpg"
FIRST = IMAGES / "phash-vectors" / "first.jpg"


@pytest.fixture(params=["versioned", "unversioned"])
def lib(aws: SimpleNamespace, request: pytest.FixtureRequest) -> Library:
    return library(aws, versioned=request.param == "versioned")


@pytest.fixture()
def versioned(aws: SimpleNamespace) -> Library:
    return library(aws, versioned=True)


def body_of(response: dict[str, Any]) -> Any:
    return json.loads(response["body"]) if response["body"] else None


def header(response: dict[str, Any], name: str) -> str | None:
    """A header of a proxy response (Powertools answers them as multi-value headers)."""
    values = (response.get("multiValueHeaders") or {}).get(name) or [(response.get("headers") or {}).get(name)]
    return values[0]


def put(lib: Library, key: str, data: bytes, **extra: Any) -> None:
    """An object written straight to the bucket (its S3 tags and user metadata become its annotations)."""
    lib.s3.put_object(Bucket=BUCKET, Key=key, Body=data, **extra)
    lib.settle()


def details(lib: Library, key: str) -> dict[str, Any]:
    response = lib.handlers["files"](for_file("file_details.json", file_id(BUCKET, key)), lambda_context())
    return {"status": response["statusCode"], **(body_of(response) or {})}


def listed(lib: Library, **query: str) -> list[dict[str, Any]]:
    response = lib.call("files", "files_list.json", queryStringParameters=query,
                        multiValueQueryStringParameters={k: [v] for k, v in query.items()})
    assert response["statusCode"] == 200, response["body"]
    return body_of(response)


def no_extraction(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, an ingest that reads and extracts bytes fails the test."""

    def refuse(*_: object) -> None:
        raise AssertionError("the ingest extracted bytes a seed described")

    monkeypatch.setattr(thumbnail, "extract_with_thumbnail", refuse)


def keys(lib: Library, prefix: str = "") -> list[str]:
    """The library's keys under a prefix (not the service's own: thumbnails, spilled records)."""
    listed = lib.s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])
    return sorted(entry["Key"] for entry in listed if not entry["Key"].startswith(RESERVED_PREFIX))


def versions_of(lib: Library, key: str) -> list[dict[str, Any]]:
    listed_versions = lib.s3.list_object_versions(Bucket=BUCKET, Prefix=key)
    return [v for v in listed_versions.get("Versions", []) if v["Key"] == key]


# ------------------------------------------------------------------ copy, move, rename


def test_a_copy_has_the_sources_record_without_an_extraction(lib: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    put(lib, "photos/a.jpg", CANON.read_bytes(), Tagging="holiday=", Metadata={"place": "Lisbon"})
    source = details(lib, "photos/a.jpg")
    no_extraction(monkeypatch)

    copied = lib.call("organize", "file_copy.json", {"sourceFilePath": "/photos/a.jpg", "destinationPath": "/albums"})
    assert (copied["statusCode"], copied["body"]) == (204, "")
    lib.settle()

    copy = details(lib, "albums/a.jpg")
    assert copy["status"] == 200
    assert (copy["tags"], copy["customMetadata"], copy["embeddedMetadata"]) == (
        ["holiday"], {"place": "Lisbon"}, source["embeddedMetadata"])
    assert copy["createdAt"] >= source["createdAt"]  # a copy is a new file
    metadata = lib.handlers["files"](for_file("file_metadata.json", copy["fileId"]), lambda_context())
    assert json.loads(metadata["body"]) == extract(CANON)
    assert details(lib, "photos/a.jpg")["status"] == 200  # the source stays


def test_a_move_keeps_created_at_and_annotations_and_the_old_file_id_says_where(
        lib: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    put(lib, "photos/b.jpg", CANON.read_bytes(), Tagging="keep=")
    source = details(lib, "photos/b.jpg")
    no_extraction(monkeypatch)

    moved = lib.call("organize", "file_move.json", {"sourceFilePath": "/photos/b.jpg", "destinationPath": "/archive/"})
    assert moved["statusCode"] == 204, moved["body"]
    lib.settle()

    there = details(lib, "archive/b.jpg")
    assert (there["createdAt"], there["tags"], there["embeddedMetadata"]) == (
        source["createdAt"], ["keep"], source["embeddedMetadata"])
    assert keys(lib) == ["archive/b.jpg"]
    assert versions_of(lib, "photos/b.jpg") == []  # in neither place twice: every version went with it
    gone = details(lib, "photos/b.jpg")
    assert gone["status"] == 404
    assert gone["movedTo"] == {"fileId": file_id(BUCKET, "archive/b.jpg"), "filePath": "/archive/b.jpg"}
    assert gone["reason"] == "FILE_MOVED" and "/archive/b.jpg" in gone["message"]
    # The similar search finds the file at its new path only (its library page entry moved with it).
    similar = lib.call("files", "similar_to_hash.json",
                       queryStringParameters={"pHash": source_hash(lib, there), "maxDistance": "0"})
    assert [item["path"] for item in body_of(similar)["items"]] == ["archive/b.jpg"]


def source_hash(lib: Library, file: dict[str, Any]) -> str:
    metadata = lib.handlers["files"](for_file("file_metadata.json", file["fileId"]), lambda_context())
    return str(json.loads(metadata["body"])["pHash"])


def test_rename_answers_409_without_retries_when_the_name_is_taken_and_purges_when_asked(lib: Library) -> None:
    put(lib, "photos/c.jpg", CANON.read_bytes())
    put(lib, "photos/d.jpg", FIRST.read_bytes())

    taken = lib.call("organize", "file_rename.json", {"filePath": "/photos/c.jpg", "newFileName": "d.jpg"})
    assert (taken["statusCode"], header(taken, "x-should-retry")) == (409, "false")
    assert body_of(taken)["reason"] == "FILE_ALREADY_EXISTS"

    renamed = lib.call("organize", "file_rename.json",
                       {"filePath": "/photos/c.jpg", "newFileName": "c 2.jpg", "purgeCache": True})
    assert renamed["statusCode"] == 200, renamed["body"]
    request_id = body_of(renamed)["purgeRequestId"]
    lib.settle()
    assert keys(lib) == ["photos/c_2.jpg", "photos/d.jpg"]  # the hosted rule for names: " " became "_"
    status = lib.call("organize", "purge_status.json", pathParameters={"requestId": request_id},
                      path=f"/v1/files/purge/{request_id}")
    assert body_of(status) == {"status": "Completed"}  # no distribution: nothing was cached
    plain = lib.call("organize", "file_rename.json", {"filePath": "/photos/c_2.jpg", "newFileName": "c3.jpg"})
    assert (plain["statusCode"], body_of(plain)) == (200, {})


@pytest.mark.parametrize("route", ["file_copy.json", "file_move.json"])
def test_a_missing_source_is_404_and_changes_nothing(lib: Library, route: str) -> None:
    put(lib, "photos/e.jpg", FIRST.read_bytes())
    response = lib.call("organize", route, {"sourceFilePath": "/photos/none.jpg", "destinationPath": "/x"})
    assert response["statusCode"] == 404
    assert body_of(response)["reason"] == "SOURCE_FILE_MISSING"
    assert keys(lib) == ["photos/e.jpg"]


@pytest.mark.parametrize(
    ("route", "body", "named"),
    [
        ("file_copy.json", {"sourceFilePath": "/photos/../f.jpg", "destinationPath": "/x"}, "`sourceFilePath`"),
        ("file_copy.json", {"sourceFilePath": "/photos/f.jpg", "destinationPath": "/a/./b"}, "`destinationPath`"),
        ("file_copy.json", {"sourceFilePath": "/photos/f.jpg", "destinationPath": "/_imagemeta/records"},
         "`destinationPath`"),
        ("file_copy.json", {"sourceFilePath": "/photos/f.jpg", "destinationPath": "/photos/"}, "`destinationPath`"),
        ("file_copy.json", {"sourceFilePath": "/photos/f.jpg"}, "`destinationPath`"),
        ("file_copy.json", {"sourceFilePath": "/photos/f.jpg", "destinationPath": "/x",
                            "includeFileVersions": "yes"}, "`includeFileVersions`"),
        ("file_move.json", {"sourceFilePath": "/photos/", "destinationPath": "/x"}, "`sourceFilePath`"),
        ("file_rename.json", {"filePath": "/photos/f.jpg", "newFileName": ".."}, "`newFileName`"),
        ("file_rename.json", {"filePath": "/photos/f.jpg", "newFileName": "f.jpg"}, "`newFileName`"),
        ("folder_create.json", {"folderName": "..", "parentFolderPath": "/"}, "`folderName`"),
        ("folder_create.json", {"folderName": "x", "parentFolderPath": "/_imagemeta"}, "`parentFolderPath`"),
        ("folder_delete.json", {"folderPath": "/"}, "`folderPath`"),
        ("folder_copy.json", {"sourceFolderPath": "/photos", "destinationPath": "/photos/sub"}, "`destinationPath`"),
        ("folder_move.json", {"sourceFolderPath": "/photos", "destinationPath": "/"}, "`destinationPath`"),
        ("folder_move.json", {"sourceFolderPath": "/", "destinationPath": "/x"}, "`sourceFolderPath`"),
        ("folder_move.json", {"sourceFolderPath": "/photos", "destinationPath": "/../x"}, "`destinationPath`"),
        ("folder_rename.json", {"folderPath": "/photos", "newFolderName": "photos"}, "`newFolderName`"),
        ("purge.json", {"url": "/photos/f.jpg"}, "`url`"),
        ("purge.json", {"url": "https://cdn/a*b.jpg"}, "`url`"),
    ],
)
def test_bad_input_is_400_naming_the_parameter_and_nothing_is_lost(lib: Library, route: str, body: dict[str, Any],
                                                                   named: str) -> None:
    put(lib, "photos/f.jpg", FIRST.read_bytes())
    response = lib.call("organize", route, body)
    assert response["statusCode"] == 400, response["body"]
    assert named in body_of(response)["message"]
    lib.settle()
    assert keys(lib) == ["photos/f.jpg"] and details(lib, "photos/f.jpg")["status"] == 200


def test_a_body_that_is_no_json_object_is_400(lib: Library) -> None:
    response = lib.call("organize", "file_copy.json", [1, 2])
    assert response["statusCode"] == 400 and "JSON object" in body_of(response)["message"]
    unreadable = lib.call("organize", "file_copy.json", body=base64.b64encode(b"{nope").decode(), isBase64Encoded=True)
    assert unreadable["statusCode"] == 400


# ------------------------------------------------------------------ versions


def test_an_overwrite_keeps_the_old_version_with_its_own_record(versioned: Library) -> None:
    put(versioned, "v/a.jpg", CANON.read_bytes(), Tagging="first=")
    put(versioned, "v/a.jpg", FIRST.read_bytes(), Tagging="second=")
    fid = file_id(BUCKET, "v/a.jpg")

    answer = versioned.call("files", "file_versions.json", pathParameters={"fileId": fid},
                            path=f"/v1/files/{fid}/versions")
    current, kept = body_of(answer)
    assert (current["type"], current["versionInfo"]["name"], current["tags"]) == ("file", "Version 2", ["second"])
    assert (kept["type"], kept["versionInfo"]["name"], kept["tags"]) == ("file-version", "Version 1", ["first"])
    assert (kept["width"], current["width"]) == (extract(CANON)["width"], extract(FIRST)["width"])
    assert kept["fileId"] == fid and kept["versionInfo"]["id"] != current["versionInfo"]["id"]
    one = versioned.call("files", "file_version.json", pathParameters={"fileId": fid, "versionId": kept["versionInfo"]["id"]})
    # Both URLs are presigned: equal up to the signing time.
    alone = body_of(one)
    assert alone == {**kept, "url": alone["url"], "thumbnail": alone["thumbnail"]}
    assert [url.split("?")[0] for url in (alone["url"], alone["thumbnail"])] == [
        url.split("?")[0] for url in (kept["url"], kept["thumbnail"])]
    # type=file-version lists the folder's kept versions.
    assert [(o["type"], o["versionInfo"]["name"]) for o in listed(versioned, path="/v/", type="file-version")] == [
        ("file-version", "Version 1")]


def test_versions_are_deleted_one_by_one_but_not_the_current_one(versioned: Library) -> None:
    put(versioned, "v/b.jpg", CANON.read_bytes())
    put(versioned, "v/b.jpg", FIRST.read_bytes())
    fid = file_id(BUCKET, "v/b.jpg")
    current, kept = body_of(versioned.call("files", "file_versions.json", pathParameters={"fileId": fid}))

    def delete(version_id: str) -> dict[str, Any]:
        return versioned.call("delete", "version_delete.json", pathParameters={"fileId": fid, "versionId": version_id})

    refused = delete(current["versionInfo"]["id"])
    assert refused["statusCode"] == 400 and "current version" in body_of(refused)["message"]
    assert delete("no-such-version")["statusCode"] == 404
    assert sorted(thumbnail_keys(versioned)) == sorted(thumbnail_key_of(o) for o in (current, kept))
    assert delete(kept["versionInfo"]["id"])["statusCode"] == 204
    versioned.settle()
    assert [v["type"] for v in body_of(versioned.call("files", "file_versions.json", pathParameters={"fileId": fid}))] == [
        "file"]
    assert len(versions_of(versioned, "v/b.jpg")) == 1
    assert thumbnail_keys(versioned) == [thumbnail_key_of(current)]  # the version's thumbnail went with it


def removal_event(key: str, version_id: str) -> dict[str, Any]:
    """The ingest's SQS event of S3's ObjectRemoved:Delete of one version (moto sends none for a version)."""
    event = upload_event(key, b"", "FFFFFFFFFFFFFFFFFF")
    message = json.loads(event["Records"][0]["body"])
    message["Records"][0]["eventName"] = "ObjectRemoved:Delete"
    message["Records"][0]["s3"]["object"]["versionId"] = version_id
    event["Records"][0]["body"] = json.dumps(message)
    return event


def two_versions(lib: Library, key: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A file written twice to the versioned bucket, the first time tagged `old`: its id, then the File objects
    of its current version and of the kept one."""
    put(lib, key, CANON.read_bytes(), Tagging="old=")
    put(lib, key, FIRST.read_bytes())
    fid = file_id(BUCKET, key)
    current, kept = body_of(lib.call("files", "file_versions.json", pathParameters={"fileId": fid}))
    return fid, current, kept


def test_a_kept_version_current_again_takes_its_record_back_unread(versioned: Library,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # The newest version deleted for good: S3's current is the kept one again, and the record becomes it, its
    # number, annotations and document, from its item (no read of the bytes); the item goes.
    fid, current, kept = two_versions(versioned, "v/p.jpg")
    versioned.s3.delete_object(Bucket=BUCKET, Key="v/p.jpg", VersionId=current["versionInfo"]["id"])
    versioned.settle()
    no_extraction(monkeypatch)

    answer = versioned.handlers["ingest"](removal_event("v/p.jpg", current["versionInfo"]["id"]), lambda_context())
    assert answer == {"batchItemFailures": []}
    now = details(versioned, "v/p.jpg")
    assert (now["versionInfo"], now["tags"], now["width"]) == (kept["versionInfo"], ["old"], kept["width"])
    assert [v["type"] for v in body_of(versioned.call("files", "file_versions.json", pathParameters={"fileId": fid}))] == [
        "file"]


def test_a_batch_of_first_uploads_reads_each_record_once_and_their_folder_once(versioned: Library) -> None:
    # What the ingest cost rests on (docs/benchmarks.md): no version item is read for a key with no record, and a
    # batch's folder item is read once, not once an upload.
    keys = [f"v/batch/{n}.jpg" for n in range(5)]
    for key in keys:
        versioned.s3.put_object(Bucket=BUCKET, Key=key, Body=CANON.read_bytes())
    while messages := versioned.sqs.receive_message(QueueUrl=versioned.ingest_queue, MaxNumberOfMessages=10,
                                                    WaitTimeSeconds=0).get("Messages", []):
        for message in messages:  # S3's notifications: delivered below instead, as one batch
            versioned.sqs.delete_message(QueueUrl=versioned.ingest_queue, ReceiptHandle=message["ReceiptHandle"])
    bodies = [upload_event(key, CANON.read_bytes(), f"{n:018X}")["Records"][0]["body"] for n, key in enumerate(keys)]
    reads: list[tuple[str, Any]] = []
    versioned.dynamodb.meta.events.register(
        "before-parameter-build.dynamodb", lambda model, params, **_: reads.append((model.name, params)))

    assert versioned.handlers["ingest"](sqs_event(bodies), lambda_context()) == {"batchItemFailures": []}
    got = [params["Key"]["sk"]["S"] for name, params in reads if name == "GetItem"]
    # Each record once, and no version item (besides, once a process, the custom metadata fields' item).
    assert got.count("F") == len(keys) and not [sk for sk in got if sk.startswith("V#")]
    assert [name for name, _ in reads].count("BatchGetItem") == 1
    assert all(details(versioned, key)["status"] == 200 for key in keys)


def thumbnail_keys(lib: Library) -> list[str]:
    return [entry["Key"] for entry in lib.s3.list_objects_v2(Bucket=BUCKET, Prefix=THUMBNAILS).get("Contents", [])]


def thumbnail_key_of(file_object: dict[str, Any]) -> str:
    """The bucket key a File object's (presigned) thumbnail URL names."""
    return unquote(urlsplit(file_object["thumbnail"]).path.lstrip("/"))


def test_restore_makes_a_kept_version_the_newest_with_its_record(versioned: Library,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    fid, _, kept = two_versions(versioned, "v/c.jpg")
    no_extraction(monkeypatch)

    restored = versioned.call("organize", "version_restore.json",
                              pathParameters={"fileId": fid, "versionId": kept["versionInfo"]["id"]})
    assert restored["statusCode"] == 200, restored["body"]
    answer = body_of(restored)
    assert (answer["type"], answer["versionInfo"]["name"], answer["tags"], answer["width"]) == (
        "file", "Version 3", ["old"], kept["width"])
    versioned.settle()
    now = details(versioned, "v/c.jpg")
    # The record follows what it answered; its thumbnail is a copy of the version's, its own to keep.
    assert {**now, "url": None, "thumbnail": None} == {**answer, "status": 200, "url": None, "thumbnail": None}
    assert now["thumbnail"] is not None and answer["thumbnail"] is not None
    assert [v["versionInfo"]["name"] for v in body_of(versioned.call("files", "file_versions.json",
                                                                     pathParameters={"fileId": fid}))] == [
        "Version 3", "Version 2", "Version 1"]


def test_a_copy_onto_a_file_of_the_same_name_becomes_its_newest_version(versioned: Library) -> None:
    put(versioned, "one/x.jpg", CANON.read_bytes())
    put(versioned, "two/x.jpg", FIRST.read_bytes(), Tagging="two=")
    assert versioned.call("organize", "file_copy.json", {"sourceFilePath": "/one/x.jpg",
                                                         "destinationPath": "/two"})["statusCode"] == 204
    versioned.settle()
    fid = file_id(BUCKET, "two/x.jpg")
    current, kept = body_of(versioned.call("files", "file_versions.json", pathParameters={"fileId": fid}))
    assert (current["versionInfo"]["name"], current["width"], current["tags"]) == ("Version 2", extract(CANON)["width"],
                                                                                     None)
    assert (kept["versionInfo"]["name"], kept["tags"]) == ("Version 1", ["two"])


def test_a_copy_with_its_versions_brings_each_with_its_record(versioned: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    for data, tag in ((CANON.read_bytes(), "a"), (FIRST.read_bytes(), "b"), (CANON.read_bytes(), "c")):
        put(versioned, "src/y.jpg", data, Tagging=f"{tag}=")
    no_extraction(monkeypatch)
    assert versioned.call("organize", "file_copy.json", {"sourceFilePath": "/src/y.jpg", "destinationPath": "/dst",
                                                         "includeFileVersions": True})["statusCode"] == 204
    versioned.settle()
    fid = file_id(BUCKET, "dst/y.jpg")
    copied = body_of(versioned.call("files", "file_versions.json", pathParameters={"fileId": fid}))
    assert [(v["type"], v["versionInfo"]["name"], v["tags"]) for v in copied] == [
        ("file", "Version 3", ["c"]), ("file-version", "Version 2", ["b"]), ("file-version", "Version 1", ["a"])]
    assert len(versions_of(versioned, "dst/y.jpg")) == 3


def test_deleting_a_file_deletes_its_versions(versioned: Library) -> None:
    put(versioned, "v/d.jpg", CANON.read_bytes())
    put(versioned, "v/d.jpg", FIRST.read_bytes())
    fid = file_id(BUCKET, "v/d.jpg")
    assert versioned.handlers["delete"](for_file("file_delete.json", fid), lambda_context())["statusCode"] == 204
    versioned.settle()
    listing = versioned.s3.list_object_versions(Bucket=BUCKET, Prefix="v/d.jpg")
    assert listing.get("Versions", []) == [] and listing.get("DeleteMarkers", []) == []
    assert details(versioned, "v/d.jpg")["status"] == 404
    assert listed(versioned, path="/v/", type="file-version") == []


# ------------------------------------------------------------------ folders


def test_a_created_folder_is_listed_while_empty_with_its_missing_parents(lib: Library) -> None:
    created = lib.call("organize", "folder_create.json", {"folderName": "new folder", "parentFolderPath": "/a/b/"})
    assert (created["statusCode"], body_of(created)) == (201, {})
    lib.settle()
    assert keys(lib) == ["a/b/new_folder/"]  # the marker an S3 console writes; the hosted rule for names
    assert [(o["type"], o["folderPath"]) for o in listed(lib, path="/", type="all")] == [("folder", "/a")]
    assert [(o["type"], o["folderPath"]) for o in listed(lib, path="/a/b/", type="all")] == [
        ("folder", "/a/b/new_folder")]
    assert listed(lib, path="/a/b/new_folder/", type="all") == []


def test_a_folder_emptied_by_deletes_stays_listed_until_deleted(lib: Library) -> None:
    put(lib, "keep/sub/a.jpg", FIRST.read_bytes())
    fid = file_id(BUCKET, "keep/sub/a.jpg")
    assert lib.handlers["delete"](for_file("file_delete.json", fid), lambda_context())["statusCode"] == 204
    lib.settle()
    assert [o["folderPath"] for o in listed(lib, path="/keep/", type="folder")] == ["/keep/sub"]

    deleted = lib.call("organize", "folder_delete.json", {"folderPath": "/keep/sub"})
    assert deleted["statusCode"] == 204, deleted["body"]
    lib.settle()
    assert listed(lib, path="/keep/", type="folder") == []
    assert lib.call("organize", "folder_delete.json", {"folderPath": "/keep/sub"})["statusCode"] == 404


def test_deleting_a_folder_deletes_everything_under_it_versions_included(lib: Library) -> None:
    put(lib, "gone/a.jpg", FIRST.read_bytes())
    put(lib, "gone/a.jpg", CANON.read_bytes())
    put(lib, "gone/deeper/b.jpg", FIRST.read_bytes())
    put(lib, "gone-not/c.jpg", FIRST.read_bytes())  # shares the prefix's letters, not the folder
    assert lib.call("organize", "folder_delete.json", {"folderPath": "gone"})["statusCode"] == 204
    lib.settle()
    listing = lib.s3.list_object_versions(Bucket=BUCKET, Prefix="gone/")
    assert listing.get("Versions", []) == [] and listing.get("DeleteMarkers", []) == []
    assert keys(lib) == ["gone-not/c.jpg"]
    assert [o["folderPath"] for o in listed(lib, path="/", type="folder")] == ["/gone-not"]
    assert details(lib, "gone/a.jpg")["status"] == 404
    deeper = lib.dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": folder_id(BUCKET, "gone/deeper/")},
                                                         "sk": {"S": "D"}})
    assert "Item" not in deeper  # the folder items of the folders it deleted went too


# ------------------------------------------------------------------ the routes not served, purges


@pytest.mark.parametrize(("method", "path"), [("GET", "/v1/accounts/usage"), ("POST", "/v1/saved-extensions"),
                                              ("PATCH", "/v1/named-transformations/x"), ("POST", "/api/v2/files/upload")])
def test_every_other_route_is_501_not_supported_and_not_retried(lib: Library, method: str, path: str) -> None:
    response = lib.call("not_supported", "not_supported.json", httpMethod=method, path=path,
                        pathParameters={"proxy": path[1:]})
    assert response["statusCode"] == 501
    assert header(response, "x-should-retry") == "false"
    answer = body_of(response)
    assert answer["message"] == f"{method} {path} is not supported by this service."
    assert answer["reason"] == "NOT_SUPPORTED" and answer["help"]


def test_a_method_a_served_path_does_not_take_is_405_not_supported(lib: Library) -> None:
    response = lib.call("not_supported", "not_supported.json", httpMethod="PATCH", path="/v1/files/abc/details",
                        resource="/v1/files/{fileId}/details", pathParameters={"fileId": "abc"})
    assert (response["statusCode"], header(response, "x-should-retry")) == (405, "false")
    assert body_of(response)["message"] == "PATCH /v1/files/abc/details is not supported by this service."


def test_a_purge_is_an_invalidation_in_each_distribution(lib: Library) -> None:
    cloudfront = boto3.client("cloudfront")
    origin = {"Id": "bucket", "DomainName": f"{BUCKET}.s3.amazonaws.com", "S3OriginConfig": {"OriginAccessIdentity": ""}}
    # The stack's two: the public files' and the signed (private files') distribution.
    distributions = tuple(cloudfront.create_distribution(DistributionConfig={
        "CallerReference": f"purge-test-{n}", "Comment": "", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [origin]},
        "DefaultCacheBehavior": {"TargetOriginId": "bucket", "ViewerProtocolPolicy": "https-only"},
    })["Distribution"]["Id"] for n in range(2))
    clients = AwsClients(s3=lib.s3, dynamodb=lib.dynamodb, sqs=lib.sqs, cloudfront=cloudfront)
    lib.handlers["organize"] = organize.build(OrganizeSettings(BUCKET, TABLE, lib.jobs_queue, distributions, 3600),
                                              clients)
    created = lib.call("organize", "purge.json", {"url": "https://cdn.example.com/photos/a%20b.jpg"})
    assert created["statusCode"] == 201, created["body"]
    request_id = body_of(created)["requestId"]
    invalidations = request_id.split(".")
    assert len(invalidations) == 2
    for distribution, invalidation_id in zip(distributions, invalidations, strict=True):
        invalidation = cloudfront.get_invalidation(DistributionId=distribution, Id=invalidation_id)["Invalidation"]
        assert invalidation["InvalidationBatch"]["Paths"]["Items"] == ["/photos/a%20b.jpg"]
    status = lib.call("organize", "purge_status.json", pathParameters={"requestId": request_id})
    assert body_of(status) == {"status": "Completed"}  # moto's invalidations are done at once
    for unknown in ("I2J0I21PCUYOIK", f"{invalidations[0]}.I2J0I21PCUYOIK"):
        assert lib.call("organize", "purge_status.json", pathParameters={"requestId": unknown})["statusCode"] == 404


def test_a_purge_without_a_distribution_is_completed_at_once(lib: Library) -> None:
    created = lib.call("organize", "purge.json")
    assert created["statusCode"] == 201
    request_id = body_of(created)["requestId"]
    status = lib.call("organize", "purge_status.json", pathParameters={"requestId": request_id})
    assert body_of(status) == {"status": "Completed"}
    unknown = lib.call("organize", "purge_status.json", pathParameters={"requestId": "I2J0I21PCUYOIK"})
    assert unknown["statusCode"] == 404
