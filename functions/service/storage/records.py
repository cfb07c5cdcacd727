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
releases the replaced item's spilled document and thumbnail, moves the file's library page entry when it changes, and
creates the folder items above a new key before it writes (folders.py). Item layout: items.py.

Where the bucket keeps versions, a write that replaces the current version (or hides it behind a delete
marker) keeps the replaced record as a version item (versions.py), while S3 still holds that version; a
version that becomes current again (a newer one deleted for good) takes its item's facts back. A version the
ingest only hears of once another is current (two puts in a row) gets its item late, in its place among the
names by S3's order of versions: the newer items and the current record move up one (write_version), so
numbers stay unique and in order.
"""
from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from library.annotations import Carried, Update
from library.errors import FileMoved, RecordNotFound
from library.instants import ms_of
from library.kinds import file_kind
from library.paths import file_path
from library.records import RECORD_VERSION, Extraction, FileRecord

from . import docs
from .batch import batch_get
from .folders import FolderItems
from .items import (
    FILE_SK,
    creation_instant,
    file_attributes,
    file_record,
    object_key,
    read_annotations,
    searchable_embedded,
    thumbnail_of,
    update_instant,
)
from .library_pages import Batch, Entry, Pages
from .objects import ObjectState
from .overflow import OverflowStore
from .seeds import Seeds
from .similar_index import BAND_ATTRIBUTES, index_attributes
from .thumbnails import ThumbnailStore
from .versions import VERSION_SK_PREFIX, version_item, version_key

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
# Reads an object's bytes: their extraction, and how to store their thumbnail (None: no thumbnail to store).
ReadExtraction = Callable[[], tuple[Extraction, StoreThumbnail | None]]
# What an edit of the annotations rewrites (items.py), and the revision every write bumps.
ANNOTATION_ATTRIBUTES = ("tags", "custom", "coords", "desc", "private", "published", "rev")
# Whether S3 still holds a version of a key (key, version id): a replaced version is kept only if it does.
VersionCheck = Callable[[str, str], bool]


def always_kept(key: str, version_id: str) -> bool:
    """The check of writers that know the replaced version stays (tests, tools)."""
    return True


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
    """A write's place: when S3's answer arrived (a fixed-width instant), then the sequencer of the event that asked,
    without the zeros normalize_sequencer pads it with: "0" is the least digit, so the stripped sequencers
    compare as the padded ones do, in fewer of the record's bytes."""
    return f"{observed_at}#{normalize_sequencer(sequencer).rstrip('0')}"


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
        self._seeds = Seeds(dynamodb, table)

    # ---------------------------------------------------------------- writes

    def write_file(self, state: ObjectState, extraction: Extraction | ReadExtraction, update: Update,
                   sequencer: str, batch: Batch, created_at: str | None = None, seeded: bool = False,
                   kept: VersionCheck = always_kept, promotable: bool = False) -> Written:
        """Bring the key's record to S3's current version (unless a write as new is stored).

        `extraction`: what the object's bytes gave, or the function that reads them (and gives how to store their
        thumbnail), called only when the write goes ahead: an event for a record that already says what S3 holds (a
        repeated delivery, a backfill run again) costs a read of the record and no extraction. The thumbnail is
        stored once, when a write is to be made, and is the write's to keep: the record written keeps it; when
        nothing is written it is deleted, unless the stored record holds it (a repeated event of the write that
        did). A seed's thumbnail (the upload put it) is the write's too. `created_at`: the creation time a move
        keeps (else the key's own, or this version's for a new key). `seeded`: the write of an upload (or copy)
        whose seed this is: a new write of the key even when S3's facts look the same (the same bytes again within
        LastModified's second), with the annotations it gave. `kept`: whether S3 still holds a version the write
        replaces (then it keeps its record as a version). `promotable`: the version may be a kept one current
        again (the newer ones deleted for good): then its item's document, annotations and creation time are
        the write's, its number stays, and its item goes. Only a record of another version can have kept it, so
        a first upload reads no version item.
        """
        fid = file_id(self._bucket, state.key)
        order = write_order(state.observed_at, sequencer)
        old = self._current(fid)
        promoted = None
        if promotable and old is not None and state.version_id and old.get("vid", {}).get("S") != state.version_id:
            promoted = self.version(fid, state.version_id)
            if promoted is not None:
                extraction, update = promoted.kept_extraction(), Carried(promoted.annotations)
                created_at = promoted.created_at
        # What the write owns and must not leave behind unwritten: a thumbnail it stores, or a seed's.
        extracted = None if callable(extraction) else extraction
        owns_thumbnail = seeded or callable(extraction)
        store_thumbnail: StoreThumbnail | None = None
        spilled_key = None
        written = False
        try:
            if not may_replace(old, order, state, self._bands, seeded):
                return Written(False)
            if callable(extraction):
                extracted, store_thumbnail = extraction()
            assert extracted is not None  # noqa: S101 - for mypy: given, or just read
            stored, spilled_key = self._document(fid, order, extracted)
            for attempt in range(WRITE_ATTEMPTS):
                if store_thumbnail is not None:
                    extracted, store_thumbnail = replace(extracted, thumbnail_key=store_thumbnail()), None
                record = new_record(fid, old, state, extracted, update, created_at, seeded, promoted)
                entry = Entry(ms_of(record.created_at), fid, record.phash or "")
                page = old["page"]["S"] if old is not None and same_entry(old, entry) else batch.add(entry)
                item = {
                    **record_key(fid), "ord": {"S": order},
                    "rev": {"N": str(revision(old) + 1)},
                    **file_attributes(record, stored),
                    **searchable_embedded(extracted.embedded),
                    **(index_attributes(record.phash) if self._bands and record.phash else {}),
                    "page": {"S": page},
                }
                if not live(old):
                    self._folders.ensure(state.key, record.updated_at, batch.folders)
                if self._commit(old, item):
                    written = True
                    self._release(old, item, keeps_bodies=self._keep_replaced(old, state.version_id, kept))
                    if promoted is not None and promoted.version_id:
                        self.drop_version(fid, promoted.version_id)
                    return Written(True, record)
                batch.discard(entry)
                time.sleep(random.uniform(0, 0.02 * 2**attempt))  # noqa: S311 - jitter, not a secret
                old = self._current(fid)  # another write came first: what it wrote decides again
                if not may_replace(old, order, state, self._bands, seeded):
                    return Written(False)
            raise WriteConflict(f"the record of {state.key!r} changed under {WRITE_ATTEMPTS} write attempts")
        finally:
            if spilled_key is not None and not written:
                self._overflow.delete(spilled_key)  # stale, or the write failed: no record points at this body
            thumbnail = extracted.thumbnail_key if extracted is not None and owns_thumbnail else None
            if thumbnail is not None and not written and thumbnail != thumbnail_of(old):
                self._thumbnails.delete(thumbnail)

    def write_version(self, state: ObjectState, extraction: Extraction, update: Update, newer: set[str]) -> bool:
        """Keep a version S3 holds that is not the current one and has no item yet (the ingest heard of it once a
        newer one was current). It takes its place in the order of names: the number of the oldest of the `newer`
        versions (the ids S3 lists after it) that have items, or the current record's, and those and the current
        record move up one. False when there is nothing to do: the file is gone, or the version is current or kept
        already."""
        fid = file_id(self._bucket, state.key)
        version_id = state.version_id or ""
        stored, spilled_key = self._document(fid, f"v-{version_id}", extraction)
        written = False
        try:
            for _ in range(WRITE_ATTEMPTS):
                old = self._current(fid)
                if not is_file(old) or old is None or old.get("vid", {}).get("S") == version_id \
                        or self.version(fid, version_id) is not None:
                    return False
                current_number = int(old["vnum"]["N"]) if "vnum" in old else 1
                later = [kept for kept in self.versions(fid) if kept.version_id in newer]
                number = min([kept.version_number for kept in later] + [current_number])
                record = replace(new_record(fid, None, state, extraction, update, creation_instant(old)),
                                 version_number=number, current=False)
                item = version_item({**record_key(fid), **file_attributes(record, stored)})
                renumbered = [renumbering(version_key(fid, kept.version_id or ""), kept.version_number, self._table)
                              for kept in later]
                try:
                    self._dynamodb.transact_write_items(TransactItems=[
                        {"Put": {"TableName": self._table, "Item": item,
                                 "ConditionExpression": "attribute_not_exists(pk)"}},
                        {"Update": {"TableName": self._table, "Key": record_key(fid),
                                    "UpdateExpression": "SET vnum = :next, rev = :newrev",
                                    "ConditionExpression": "rev = :rev",
                                    "ExpressionAttributeValues": {":next": {"N": str(current_number + 1)},
                                                                  ":rev": old["rev"],
                                                                  ":newrev": {"N": str(revision(old) + 1)}}}},
                        *renumbered,
                    ])
                except self._dynamodb.exceptions.TransactionCanceledException:
                    continue  # the record changed, or a version was kept meanwhile: look again
                written = True
                return True
            raise WriteConflict(f"the record of {state.key!r} changed under {WRITE_ATTEMPTS} version writes")
        finally:
            if spilled_key is not None and not written:
                self._overflow.delete(spilled_key)

    def _document(self, fid: str, order: str, extraction: Extraction) -> tuple[docs.Stored, str | None]:
        """The record document of an extraction, spilled to the bucket when too large (and that copy's key)."""
        stored = docs.encode({docs.METADATA: extraction.metadata, docs.EMBEDDED_METADATA: extraction.embedded})
        if stored.spill is None:
            return stored, None
        spilled_key = self._overflow.put(fid, order, stored.spill)
        return docs.spilled(stored, spilled_key, stored.spill), spilled_key

    def _keep_replaced(self, old: dict[str, Any] | None, version_id: str | None, kept: VersionCheck) -> bool:
        """Keep a replaced live record as its version's item, if its version was another and S3 still holds it
        (the item is written once: a kept version never changes). Whether the item took the old document and
        thumbnail."""
        if not is_file(old) or old is None or "vid" not in old or old["vid"]["S"] == version_id:
            return False
        if not kept(object_key(old), old["vid"]["S"]):
            return False
        try:
            self._dynamodb.put_item(TableName=self._table, Item=version_item(old),
                                    ConditionExpression="attribute_not_exists(pk)")
        except self._dynamodb.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def write_marker(self, state: ObjectState, sequencer: str) -> Written:
        """A folder marker (a key ending in "/"): its folder is made sure of, and it is no file itself."""
        fid = file_id(self._bucket, state.key)
        order = write_order(state.observed_at, sequencer)
        self._folders.ensure(state.key, state.last_modified)  # also when the marker is known: the folder may be new
        for _ in range(WRITE_ATTEMPTS):
            old = self._current(fid)
            if old is not None and ("kind" in old or old["ord"]["S"] >= order):
                return Written(False)
            item = {**record_key(fid), "ord": {"S": order}, "rev": {"N": str(revision(old) + 1)},
                    "kind": {"S": MARKER_KIND}, "key": {"S": state.key}, "created": {"S": state.last_modified},
                    "ver": {"N": str(RECORD_VERSION)}}
            if self._commit(old, item):
                self._release(old, item)
                return Written(True)
        raise WriteConflict(f"the marker {state.key!r} changed under {WRITE_ATTEMPTS} write attempts")

    def write_tombstone(self, key: str, absent_at: str, sequencer: str, kept: VersionCheck = always_kept) -> Written:
        """The key has no current version (S3 said so at `absent_at`): mark it deleted, kept until its TTL so
        that a late, stale event cannot bring it back. A live file's version S3 still holds (behind a delete
        marker) keeps its record as a version; a file a move took away leaves where it went."""
        fid = file_id(self._bucket, key)
        order = write_order(absent_at, sequencer)
        for _ in range(WRITE_ATTEMPTS):
            old = self._current(fid)
            if old is None or "deleted" in old or old["ord"]["S"] >= order:
                return Written(False)
            item = {**record_key(fid), "ord": {"S": order}, "rev": {"N": str(revision(old) + 1)},
                    "deleted": {"BOOL": True}, "ver": {"N": str(RECORD_VERSION)}, "key": {"S": key},
                    "expiresAt": {"N": str(int(time.time()) + TOMBSTONE_TTL_SECONDS)}}
            moved_to = self._seeds.departure(fid, old["etag"]["S"]) if is_file(old) else None
            if moved_to is not None:
                item["movedTo"] = {"S": moved_to}
            if self._commit(old, item):
                self._release(old, item, self._keep_replaced(old, None, kept))
                return Written(True)
        raise WriteConflict(f"the tombstone of {key!r} changed under {WRITE_ATTEMPTS} write attempts")

    def holds(self, state: ObjectState) -> bool:
        """Whether the stored record says exactly what S3 holds (strongly consistent): a write would change nothing,
        so the bytes need no reading (an event delivered again, or one of several for the same version)."""
        old = self._current(file_id(self._bucket, state.key))
        return old is not None and says(old, state, self._bands)

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

    def _release(self, old: dict[str, Any] | None, item: dict[str, Any], keeps_bodies: bool = False) -> None:
        """What the replaced item held that the new one does not: its spilled document and its thumbnail (unless
        its version's item took them), its page entry."""
        if old is None:
            return
        reference = docs.reference(old)
        if reference is not None and reference != docs.reference(item) and not keeps_bodies:
            self._overflow.delete(reference)
        thumbnail = thumbnail_of(old)
        if thumbnail is not None and thumbnail != thumbnail_of(item) and not keeps_bodies:
            self._thumbnails.delete(thumbnail)
        if "page" in old and old["page"] != item.get("page"):
            self._pages.remove(old["page"]["S"], old["pk"]["S"])

    # ---------------------------------------------------------------- reads

    def file(self, fid: str, consistent: bool = False) -> FileRecord:
        """The record of a live file; RecordNotFound when absent, deleted, or no file (a folder marker), and
        FileMoved (a RecordNotFound) naming the new path when a move took it away."""
        found = self._dynamodb.get_item(TableName=self._table, Key=record_key(fid), ConsistentRead=consistent)
        item = found.get("Item")
        if item is not None and "movedTo" in item:
            destination = item["movedTo"]["S"]
            raise FileMoved(file_id(self._bucket, destination), file_path(destination))
        if not is_file(item) or item is None:
            raise RecordNotFound()
        return file_record(item, self._overflow)

    def files(self, fids: list[str], consistent: bool = False) -> dict[str, FileRecord]:
        """The records of the live files among these fileIds, by fileId (BatchGetItem)."""
        found = self.records_at([(fid, FILE_SK) for fid in fids], consistent)
        return {fid: record for (fid, _), record in found.items()}

    def records_at(self, keys: list[tuple[str, str]], consistent: bool = False) -> dict[tuple[str, str], FileRecord]:
        """The live files' records and kept versions among these (fileId, sort key) pairs (BatchGetItem)."""
        requested = [{"pk": {"S": pk}, "sk": {"S": sk}} for pk, sk in keys]
        items, _ = batch_get(self._dynamodb, self._table, requested, consistent=consistent)
        return {(item["pk"]["S"], item["sk"]["S"]): file_record(item, self._overflow) for item in items
                if is_file(item)}

    def version(self, fid: str, version_id: str) -> FileRecord | None:
        """A kept version of a file (strongly consistent), or None."""
        item = self._dynamodb.get_item(TableName=self._table, Key=version_key(fid, version_id),
                                       ConsistentRead=True).get("Item")
        return file_record(item, self._overflow) if item is not None else None

    def versions(self, fid: str) -> list[FileRecord]:
        """Every kept version of a file (strongly consistent), by version number."""
        request: dict[str, Any] = {
            "TableName": self._table, "ConsistentRead": True,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :versions)",
            "ExpressionAttributeValues": {":pk": {"S": fid}, ":versions": {"S": VERSION_SK_PREFIX}},
        }
        found: list[FileRecord] = []
        while True:
            response = self._dynamodb.query(**request)
            found.extend(file_record(item, self._overflow) for item in response["Items"])
            if "LastEvaluatedKey" not in response:
                return sorted(found, key=lambda record: record.version_number)
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def drop_version(self, fid: str, version_id: str) -> bool:
        """Delete a kept version's item (S3 no longer holds the version, or it is current again), its spilled
        document (each write spills a copy of its own) and its thumbnail, unless the file or another of its
        versions shows the same one (the same bytes again, or the version current again); whether there was one."""
        response = self._dynamodb.delete_item(TableName=self._table, Key=version_key(fid, version_id),
                                              ReturnValues="ALL_OLD")
        old = response.get("Attributes")
        if old is None:
            return False
        reference = docs.reference(old)
        if reference is not None:
            self._overflow.delete(reference)
        thumbnail = thumbnail_of(old)
        if thumbnail is not None:
            shown = {thumbnail_of(self._current(fid))} | {record.thumbnail_key for record in self.versions(fid)}
            if thumbnail not in shown:
                self._thumbnails.delete(thumbnail)
        return True


