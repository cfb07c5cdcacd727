"""S3 notifications (as SQS delivers them) -> ObjectEvent: which key to look at again, and the event's place.

Only the bucket, key, sequencer and version id of a notification are used, and only as a prompt: the ingest
asks S3 what the key holds now (storage/objects.py), and what S3 holds of the version named, so a forged or
stale message can make it look again and nothing more.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.data_classes.s3_event import S3EventRecord

REMOVAL_KINDS = {"ObjectRemoved", "LifecycleExpiration"}


@dataclass(frozen=True)
class ObjectEvent:
    """A notification about one key: its bucket, its key, its sequencer, and what it said happened (for logs)."""

    bucket: str
    key: str
    sequencer: str
    name: str = "ObjectCreated:Put"
    version_id: str | None = None  # the version it is about, in a bucket that keeps versions

    @property
    def removed(self) -> bool:
        return self.name.partition(":")[0] in REMOVAL_KINDS

    @property
    def is_folder_marker(self) -> bool:
        """A key ending in "/" (what S3 consoles write for "create folder"): a folder, never a file."""
        return self.key.endswith("/")


def object_event(record: S3EventRecord) -> ObjectEvent:
    """The ObjectEvent of one S3 notification record; keys arrive URL-encoded with `+` for space."""
    obj = record.s3.get_object
    version = obj.version_id
    return ObjectEvent(bucket=record.s3.bucket.name, key=unquote_plus(obj.key), sequencer=obj.sequencer,
                       name=record.event_name, version_id=version if version and version != "null" else None)
