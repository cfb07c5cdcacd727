"""The DynamoDB file record: one item per object key, written in S3-event order, read by the API.

A write reads the stored item (strongly consistent), decides from its sequencer whether the event may
replace it, and writes conditionally on that very item still being there: a concurrent write makes the
condition fail and the write starts over. Knowing the item it replaces, a write keeps the key's first
createdAt, releases the replaced item's spilled bodies, and creates the folder items above a new key
(folders.py) before it writes. Items of recordVersion 2 carry the File object's facts (file_items.py); older items
keep answering the metadata routes, and the backfill upgrades them (docs/files-api.md).
"""
from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from imagemeta.errors import ImageMetaError, TooLarge
from library.errors import RecordNotFound
from library.records import FileRecord, StoredError

from . import bodies
from .batch import batch_get
from .codec import file_record
from .file_items import RECORD_VERSION, Times, file_attributes, marker_attributes, now_iso
from .folders import FolderItems
from .overflow import OverflowStore
from .similar_index import index_attributes

# S3 sequencers are hex strings of varying length; right-padded to one width they compare as S3 documents.
SEQUENCER_WIDTH = 32
# Lower than any sequencer S3 issues: an event carrying it (the backfill's) fills a key that has no record,
# or upgrades an older record version in place, and never replaces a record a real event wrote.
BACKFILL_SEQUENCER = "0"
# A deleted key keeps a tombstone so that a late, stale create cannot bring it back; SQS keeps a message
# at most 14 days, so no event can arrive after 15.
TOMBSTONE_TTL_SECONDS = 15 * 24 * 3600
# Concurrent writes to one record make each other's condition fail; each retries after a pause.
WRITE_ATTEMPTS = 8
# What a write needs of the item it replaces.
_CURRENT = ("sequencer", "deleted", "recordVersion", "createdAt", "metadataRef", "embeddedMetadataRef")


def file_id(bucket: str, key: str) -> str:
    """The contract's stable id: the first 24 hex digits of SHA-256 over "<bucket>/<key>"."""
    return hashlib.sha256(f"{bucket}/{key}".encode()).hexdigest()[:24]


def normalize_sequencer(sequencer: str) -> str:
    """Upper-case, right-padded with zeros to a fixed width, so string order is event order."""
    value = sequencer.strip().upper()
    if not value or len(value) > SEQUENCER_WIDTH or any(c not in "0123456789ABCDEF" for c in value):
        raise ValueError(f"not an S3 sequencer: {sequencer!r}")
    return value.ljust(SEQUENCER_WIDTH, "0")


@dataclass(frozen=True)
class ObjectEvent:
    """What one S3 notification says about one object, and then what S3 says about the object.

    Only the bucket, key, sequencer and kind are taken from the message; before an object's record is
    written, its facts (size, ETag, version, content type, user metadata, tags, last modified) are
    replaced by S3's own answer (storage.objects), so a forged message cannot make a record claim them.
    """

    bucket: str
    key: str
    sequencer: str
    removed: bool = False
    size: int = 0
    etag: str = ""
    version_id: str | None = None
    event_time: str = ""
    # One version was deleted for good (versioned bucket): the key's record follows whatever is current now.
    version_deleted: bool = False
    content_type: str = ""
    user_metadata: dict[str, str] = field(default_factory=dict)
    tags: tuple[tuple[str, str], ...] = ()
    last_modified: str = ""

    @property
    def file_id(self) -> str:
        return file_id(self.bucket, self.key)

    @property
    def is_folder_marker(self) -> bool:
        """A key ending in "/" (what S3 consoles write for "create folder"): a folder, never a file."""
        return self.key.endswith("/")


class WriteConflict(Exception):
    """The record kept changing under every attempt to write it (the message is retried)."""