def new_record(fid: str, old: dict[str, Any] | None, state: ObjectState, extraction: Extraction, update: Update,
               created_at: str | None, seeded: bool = False, promoted: FileRecord | None = None) -> FileRecord:
    """The record a write makes of S3's state, the extraction of its bytes, and the annotations update; a key
    that stays live keeps its creation time and counts a new S3 version (or, where the bucket keeps none, a new
    write of it) as its next version (a kept version current again keeps its number)."""
    metadata = extraction.metadata
    error = extraction.error
    kind = file_kind(state.key, state.content_type, metadata["format"] if metadata else None,
                     error is not None and error.too_large)
    kept = old if is_file(old) else None
    version_number = 1
    if promoted is not None:
        version_number = promoted.version_number
    elif kept is not None:
        version_number = int(kept["vnum"]["N"]) if "vnum" in kept else 1
        stored_version = kept.get("vid", {}).get("S")
        # Another S3 version; where the bucket keeps none, other bytes or another write of them.
        if stored_version != state.version_id or (state.version_id is None and (seeded or (
                kept["etag"]["S"], update_instant(kept)) != (state.etag, state.last_modified))):
            version_number += 1
    taken = (extraction.embedded or {}).get("DateTimeOriginal")
    return FileRecord(
        file_id=fid,
        key=state.key,
        created_at=created_at or (creation_instant(kept) if kept else state.last_modified),
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


def may_replace(old: dict[str, Any] | None, order: str, state: ObjectState, bands: bool, seeded: bool = False) -> bool:
    """Whether a write of S3's state may replace the stored item: the item says something else, or the write is a
    new upload's (`seeded`), and the item was not written from a later answer of S3's."""
    return old is None or ((seeded or not says(old, state, bands)) and order > old["ord"]["S"])


def says(old: dict[str, Any], state: ObjectState, bands: bool) -> bool:
    """Whether a stored item says what S3 holds: a live file of the current layout with this version's ETag, size,
    version and time, in the band indexes when it should be, with a thumbnail when it is an image (records read
    before thumbnails were made get one)."""
    return is_file(old) and int(old["ver"]["N"]) == RECORD_VERSION and old["etag"]["S"] == state.etag and (
        int(old["size"]["N"]) == state.size and old.get("vid", {}).get("S") == state.version_id
        and update_instant(old) == state.last_modified
        and not (bands and "pHash" in old and BAND_ATTRIBUTES[0] not in old)
        and not ("pHash" in old and "thumb" not in old))


def renumbering(key: dict[str, Any], number: int, table: str) -> dict[str, Any]:
    """A transaction's update of a kept version's number to the next, while it still has `number` (items of
    "Version 1" keep no vnum)."""
    condition = "attribute_not_exists(vnum)" if number == 1 else "vnum = :was"
    values = {":next": {"N": str(number + 1)}, **({":was": {"N": str(number)}} if number > 1 else {})}
    return {"Update": {"TableName": table, "Key": key, "UpdateExpression": "SET vnum = :next",
                       "ConditionExpression": condition, "ExpressionAttributeValues": values}}


def same_entry(old: dict[str, Any] | None, entry: Entry) -> bool:
    """Whether a live stored item's page already lists this entry (same creation time and pHash)."""
    if not is_file(old) or old is None or "page" not in old:
        return False
    return ms_of(creation_instant(old)) == entry.created_ms and old.get("pHash", {}).get("S", "") == entry.phash


def revision(item: dict[str, Any] | None) -> int:
    return int(item["rev"]["N"]) if item is not None else 0


def live(item: dict[str, Any] | None) -> bool:
    """A stored item of a key that holds something (a file or a marker): its folder items exist already."""
    return item is not None and "deleted" not in item


def is_file(item: dict[str, Any] | None) -> bool:
    """A live file's item: not missing, no tombstone, no folder marker."""
    return item is not None and "deleted" not in item and "kind" not in item and "ckey" in item
