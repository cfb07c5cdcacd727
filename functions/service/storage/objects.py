"""S3's own word on an object: its current version and facts, read whenever an event names the key; and the
service's other S3 work (puts, copies, deletes, listings of keys and versions, PUT URLs; the GET URLs are
file_urls.py's).

The ingest never takes an object's facts from a message: it asks S3 what the key holds now (docs/files-api.md,
"The write"). A forged or stale message can only make the ingest look again.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.header import Header, decode_header, make_header
from typing import Any

from imagemeta.limits import Limits
from library.annotations import private_tagging
from library.instants import instant_of

# HeadObject's and GetObject's answer for a key with no current version (none left, or a delete marker on top).
NO_CURRENT_VERSION_CODES = {"NoSuchKey", "404"}
# HeadObject's and GetObject's answer for a version that is not there (deleted for good, or never was).
NO_VERSION_CODES = {"NoSuchKey", "NoSuchVersion", "404", "400", "InvalidArgument"}
# User metadata the service writes on its own uploads and copies: the ingest finds a seed for them (seeds.py).
# Its value is the writer's mark: UPLOAD_MARK for an upload, the operation and source version for a copy.
SEED_METADATA = "imagemeta-seed"
UPLOAD_MARK = "1"
# What a copy keeps of an object besides its bytes, tags and user metadata (CopyObject's REPLACE directive, which
# adds the seed's mark, would drop them): these headers, by GetObject's and CopyObject's name for them.
COPIED_HEADERS = ("CacheControl", "ContentDisposition", "ContentEncoding", "ContentLanguage")
# DeleteObjects takes 1000 keys.
DELETE_BATCH = 1000
# Objects a folder job copies at once (the S3 client's connection pool is as large).
TRANSFER_CONCURRENCY = 16


@dataclass(frozen=True)
class ObjectState:
    """The current version of a key as S3 answered (GetObject or HeadObject), and the tags read beside it."""

    key: str
    size: int
    etag: str
    version_id: str | None
    last_modified: str  # UTC, milliseconds, "Z" (S3 gives seconds)
    observed_at: str = ""  # when S3's answer arrived (the write order's first part; observed_now)
    content_type: str = ""
    user_metadata: dict[str, str] = field(default_factory=dict)
    tags: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()  # COPIED_HEADERS the object has

    @property
    def seed_mark(self) -> str | None:
        """The mark of the service's upload or copy that wrote it and left what it knew for the ingest (a seed),
        or None for an object written by anyone else."""
        return self.user_metadata.get(SEED_METADATA)


@dataclass
class OpenedObject:
    """A key's current version being read: its state, and its body (unread, or already read into `data`)."""

    state: ObjectState
    body: Any
    data: bytes | None = None

    def read(self, limits: Limits) -> bytes:
        """The bytes, refused (TooLarge) by the size S3 gave before any is read; closes the body."""
        if self.data is not None:
            limits.check_bytes(len(self.data))
            return self.data
        with self.body as body:
            limits.check_bytes(self.state.size)
            # One byte past the cap tells an object that grew beyond the limit from one exactly at it.
            data = body.read(limits.max_bytes + 1)
        limits.check_bytes(len(data))
        return data

    def close(self) -> None:
        """Leave the body unread (a seeded object's record needs no bytes)."""
        self.body.close()


@dataclass(frozen=True)
class Absent:
    """The key has no current version; `at` is when S3 said so (observed_now)."""

    at: str


def open_current(s3: Any, bucket: str, key: str) -> OpenedObject | Absent:
    """The key's current version (GetObject, body unread), or Absent. An untagged object costs no tagging
    request: GetObject counts the tags (TagCount, absent for none)."""
    try:
        response = s3.get_object(Bucket=bucket, Key=key)
    except s3.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") in NO_CURRENT_VERSION_CODES:
            return Absent(observed_now())
        raise
    tags = object_tags(s3, bucket, key, response.get("VersionId")) if response.get("TagCount") else ()
    return OpenedObject(object_state(key, response, tags), response["Body"])


def read_current(s3: Any, bucket: str, key: str, limits: Limits, most: int) -> OpenedObject | Absent:
    """open_current, with the body read when it is at most `most` bytes and within the limits, and no seed
    stands in for it (a read ahead: the caller reads it later, or leaves it)."""
    opened = open_current(s3, bucket, key)
    if isinstance(opened, Absent) or opened.state.seed_mark is not None or \
            opened.state.size > min(most, limits.max_bytes):
        return opened
    opened.data = opened.read(limits)
    return opened


def open_version(s3: Any, bucket: str, key: str, version_id: str) -> OpenedObject | None:
    """One version of a key (GetObject, body unread, with its tags), current or not; None when it is gone."""
    try:
        response = s3.get_object(Bucket=bucket, Key=key, VersionId=version_id)
    except s3.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") in NO_VERSION_CODES:
            return None
        raise
    tags = object_tags(s3, bucket, key, version_id) if response.get("TagCount") else ()
    return OpenedObject(object_state(key, response, tags), response["Body"])


