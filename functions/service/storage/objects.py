"""Read the exact object version an S3 event names; its facts (size, ETag, version, type, user metadata, tags,
time) come from S3, never the message."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.header import decode_header, make_header
from typing import Any
from urllib.parse import urlencode

from imagemeta.limits import Limits

from .records import ObjectEvent

# The object changed or vanished since the event: a newer event for the key is on its way.
STALE_ERROR_CODES = {"NoSuchKey", "NoSuchVersion", "PreconditionFailed", "412", "404"}
# HeadObject's answer for a key with no current version (none left, or a delete marker on top).
NO_CURRENT_VERSION_CODES = {"NoSuchKey", "404"}


@dataclass
class OpenedObject:
    """An object version being read: the event with S3's own facts about it, and its unread body."""

    event: ObjectEvent
    body: Any

    def read(self, limits: Limits) -> bytes:
        """The bytes, refused (TooLarge) by the size S3 gave before any is read; closes the body."""
        with self.body as body:
            limits.check_bytes(self.event.size)
            # One byte past the cap tells an object that grew beyond the limit from one exactly at it.
            data = body.read(limits.max_bytes + 1)
        limits.check_bytes(len(data))
        return data


def open_object(s3: Any, event: ObjectEvent) -> OpenedObject | None:
    """The object as of the event (by version id, else If-Match on its ETag), or None when it is gone.

    The event's version and ETag are only preconditions: a forged or stale one can make the read miss (and
    the event be dropped), never make a record. What is stored comes from S3's answer.
    """
    found = _as_of_event(s3, event, s3.get_object, reports_tag_count=True)
    return None if found is None else OpenedObject(with_facts(event, *found), found[0]["Body"])


def head_object(s3: Any, event: ObjectEvent) -> ObjectEvent | None:
    """The event with S3's facts about the version it names (HeadObject, no body), or None when it is gone."""
    found = _as_of_event(s3, event, s3.head_object, reports_tag_count=False)
    return None if found is None else with_facts(event, *found)


def _as_of_event(s3: Any, event: ObjectEvent, read: Any, reports_tag_count: bool,
                 ) -> tuple[dict[str, Any], tuple[tuple[str, str], ...]] | None:
    """S3's answer to `read` (GetObject or HeadObject) for the version the event names, and the object's tags.

    GetObject's answer counts the tags (TagCount, absent for none), so an untagged object costs no tagging
    request; HeadObject's is not documented to, so after it the tags are always asked for.
    """
    request: dict[str, Any] = {"Bucket": event.bucket, "Key": event.key}
    if event.version_id:
        request["VersionId"] = event.version_id
    elif event.etag:
        request["IfMatch"] = f'"{event.etag}"'
    try:
        response = read(**request)
        if reports_tag_count and not response.get("TagCount"):
            return response, ()
        return response, object_tags(s3, event.bucket, event.key, response.get("VersionId"))
    except s3.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") in STALE_ERROR_CODES:
            return None
        raise


def object_tags(s3: Any, bucket: str, key: str, version_id: str | None) -> tuple[tuple[str, str], ...]:
    """The object's S3 tags, (key, value) in S3's order."""
    request: dict[str, Any] = {"Bucket": bucket, "Key": key}
    if version_id and version_id != "null":
        request["VersionId"] = version_id
    return tuple((tag["Key"], tag["Value"]) for tag in s3.get_object_tagging(**request)["TagSet"])


def current_version(s3: Any, event: ObjectEvent) -> ObjectEvent | None:
    """The event aimed at the key's current version instead (HeadObject), or None when the key has none.

    After one version of a key is deleted for good, an older one may be current again, or nothing is:
    the record must follow that, under the deleting event's sequencer.
    """
    try:
        head = s3.head_object(Bucket=event.bucket, Key=event.key)
    except s3.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") in NO_CURRENT_VERSION_CODES:
            return None
        raise
    return with_facts(replace(event, removed=False, version_deleted=False), head)


def with_facts(event: ObjectEvent, response: dict[str, Any], tags: tuple[tuple[str, str], ...] = ()) -> ObjectEvent:
    """The event with what S3 answered (GetObject or HeadObject): size, ETag, version, content type, user
    metadata, last modified, and the tags read beside it."""
    version = response.get("VersionId")
    return replace(
        event,
        size=response["ContentLength"],
        etag=response["ETag"].strip('"'),
        # Unversioned buckets answer no version, or the literal "null".
        version_id=version if version and version != "null" else None,
        content_type=response.get("ContentType") or "",
        user_metadata={name: decoded_header(value) for name, value in (response.get("Metadata") or {}).items()},
        tags=tags,
        last_modified=iso_instant(response["LastModified"]) if response.get("LastModified") else "",
    )


def decoded_header(value: str) -> str:
    """A user metadata value as sent: S3 keeps non-ASCII values as RFC 2047 encoded words."""
    if "=?" not in value:
        return value
    try:
        return str(make_header(decode_header(value)))
    except (ValueError, LookupError):
        return value  # not a well-formed encoded word: the value is what it says


def iso_instant(moment: datetime) -> str:
    """An instant as the records keep them: UTC, milliseconds, "Z"."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


class FileUrls:
    """The `url` of File objects: a presigned GET of the file's version, or None when the deployment hands
    out none (FILE_URL_SECONDS 0, which also saves signing)."""

    def __init__(self, s3: Any, bucket: str, seconds: int) -> None:
        self._s3, self._bucket, self._seconds = s3, bucket, seconds

    def of(self, key: str, version_id: str | None) -> str | None:
        if not self._seconds:
            return None
        return presigned_get(self._s3, self._bucket, key, version_id, self._seconds)


def presigned_get(s3: Any, bucket: str, key: str, version_id: str | None, seconds: int) -> str:
    """A URL that GETs this object version for `seconds` (signed with the caller's credentials, so it lasts at
    most as long as they do)."""
    params: dict[str, Any] = {"Bucket": bucket, "Key": key}
    if version_id:
        params["VersionId"] = version_id
    return str(s3.generate_presigned_url("get_object", Params=params, ExpiresIn=seconds))


def put_upload(s3: Any, bucket: str, key: str, body: bytes, content_type: str, tags: tuple[str, ...],
               user_metadata: dict[str, str], overwrite: bool) -> dict[str, Any] | None:
    """Put an uploaded file with its tags and user metadata; None when `overwrite` is off and the key exists."""
    request: dict[str, Any] = {"Bucket": bucket, "Key": key, "Body": body, "ContentType": content_type,
                               "Metadata": user_metadata}
    if tags:
        request["Tagging"] = urlencode([(tag, "") for tag in tags])
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
