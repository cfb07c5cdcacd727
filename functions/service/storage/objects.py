"""S3's own word on an object: its current version and facts, read whenever an event names the key; and the
service's other S3 work on uploads (puts, deletes, PUT URLs; the GET URLs are delivery.py's).

The ingest never takes an object's facts from a message: it asks S3 what the key holds now (docs/files-api.md,
"The write"). A forged or stale message can only make the ingest look again.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.header import decode_header, make_header
from typing import Any

from imagemeta.limits import Limits
from library.annotations import private_tagging
from library.instants import instant_of

# HeadObject's and GetObject's answer for a key with no current version (none left, or a delete marker on top).
NO_CURRENT_VERSION_CODES = {"NoSuchKey", "404"}
# User metadata the service writes on its own uploads: the ingest finds a seed for them (seeds.py).
SEED_METADATA = "imagemeta-seed"


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

    @property
    def seeded(self) -> bool:
        """The service's upload wrote it and left what it knew for the ingest (a seed)."""
        return SEED_METADATA in self.user_metadata


@dataclass
class OpenedObject:
    """A key's current version being read: its state, and its unread body."""

    state: ObjectState
    body: Any

    def read(self, limits: Limits) -> bytes:
        """The bytes, refused (TooLarge) by the size S3 gave before any is read; closes the body."""
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


def head_current(s3: Any, bucket: str, key: str) -> ObjectState | Absent:
    """The key's current version without its body (HeadObject, then its tags), or Absent."""
    try:
        response = s3.head_object(Bucket=bucket, Key=key)
    except s3.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") in NO_CURRENT_VERSION_CODES:
            return Absent(observed_now())
        raise
    return object_state(key, response, object_tags(s3, bucket, key, response.get("VersionId")))


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


def put_upload(s3: Any, bucket: str, key: str, body: bytes, content_type: str,
               overwrite: bool, private: bool) -> dict[str, Any] | None:
    """Put an uploaded file, marked as seeded (its annotations and extraction wait for the ingest in a seed) and
    tagged private when it is; None when `overwrite` is off and the key exists."""
    request: dict[str, Any] = {"Bucket": bucket, "Key": key, "Body": body, "ContentType": content_type,
                               "Metadata": {SEED_METADATA: "1"}}
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


def delete_objects(s3: Any, bucket: str, keys: list[str]) -> set[str]:
    """Delete keys (a delete marker in a versioned bucket); the keys S3 deleted."""
    deleted: set[str] = set()
    for start in range(0, len(keys), 1000):  # DeleteObjects takes 1000 keys
        chunk = keys[start : start + 1000]
        response = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": key} for key in chunk], "Quiet": True})
        failed = {error["Key"] for error in response.get("Errors", [])}
        deleted |= set(chunk) - failed
    return deleted