def head_version(s3: Any, bucket: str, key: str, version_id: str | None = None) -> ObjectState | None:
    """A version of a key (the current one without `version_id`) as HeadObject says, tags not read; None when
    it is not there (or the key has no current version)."""
    request: dict[str, Any] = {"Bucket": bucket, "Key": key}
    if version_id:
        request["VersionId"] = version_id
    try:
        response = s3.head_object(**request)
    except s3.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") in NO_VERSION_CODES:
            return None
        raise
    return object_state(key, response, ())


def version_exists(s3: Any, bucket: str, key: str, version_id: str) -> bool:
    """Whether S3 still holds this version of the key (current or not)."""
    return head_version(s3, bucket, key, version_id) is not None


def object_tags(s3: Any, bucket: str, key: str, version_id: str | None) -> tuple[tuple[str, str], ...]:
    """The object's S3 tags, (key, value) in S3's order."""
    request: dict[str, Any] = {"Bucket": bucket, "Key": key}
    if version_id and version_id != "null":
        request["VersionId"] = version_id
    return tuple((tag["Key"], tag["Value"]) for tag in s3.get_object_tagging(**request)["TagSet"])


def object_state(key: str, response: dict[str, Any], tags: tuple[tuple[str, str], ...]) -> ObjectState:
    """What S3 answered (GetObject or HeadObject) about a key's current version."""
    version = response.get("VersionId")
    return ObjectState(
        key=key,
        size=response["ContentLength"],
        etag=response["ETag"].strip('"'),
        # Unversioned buckets answer no version, or the literal "null".
        version_id=version if version and version != "null" else None,
        last_modified=instant_of(response["LastModified"]),
        observed_at=observed_now(),
        content_type=response.get("ContentType") or "",
        user_metadata={name: decoded_header(value) for name, value in (response.get("Metadata") or {}).items()},
        tags=tags,
        headers=tuple((name, response[name]) for name in COPIED_HEADERS if response.get(name)),
    )


def observed_now() -> str:
    """When an answer of S3's arrived, to the millisecond: the function's clock (Lambda's is kept by Amazon's
    time service to well under a millisecond), finer than S3's Date header (whole seconds), so writers racing
    within a second are ordered by what they saw, not by a tie-break."""
    return instant_of(datetime.now(UTC))


def decoded_header(value: str) -> str:
    """A user metadata value as sent: S3 keeps non-ASCII values as RFC 2047 encoded words."""
    if "=?" not in value:
        return value
    try:
        return str(make_header(decode_header(value)))
    except (ValueError, LookupError):
        return value  # not a well-formed encoded word: the value is what it says


def header_value(value: str) -> str:
    """A user metadata value as S3 takes it back: non-ASCII text as an RFC 2047 encoded word, as S3 keeps it."""
    return value if value.isascii() else Header(value, "utf-8").encode()


def put_upload(s3: Any, bucket: str, key: str, body: bytes, content_type: str,
               overwrite: bool, private: bool) -> dict[str, Any] | None:
    """Put an uploaded file, marked as seeded (its annotations and extraction wait for the ingest in a seed) and
    tagged private when it is; None when `overwrite` is off and the key exists."""
    request: dict[str, Any] = {"Bucket": bucket, "Key": key, "Body": body, "ContentType": content_type,
                               "Metadata": {SEED_METADATA: UPLOAD_MARK}}
    if private:
        request["Tagging"] = private_tagging()
    if not overwrite:
        request["IfNoneMatch"] = "*"  # S3's conditional write: refused (412) when the key exists
    try:
        return dict(s3.put_object(**request))
    except s3.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("PreconditionFailed", "412"):
            return None
        raise


def presigned_put(s3: Any, bucket: str, key: str, headers: dict[str, str], seconds: int) -> str:
    """A URL that PUTs one object for `seconds`; the caller must send exactly `headers` with it."""
    params: dict[str, Any] = {"Bucket": bucket, "Key": key}
    for header, value in headers.items():
        if header == "Content-Type":
            params["ContentType"] = value
        elif header == "x-amz-tagging":
            params["Tagging"] = value
        elif header == "If-None-Match":
            params["IfNoneMatch"] = value
        else:
            params.setdefault("Metadata", {})[header.removeprefix("x-amz-meta-")] = value
    return str(s3.generate_presigned_url("put_object", Params=params, ExpiresIn=seconds))


def delete_versions(s3: Any, bucket: str, versions: list[tuple[str, str | None]]) -> set[tuple[str, str | None]]:
    """Delete (key, version id) pairs for good (a key without a version: its current object, or a delete marker
    in a versioned bucket); the pairs S3 deleted."""
    deleted: set[tuple[str, str | None]] = set()
    for start in range(0, len(versions), DELETE_BATCH):
        chunk = versions[start : start + DELETE_BATCH]
        # An unversioned bucket lists its objects' version as "null": the object itself.
        objects = [{"Key": key, **({"VersionId": version} if version and version != "null" else {})}
                   for key, version in chunk]
        response = s3.delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": True})
        failed = {(error["Key"], error.get("VersionId")) for error in response.get("Errors", [])}
        deleted |= {pair for pair in chunk if pair not in failed and (pair[0], None) not in failed}
    return deleted


