"""The DynamoDB file record: one item per object key, following what S3 says the key holds.

The ingest calls a write whenever an event names a key, with S3's answer about the key's current version
(objects.py): the write never takes a fact from a message, so any event, stale, repeated or forged, can only
bring the record to what S3 holds. What S3 holds is written unless the stored record says the same; two
writers racing are ordered by `ord`: when S3's answer arrived (to the millisecond), then the sequencer of the
event that made them ask (an answer to a later event saw at least that event's state).
A write reads the stored item (strongly consistent) and puts conditionally on that very item (its `rev`,
which every write and every edit of the annotations bumps): a concurrent write makes the condition fail and
the write starts over. Knowing what it
replaces, a write keeps the key's first creation time and the annotations the update does not change,
releases the replaced item's spilled document and thumbnail, moves the file's library page entry when it
changes, and creates the folder items above a new key before it writes (folders.py). Item layout: items.py.
"""
from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from library.annotations import Update
from library.errors import RecordNotFound
from library.instants import ms_of
from library.kinds import file_kind
from library.records import RECORD_VERSION, Extraction, FileRecord

from . import docs
from .batch import batch_get
from .folders import FolderItems
from .items import FILE_SK, file_attributes, file_record, read_annotations, searchable_embedded
from .library_pages import Batch, Entry, Pages
from .objects import ObjectState
from .overflow import OverflowStore
from .similar_index import BAND_ATTRIBUTES, index_attributes
from .thumbnails import ThumbnailStore

# S3 sequencers are hex strings of varying length; right-padded to one width they compare as S3 documents.
SEQUENCER_WIDTH = 32
# The backfill's events: lower than any sequencer S3 issues, so they never win a tie against a real event.
BACKFILL_SEQUENCER = "0"
# A deleted key keeps a tombstone so that a late, stale event cannot bring it back; SQS keeps a message
# at most 14 days, so no event can arrive after 15.
TOMBSTONE_TTL_SECONDS = 15 * 24 * 3600
# Concurrent writes to one record make each other's condition fail; each retries after a pause.
WRITE_ATTEMPTS = 8
MARKER_KIND = "marker"
# Puts a thumbnail and gives its key (None when it could not be stored).
StoreThumbnail = Callable[[], str | None]
# What an edit of the annotations rewrites (items.py), and the revision every write bumps.
ANNOTATION_ATTRIBUTES = ("tags", "custom", "coords", "desc", "private", "published", "rev")


def file_id(bucket: str, key: str) -> str:
    """The contract's stable id: the first 24 hex digits of SHA-256 over "<bucket>/<key>"."""
    return hashlib.sha256(f"{bucket}/{key}".encode()).hexdigest()[:24]


def normalize_sequencer(sequencer: str) -> str:
    """Upper-case, right-padded with zeros to a fixed width, so string order is event order."""
    value = sequencer.strip().upper()
    if not value or len(value) > SEQUENCER_WIDTH or any(c not in "0123456789ABCDEF" for c in value):
        raise ValueError(f"not an S3 sequencer: {sequencer!r}")
    return value.ljust(SEQUENCER_WIDTH, "0")


def write_order(observed_at: str, sequencer: str) -> str:
    """A write's place: when S3's answer arrived (a fixed-width instant), then the sequencer of the event that asked."""
    return f"{observed_at}#{normalize_sequencer(sequencer)}"


def record_key(fid: str) -> dict[str, Any]:
    return {"pk": {"S": fid}, "sk": {"S": FILE_SK}}


@dataclass(frozen=True)
class Written:
    """What a write did: whether it wrote, and the record it wrote (None for a tombstone or a kept record)."""

    written: bool
    record: FileRecord | None = None


class WriteConflict(Exception):
    """The record kept changing under every attempt to write it (the message is retried)."""


