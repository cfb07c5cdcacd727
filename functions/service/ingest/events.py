"""S3 notifications (as SQS delivers them) -> ObjectEvent, what the storage writes records from."""
from __future__ import annotations

from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.data_classes.s3_event import S3EventRecord

from ..storage.records import ObjectEvent

REMOVAL_KINDS = {"ObjectRemoved", "LifecycleExpiration"}


def object_event(record: S3EventRecord) -> ObjectEvent:
    """The ObjectEvent of one S3 notification record; keys arrive URL-encoded with `+` for space."""
    obj = record.s3.get_object
    # A lifecycle rule's expirations arrive as LifecycleExpiration:Delete / :DeleteMarkerCreated, with
    # the same meaning (and a sequencer) as a caller's ObjectRemoved:Delete / :DeleteMarkerCreated.
    kind, _, action = record.event_name.partition(":")
    removed = kind in REMOVAL_KINDS
    version_id = obj.version_id or None
    return ObjectEvent(
        bucket=record.s3.bucket.name,
        key=unquote_plus(obj.key),
        sequencer=obj.sequencer,
        removed=removed,
        size=0 if removed else obj.size,
        etag=obj.etag,
        version_id=version_id,
        event_time=record.event_time,
        # DeleteMarkerCreated hides the key; Delete with a version id removes that version only.
        version_deleted=removed and action == "Delete" and version_id is not None,
    )