class RecordStore:
    """Reads and conditionally writes file records; the DynamoDB client and the overflow store are passed in."""

    def __init__(self, dynamodb: Any, table: str, overflow: OverflowStore):
        self._dynamodb = dynamodb
        self._table = table
        self._overflow = overflow
        self._folders = FolderItems(dynamodb, table)

    # ---------------------------------------------------------------- writes

    def covers(self, event: ObjectEvent) -> bool:
        """True when the stored record is from this event or a newer one, so the event can change nothing.

        The write checks again (and conditionally); this spares the object read of duplicates and stale events.
        """
        return not may_replace(self._current(event.file_id), event)

    def put_metadata(self, event: ObjectEvent, metadata: dict[str, Any],
                     embedded: dict[str, Any] | None = None) -> bool:
        """Store an image's metadata (and embeddedMetadata); False when a newer (or the same) event is stored."""
        encoded, spills = bodies.encode({bodies.METADATA: metadata, **({} if embedded is None else
                                                                      {bodies.EMBEDDED_METADATA: embedded})})
        spilled: list[str] = []
        written = False
        try:
            for name, body in spills.items():
                key = self._overflow.put(event.file_id, normalize_sequencer(event.sequencer), body)
                spilled.append(key)
                encoded.update(bodies.spilled_attributes(name, key, body))
            # The pHash attributes put the record in the similar-image indexes, in the same conditional write.
            extra = {**encoded, **(index_attributes(metadata["pHash"]) if "pHash" in metadata else {})}
            written = self._write(event, lambda times: file_attributes(event, times, metadata, extra))
        finally:
            if not written:
                for key in spilled:
                    self._overflow.delete(key)  # stale, or the write failed: no record points at this body
        return written

    def put_error(self, event: ObjectEvent, error: ImageMetaError) -> bool:
        """Store why an object has no metadata (it is then a non-image file), so lookups answer 400/413, not 404."""
        kept = StoredError.of(error)
        stored = {"error": {"M": {"kind": {"S": kept.kind}, "message": {"S": kept.message}, "help": {"S": kept.help}}}}
        too_large = isinstance(error, TooLarge)
        return self._write(event, lambda times: file_attributes(event, times, None, stored, too_large))

    def put_marker(self, event: ObjectEvent) -> bool:
        """Store a folder marker: it keeps its folder listed while it exists, and is no file itself."""
        return self._write(event, lambda times: marker_attributes(event, times))

    def put_tombstone(self, event: ObjectEvent) -> bool:
        """Mark a key deleted (kept until its TTL so a stale create cannot resurrect it)."""
        expires = int(time.time()) + TOMBSTONE_TTL_SECONDS
        return self._write(event, lambda _: {"deleted": {"BOOL": True}, "expiresAt": {"N": str(expires)}})

    def _write(self, event: ObjectEvent, attributes: Callable[[Times], dict[str, Any]]) -> bool:
        """Write the item `attributes(times)` gives, if the event may replace what is stored."""
        updated = event.last_modified or event.event_time or now_iso()
        for attempt in range(WRITE_ATTEMPTS):
            old = self._current(event.file_id)
            if not may_replace(old, event):
                return False
            # A key that stays live keeps its first createdAt; a new or recreated one starts anew.
            kept = old.get("createdAt", {}).get("S") if old and "deleted" not in old else None
            # An upgrade keeps the stored sequencer: it is the same object, described anew.
            upgrade = old is not None and is_upgrade(old, event)
            sequencer = old["sequencer"]["S"] if old and upgrade else normalize_sequencer(event.sequencer)
            times = Times(created=kept or updated, updated=updated)
            item = {**record_keys(event, sequencer, updated), **attributes(times)}
            if self._commit(old, item):
                for key in bodies.references(old or {}) - bodies.references(item):
                    self._overflow.delete(key)
                return True
            time.sleep(random.uniform(0, 0.02 * 2**attempt))  # noqa: S311 - jitter, not a secret
        raise WriteConflict(f"the record of {event.key!r} changed under {WRITE_ATTEMPTS} write attempts")

    def _current(self, fid: str) -> dict[str, Any] | None:
        """What a write needs of the stored item (strongly consistent), or None."""
        names = {f"#{name}": name for name in _CURRENT}
        return self._dynamodb.get_item(
            TableName=self._table,
            Key={"fileId": {"S": fid}},
            ConsistentRead=True,
            ProjectionExpression=", ".join(names),
            ExpressionAttributeNames=names,
        ).get("Item")

    def _commit(self, old: dict[str, Any] | None, item: dict[str, Any]) -> bool:
        """Put the item if the stored one is still `old` (its folders first, for a new key); False otherwise."""
        if "deleted" not in item and not is_current_live(old):
            self._folders.ensure(item["bucket"]["S"], item["path"]["S"], item["updatedAt"]["S"])
        if old is None:
            condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(fileId)"}
        else:
            condition = {"ConditionExpression": "sequencer = :stored",
                         "ExpressionAttributeValues": {":stored": old["sequencer"]}}
        try:
            self._dynamodb.put_item(TableName=self._table, Item=item, **condition)
        except self._dynamodb.exceptions.ConditionalCheckFailedException:
            return False
        return True

    # ---------------------------------------------------------------- reads

    def file(self, fid: str, consistent: bool = False) -> FileRecord:
        """The record of a live file; RecordNotFound when absent, deleted, or no file (a folder, a marker)."""
        key = {"fileId": {"S": fid}}
        item = self._dynamodb.get_item(TableName=self._table, Key=key, ConsistentRead=consistent).get("Item")
        if item is None or not is_file(item):
            raise RecordNotFound()
        return file_record(item, self._overflow)

    def files(self, fids: list[str], consistent: bool = False) -> dict[str, FileRecord]:
        """The records of the live files among these fileIds, by fileId (BatchGetItem)."""
        items, _ = batch_get(self._dynamodb, self._table, fids, consistent=consistent)
        return {fid: file_record(item, self._overflow) for fid, item in items.items() if is_file(item)}

    def records(self, items: dict[str, dict[str, Any]]) -> dict[str, FileRecord]:
        """Items read elsewhere (a listing's BatchGetItem) decoded, the live files among them only."""
        return {fid: file_record(item, self._overflow) for fid, item in items.items() if is_file(item)}