class RecordStore:
    """Reads and conditionally writes file records; the DynamoDB client and the overflow store are passed in.

    `bands`: whether records enter the similar-image band indexes (the SimilarIndex setting, docs/similar.md).
    """

    def __init__(self, dynamodb: Any, table: str, bucket: str, overflow: OverflowStore, *,
                 thumbnails: ThumbnailStore, bands: bool = False):
        self._dynamodb = dynamodb
        self._table = table
        self._bucket = bucket
        self._overflow = overflow
        self._thumbnails = thumbnails
        self._bands = bands
        self._folders = FolderItems(dynamodb, table, bucket)
        self._pages = Pages(dynamodb, table)

    # ---------------------------------------------------------------- writes

    def write_file(self, state: ObjectState, extraction: Extraction, update: Update, sequencer: str, batch: Batch,
                   created_at: str | None = None, store_thumbnail: StoreThumbnail | None = None) -> Written:
        """Bring the key's record to S3's current version (unless a write as new is stored).

        `created_at`: the creation time a move keeps (else the key's own, or this version's for a new key).
        `store_thumbnail` puts the bytes' thumbnail and gives its key: called once, when a write is to be made, so a
        repeated or stale event stores none. The thumbnail (the extraction's, or the one stored so) is the write's
        to keep: the record written keeps it; when nothing is written it is deleted, unless the stored record
        already holds it (a repeated event of the write that did).
        """
        fid = file_id(self._bucket, state.key)
        order = write_order(state.observed_at, sequencer)
        stored = docs.encode({docs.METADATA: extraction.metadata, docs.EMBEDDED_METADATA: extraction.embedded})
        spilled_key = None
        if stored.spill is not None:
            spilled_key = self._overflow.put(fid, order, stored.spill)
            stored = docs.spilled(stored, spilled_key, stored.spill)
        written = False
        old: dict[str, Any] | None = None
        try:
            for attempt in range(WRITE_ATTEMPTS):
                old = self._current(fid)
                if not may_replace(old, order, state, self._bands):
                    return Written(False)
                if store_thumbnail is not None:
                    extraction, store_thumbnail = replace(extraction, thumbnail_key=store_thumbnail()), None
                record = new_record(fid, old, state, extraction, update, created_at)
                entry = Entry(ms_of(record.created_at), fid, record.phash or "")
                page = old["page"]["S"] if old is not None and same_entry(old, entry) else batch.add(entry)
                item = {
                    **record_key(fid), "ord": {"S": order},
                    "rev": {"N": str(revision(old) + 1)},
                    **file_attributes(record, stored),
                    **searchable_embedded(extraction.embedded),
                    **(index_attributes(record.phash) if self._bands and record.phash else {}),
                    "page": {"S": page},
                }
                if not live(old):
                    self._folders.ensure(state.key, record.updated_at)
                if self._commit(old, item):
                    written = True
                    self._release(old, item)
                    return Written(True, record)
                batch.discard(entry)
                time.sleep(random.uniform(0, 0.02 * 2**attempt))  # noqa: S311 - jitter, not a secret
            raise WriteConflict(f"the record of {state.key!r} changed under {WRITE_ATTEMPTS} write attempts")
        finally:
            if spilled_key is not None and not written:
                self._overflow.delete(spilled_key)  # stale, or the write failed: no record points at this body
            thumbnail = extraction.thumbnail_key
            if thumbnail is not None and not written and thumbnail != thumbnail_of(old):
                self._thumbnails.delete(thumbnail)

    def write_marker(self, state: ObjectState, sequencer: str) -> Written:
        """A folder marker (a key ending in "/"): it keeps its folder listed, and is no file itself."""
        fid = file_id(self._bucket, state.key)
        order = write_order(state.observed_at, sequencer)
        for _ in range(WRITE_ATTEMPTS):
            old = self._current(fid)
            if old is not None and ("kind" in old or old["ord"]["S"] >= order):
                return Written(False)
            if not live(old):
                self._folders.ensure(state.key, state.last_modified)
            item = {**record_key(fid), "ord": {"S": order}, "rev": {"N": str(revision(old) + 1)},
                    "kind": {"S": MARKER_KIND}, "key": {"S": state.key}, "created": {"S": state.last_modified},
                    "ver": {"N": str(RECORD_VERSION)}}
            if self._commit(old, item):
                self._release(old, item)
                return Written(True)
        raise WriteConflict(f"the marker {state.key!r} changed under {WRITE_ATTEMPTS} write attempts")

    def write_tombstone(self, key: str, absent_at: str, sequencer: str) -> Written:
        """The key has no current version (S3 said so at `absent_at`): mark it deleted, kept until its TTL so
        that a late, stale event cannot bring it back."""
        fid = file_id(self._bucket, key)
        order = write_order(absent_at, sequencer)
        for _ in range(WRITE_ATTEMPTS):
            old = self._current(fid)
            if old is None or "deleted" in old or old["ord"]["S"] >= order:
                return Written(False)
            item = {**record_key(fid), "ord": {"S": order}, "rev": {"N": str(revision(old) + 1)},
                    "deleted": {"BOOL": True}, "ver": {"N": str(RECORD_VERSION)}, "key": {"S": key},
                    "expiresAt": {"N": str(int(time.time()) + TOMBSTONE_TTL_SECONDS)}}
            if self._commit(old, item):
                self._release(old, item)
                return Written(True)
        raise WriteConflict(f"the tombstone of {key!r} changed under {WRITE_ATTEMPTS} write attempts")

    def keep_page(self, key: str) -> None:
        """Make sure a live record's page lists it (a redelivered message whose page write may have failed)."""
        old = self._current(file_id(self._bucket, key))
        if is_file(old) and old is not None and "page" in old:
            record = file_record(old, self._overflow)
            self._pages.add(old["page"]["S"], Entry(ms_of(record.created_at), record.file_id, record.phash or ""))

    def update_annotations(self, fid: str, change: Any) -> FileRecord:
        """Apply `change(Annotations) -> Annotations` to a live file's record (an edit through the API)."""
        for _ in range(WRITE_ATTEMPTS):
            old = self._current(fid)
            if not is_file(old) or old is None:
                raise RecordNotFound()
            record = replace(file_record(old, self._overflow), annotations=change(read_annotations(old)))
            attributes = file_attributes(record, docs.Stored())
            item: dict[str, Any] = {name: value for name, value in old.items() if name not in ANNOTATION_ATTRIBUTES}
            item.update({name: attributes[name] for name in ANNOTATION_ATTRIBUTES if name in attributes})
            item["rev"] = {"N": str(revision(old) + 1)}
            if self._commit(old, item):
                return file_record(item, self._overflow)
        raise WriteConflict(f"the record {fid} changed under {WRITE_ATTEMPTS} edit attempts")

    def _current(self, fid: str) -> dict[str, Any] | None:
        """The stored item (strongly consistent), or None."""
        found = self._dynamodb.get_item(TableName=self._table, Key=record_key(fid), ConsistentRead=True)
        item: dict[str, Any] | None = found.get("Item")
        return item

    def _commit(self, old: dict[str, Any] | None, item: dict[str, Any]) -> bool:
        """Put the item if the stored one is still `old`; False otherwise."""
        if old is None:
            condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(pk)"}
        else:
            condition = {"ConditionExpression": "rev = :rev", "ExpressionAttributeValues": {":rev": old["rev"]}}
        try:
            self._dynamodb.put_item(TableName=self._table, Item=item, **condition)
        except self._dynamodb.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def _release(self, old: dict[str, Any] | None, item: dict[str, Any]) -> None:
        """What the replaced item held that the new one does not: its spilled document, its thumbnail, its page
        entry."""
        if old is None:
            return
        reference = docs.reference(old)
        if reference is not None and reference != docs.reference(item):
            self._overflow.delete(reference)
        thumbnail = thumbnail_of(old)
        if thumbnail is not None and thumbnail != thumbnail_of(item):
            self._thumbnails.delete(thumbnail)
        if "page" in old and old["page"] != item.get("page"):
            self._pages.remove(old["page"]["S"], old["pk"]["S"])

    # ---------------------------------------------------------------- reads

    def file(self, fid: str, consistent: bool = False) -> FileRecord:
        """The record of a live file; RecordNotFound when absent, deleted, or no file (a folder marker)."""
        found = self._dynamodb.get_item(TableName=self._table, Key=record_key(fid), ConsistentRead=consistent)
        item = found.get("Item")
        if not is_file(item) or item is None:
            raise RecordNotFound()
        return file_record(item, self._overflow)

    def files(self, fids: list[str], consistent: bool = False) -> dict[str, FileRecord]:
        """The records of the live files among these fileIds, by fileId (BatchGetItem)."""
        items, _ = batch_get(self._dynamodb, self._table, [record_key(fid) for fid in fids], consistent=consistent)
        return {item["pk"]["S"]: file_record(item, self._overflow) for item in items if is_file(item)}