def delete_if_unchanged(s3: Any, bucket: str, key: str, etag: str) -> bool:
    """Delete the key's object only while it still has this ETag (S3's conditional delete); False when it changed
    since (another write came: it stays) or is gone."""
    try:
        s3.delete_object(Bucket=bucket, Key=key, IfMatch=f'"{etag}"')
    except s3.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("PreconditionFailed", "412", *NO_CURRENT_VERSION_CODES):
            return False
        raise
    return True


@dataclass(frozen=True)
class StoredVersion:
    """One version of a key as ListObjectVersions gives it (a delete marker has no ETag)."""

    key: str
    version_id: str
    last_modified: str
    etag: str = ""
    delete_marker: bool = False
    latest: bool = False


def key_versions(s3: Any, bucket: str, key: str) -> list[StoredVersion]:
    """Every version of exactly this key, oldest first, then its delete markers. The order is S3's (it lists a key's
    versions newest first), which tells versions apart even when they were written within one second."""
    versions: list[StoredVersion] = []
    markers: list[StoredVersion] = []
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=key):
        for found in stored_versions(page, only=key):
            (markers if found.delete_marker else versions).append(found)
        if any(entry["Key"] > key for entry in page.get("Versions", []) + page.get("DeleteMarkers", [])):
            break  # keys come in order: the rest of the prefix's keys are other files ("a.jpg" before "a.jpg.bak")
    return versions[::-1] + markers


def stored_versions(page: dict[str, Any], only: str | None = None) -> list[StoredVersion]:
    """The versions and delete markers of a ListObjectVersions page (of one key with `only`)."""
    versions = [StoredVersion(entry["Key"], entry["VersionId"], instant_of(entry["LastModified"]),
                              etag=entry["ETag"].strip('"'), latest=entry["IsLatest"])
                for entry in page.get("Versions", []) if only is None or entry["Key"] == only]
    markers = [StoredVersion(entry["Key"], entry["VersionId"], instant_of(entry["LastModified"]), delete_marker=True,
                             latest=entry["IsLatest"])
               for entry in page.get("DeleteMarkers", []) if only is None or entry["Key"] == only]
    return versions + markers


def copy_version(s3: Any, bucket: str, source: ObjectState, destination: str, seed_mark: str) -> dict[str, Any]:
    """Copy one version of an object (its bytes, tags, type, user metadata and COPIED_HEADERS) to another key,
    marked for the ingest to take the seed the copier left (SEED_METADATA); S3's answer (the new ETag and version)."""
    copy_source: dict[str, Any] = {"Bucket": bucket, "Key": source.key}
    if source.version_id:
        copy_source["VersionId"] = source.version_id
    metadata = {**{name: header_value(value) for name, value in source.user_metadata.items()}, SEED_METADATA: seed_mark}
    response = s3.copy_object(Bucket=bucket, Key=destination, CopySource=copy_source, MetadataDirective="REPLACE",
                              Metadata=metadata, ContentType=source.content_type or "application/octet-stream",
                              **dict(source.headers))
    result = response["CopyObjectResult"]
    version = response.get("VersionId")
    return {"ETag": result["ETag"].strip('"'), "VersionId": version if version and version != "null" else None}


def put_folder_marker(s3: Any, bucket: str, prefix: str) -> None:
    """The empty object an S3 console writes for "Create folder": the folder's key prefix itself."""
    s3.put_object(Bucket=bucket, Key=prefix, Body=b"", ContentType="application/x-directory")


@dataclass(frozen=True)
class ListedKey:
    """A key with a current object, as ListObjectsV2 gives it."""

    key: str
    etag: str
    last_modified: str


def list_keys(s3: Any, bucket: str, prefix: str, start_after: str, limit: int) -> list[ListedKey]:
    """Up to `limit` keys with a current object under a prefix, in key order, after `start_after`."""
    request: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix, "MaxKeys": limit}
    if start_after:
        request["StartAfter"] = start_after
    response = s3.list_objects_v2(**request)
    return [ListedKey(entry["Key"], entry["ETag"].strip('"'), instant_of(entry["LastModified"]))
            for entry in response.get("Contents", [])]


def list_versions(s3: Any, bucket: str, prefix: str, key_marker: str, version_marker: str,
                  limit: int) -> tuple[list[StoredVersion], tuple[str, str] | None]:
    """Up to `limit` versions and delete markers under a prefix, in key order, after the markers; and the
    markers of the next page (None at the end)."""
    request: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix, "MaxKeys": limit}
    if key_marker:
        request["KeyMarker"] = key_marker
        if version_marker:
            request["VersionIdMarker"] = version_marker
    response = s3.list_object_versions(**request)
    following = ((response.get("NextKeyMarker") or "", response.get("NextVersionIdMarker") or "")
                 if response.get("IsTruncated") else None)
    return stored_versions(response), following
