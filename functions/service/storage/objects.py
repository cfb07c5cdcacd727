"""Read the exact object version an S3 event names, within the byte limit."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from imagemeta.limits import Limits

from .records import ObjectEvent

# The object changed or vanished since the event: a newer event for the key is on its way.
STALE_ERROR_CODES = {"NoSuchKey", "NoSuchVersion", "PreconditionFailed", "412", "404"}
# HeadObject's answer for a key with no current version (none left, or a delete marker on top).
NO_CURRENT_VERSION_CODES = {"NoSuchKey", "404"}


def read_object(s3: Any, event: ObjectEvent, limits: Limits) -> bytes | None:
    """The object's bytes as of the event (by version id, else by ETag), or None when it is gone."""
    limits.check_bytes(event.size)
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
    with response["Body"] as body:
        # One byte past the cap tells an object that grew beyond the limit from one exactly at it.
        data = body.read(limits.max_bytes + 1)
    limits.check_bytes(len(data))
    return data


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
    return replace(
        event,
        removed=False,
        version_deleted=False,
        size=head["ContentLength"],
        etag=head["ETag"].strip('"'),
        version_id=head.get("VersionId"),
    )