def new_record(fid: str, old: dict[str, Any] | None, state: ObjectState, extraction: Extraction, update: Update,
               created_at: str | None) -> FileRecord:
    """The record a write makes of S3's state, the extraction of its bytes, and the annotations update; a key
    that stays live keeps its creation time and counts a new S3 version as its next version."""
    metadata = extraction.metadata
    error = extraction.error
    kind = file_kind(state.key, state.content_type, metadata["format"] if metadata else None,
                     error is not None and error.too_large)
    kept = old if is_file(old) else None
    version_number = 1
    if kept is not None:
        version_number = int(kept["vnum"]["N"]) if "vnum" in kept else 1
        if kept.get("vid", {}).get("S") != state.version_id:
            version_number += 1
    taken = (extraction.embedded or {}).get("DateTimeOriginal")
    return FileRecord(
        file_id=fid,
        key=state.key,
        created_at=created_at or (kept["created"]["S"] if kept else state.last_modified),
        updated_at=state.last_modified,
        size=state.size,
        etag=state.etag,
        version_id=state.version_id,
        mime=kind.mime,
        file_type=kind.file_type,
        format=kind.format,
        height=metadata["height"] if metadata else None,
        width=metadata["width"] if metadata else None,
        has_alpha=metadata["hasTransparency"] if metadata else None,
        phash=metadata.get("pHash") if metadata else None,
        taken_at=taken if isinstance(taken, str) else None,
        thumbnail_key=extraction.thumbnail_key,
        annotations=update.applied_to(read_annotations(kept) if kept else None),
        version_number=version_number,
        error=error,
    )