def record_keys(event: ObjectEvent, sequencer: str, updated: str) -> dict[str, Any]:
    """What every record item holds: its key, object, place in the event order, version and time."""
    return {
        "fileId": {"S": event.file_id},
        "bucket": {"S": event.bucket},
        "path": {"S": event.key},
        "sequencer": {"S": sequencer},
        "recordVersion": {"N": str(RECORD_VERSION)},
        "updatedAt": {"S": updated},
    }


def may_replace(old: dict[str, Any] | None, event: ObjectEvent) -> bool:
    """Whether an event may write over the stored item: it is newer, or it upgrades an older record version."""
    return old is None or normalize_sequencer(event.sequencer) > old["sequencer"]["S"] or is_upgrade(old, event)


def is_upgrade(old: dict[str, Any], event: ObjectEvent) -> bool:
    """A backfill event for a live record of an older version: re-read the object, keep the record's place."""
    version = int(old.get("recordVersion", {}).get("N", "1"))
    backfill = normalize_sequencer(event.sequencer) == normalize_sequencer(BACKFILL_SEQUENCER)
    return backfill and version < RECORD_VERSION and "deleted" not in old


def is_current_live(item: dict[str, Any] | None) -> bool:
    """A stored item of the current version for a live key: its folder items exist already."""
    if item is None or "deleted" in item:
        return False
    return int(item.get("recordVersion", {}).get("N", "1")) >= RECORD_VERSION


def is_file(item: dict[str, Any] | None) -> bool:
    """A live file's item: not missing, no tombstone, no folder or folder marker, not the backfill's checkpoint."""
    return item is not None and "deleted" not in item and "kind" not in item and "path" in item
