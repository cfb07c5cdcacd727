"""Read the exact object version an S3 event names; its size, ETag and version come from S3, never the message."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

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
    request: dict[str, Any] = {"Bucket": event.bucket, "Key": event.key}
    if event.version_id:
        request["VersionId"] = event.version_id
    elif event.etag:
        request["IfMatch"] = f'"{event.etag}"'
    try:
        response = s3.get_object(**request)
    except s3.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") in STALE_ERROR_CODES:
            return None
        raise
    return OpenedObject(with_facts(event, response), response["Body"])


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


def with_facts(event: ObjectEvent, response: dict[str, Any]) -> ObjectEvent:
    """The event with the size, ETag and version S3 answered (GetObject or HeadObject)."""
    version = response.get("VersionId")
    return replace(
        event,
        size=response["ContentLength"],
        etag=response["ETag"].strip('"'),
        # Unversioned buckets answer no version, or the literal "null".
        version_id=version if version and version != "null" else None,
    )