def may_replace(old: dict[str, Any] | None, order: str, state: ObjectState, bands: bool) -> bool:
    """Whether a write of S3's state may replace the stored item: the item says something else (another version,
    ETag, size or time, a tombstone, an older layout, an image out of the band indexes it should be in, an image
    read before thumbnails were made) and was not written from a later answer of S3's."""
    if old is None:
        return True
    if is_file(old) and int(old["ver"]["N"]) == RECORD_VERSION and old["etag"]["S"] == state.etag and (
            int(old["size"]["N"]) == state.size and old.get("vid", {}).get("S") == state.version_id
            and old["updatedAt"]["S"] == state.last_modified
            and not (bands and "pHash" in old and BAND_ATTRIBUTES[0] not in old)
            and not ("pHash" in old and "thumb" not in old)):
        return False
    return order > old["ord"]["S"]


def thumbnail_of(item: dict[str, Any] | None) -> str | None:
    """The thumbnail key a stored item holds."""
    return item["thumb"]["S"] or None if item is not None and "thumb" in item else None


def same_entry(old: dict[str, Any] | None, entry: Entry) -> bool:
    """Whether a live stored item's page already lists this entry (same creation time and pHash)."""
    if not is_file(old) or old is None or "page" not in old:
        return False
    return ms_of(old["created"]["S"]) == entry.created_ms and old.get("pHash", {}).get("S", "") == entry.phash


def revision(item: dict[str, Any] | None) -> int:
    return int(item["rev"]["N"]) if item is not None else 0


def live(item: dict[str, Any] | None) -> bool:
    """A stored item of a key that holds something (a file or a marker): its folder items exist already."""
    return item is not None and "deleted" not in item


def is_file(item: dict[str, Any] | None) -> bool:
    """A live file's item: not missing, no tombstone, no folder marker."""
    return item is not None and "deleted" not in item and "kind" not in item and "key" in item
