"""The ingest: each SQS message's S3 notifications bring the named keys' records to what S3 holds now."""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from functools import partial
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.s3_event import S3EventRecord
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from imagemeta import Limits, NotAnImage, OverMemoryBudget, TooLarge
from library.annotations import Carried, FromBucket, Update, bucket_tags, is_private_object
from library.fields import Fields, typed_from_text, with_defaults
from library.records import Extraction, StoredError

from ..storage.fields import FieldCache
from ..storage.library_pages import Batch, Pages
from ..storage.objects import (
    SEED_METADATA,
    Absent,
    ObjectState,
    OpenedObject,
    key_versions,
    open_current,
    open_version,
    read_current,
    version_exists,
)
from ..storage.overflow import RESERVED_PREFIX
from ..storage.records import BACKFILL_SEQUENCER, ReadExtraction, RecordStore, StoreThumbnail, Written, file_id
from ..storage.seeds import Seed, Seeds
from ..storage.thumbnails import ThumbnailStore
from .backfill import backfill_event
from .events import ObjectEvent, object_event
from .handover import LargerIngest

# The largest body read ahead (ReadAhead): a camera JPEG is 3 to 8 MB; larger ones are read in their turn.
READ_AHEAD_BYTES = 8 * 2**20
# How a direct upload's S3 user metadata becomes its custom metadata (typed by the custom metadata fields), and
# the fields' defaults a new file takes.
MetadataTyping = Callable[[Mapping[str, str]], tuple[dict[str, Any], dict[str, Any]]]


def as_text(user_metadata: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """User metadata kept as the text S3 holds, no defaults (no fields)."""
    return dict(user_metadata), {}


def typed_by_fields(cache: FieldCache) -> MetadataTyping:
    """User metadata typed by the deployment's fields (read through the process's cache), with their defaults."""
    def typing(user_metadata: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
        fields: Fields = cache.fields()
        return typed_from_text(user_metadata, fields), with_defaults({}, fields)

    return typing


@dataclass
class BatchOutcome:
    """What one batch did, for its log line: the keys it wrote, and how many events found their record current
    (or lost to a later write)."""

    written: list[str] = field(default_factory=list)
    unchanged: int = 0

    def count(self, key: str, written: bool) -> None:
        if written:
            self.written.append(key)
        else:
            self.unchanged += 1


class ReadAhead:
    """The batch's next object read from S3 while this one is extracted.

    At Lambda's share of a vCPU (512 MB) a camera JPEG's extraction takes about 200 ms and its GET waits some 60 ms
    (docs/benchmarks.md, "Ingest cost"); reading the next object meanwhile leaves only the batch's first GET to
    wait for. One object ahead, and only bodies up to READ_AHEAD_BYTES, so what the function holds beside its
    decoding budget stays bounded (template.yaml's memory sizes count it). What S3 said when the read ahead asked
    is what the write follows, as for any read: a later change of the key brings its own event.
    """

    def __init__(self, s3: Any, bucket: str, limits: Limits):
        self._s3, self._bucket, self._limits = s3, bucket, limits
        self._reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-ahead")
        self._keys: list[str] = []
        self._position = 0
        self._pending: tuple[str, Future[OpenedObject | Absent]] | None = None

    def begin(self, keys: list[str]) -> None:
        """The keys a batch will open, in order."""
        self.drop()
        self._keys, self._position = keys, 0

    def open(self, key: str) -> OpenedObject | Absent:
        """The key's current version, read ahead when it was the one expected; the next key's read starts."""
        pending, self._pending = self._pending, None
        if key in self._keys[self._position:]:
            self._position = self._keys.index(key, self._position) + 1
            if self._position < len(self._keys):
                upcoming = self._keys[self._position]
                self._pending = (upcoming, self._reader.submit(
                    read_current, self._s3, self._bucket, upcoming, self._limits, READ_AHEAD_BYTES))
        if pending is not None and pending[0] == key:
            return pending[1].result()
        if pending is not None:
            pending[1].add_done_callback(_close_unused)
        return open_current(self._s3, self._bucket, key)

    def drop(self) -> None:
        """Leave what was read ahead and not asked for (a batch ended, or went another way)."""
        if self._pending is not None:
            self._pending[1].add_done_callback(_close_unused)
            self._pending = None


def _close_unused(read: Future[OpenedObject | Absent]) -> None:
    if read.exception() is None and isinstance(opened := read.result(), OpenedObject):
        opened.close()


class NeedsLargerFunction(Exception):
    """The object's image needs more memory than this function's decoding budget allows."""


class Ingest:
    """Processes one SQS message at a time; an exception fails only that message (it is retried).

    Each event is a prompt to look at its key again: the record follows the key's current version as S3
    answers (or a tombstone when it has none), never what the message claims, so a forged or stale message
    changes nothing and a message for another bucket is dropped. With `larger` (the small, default-sized
    function), an image whose decoding the budget says needs more memory than this function's goes to the
    larger function's queue instead of a 413 record, and so does a message delivered again (an earlier attempt
    may have run out of memory or time, which fails the whole batch): the larger function has the last word.
    A batch's new library page entries are written when the batch ends (`finish`), which logs one line for the
    batch: the keys it wrote and how many it found current (a line per object cost most of the ingest's log
    bytes; LogLevel DEBUG still shows them).

    Where the bucket keeps versions, an event names its version too: a version created while another was
    already current gets its kept-version item, and one deleted for good loses it (records.py).
    """

    def __init__(self, s3: Any, bucket: str, store: RecordStore, seeds: Seeds, pages: Pages, thumbnails: ThumbnailStore,
                 limits: Limits, logger: Logger, larger: LargerIngest | None = None, typing: MetadataTyping = as_text,
                 make_thumbnails: bool = True):
        self._s3 = s3
        self._bucket = bucket
        self._store = store
        self._seeds = seeds
        self._thumbnails = thumbnails
        self._make_thumbnails = make_thumbnails
        self._pages = pages
        self._limits = limits
        self._logger = logger
        self._larger = larger
        self._typing = typing
        self._batch = Batch()
        self._outcome = BatchOutcome()
        self._reads = ReadAhead(s3, bucket, limits)

    def begin(self, keys: list[str] | None = None) -> None:
        """A new batch: its library pages start empty, and its objects (`keys`, in the order they will come)
        are read one ahead."""
        self._batch = Batch()
        self._outcome = BatchOutcome()
        self._reads.begin(keys or [])

    def begin_messages(self, event: dict[str, Any]) -> None:
        """A new batch of SQS messages: begin() with the keys this function will read, in order."""
        keys = []
        for record in event.get("Records", []):
            again = int(record.get("attributes", {}).get("ApproximateReceiveCount") or 1) > 1
            if self._larger is not None and again:
                continue  # handed over unread
            try:
                notifications = json.loads(record["body"]).get("Records", [])
                events = [object_event(S3EventRecord(raw)) for raw in notifications]
            except (ValueError, KeyError, TypeError, AttributeError):
                continue  # handle_message reports it
            keys += [e.key for e in events if e.bucket == self._bucket and not e.key.startswith(RESERVED_PREFIX)
                     and not e.is_folder_marker]
        self.begin(keys)

    def finish(self) -> None:
        """Write the batch's library pages (a failure fails the invocation: every message comes again), then log
        what the batch did."""
        self._reads.drop()
        self._pages.write(self._batch)
        self._logger.info("batch ingested", extra=asdict(self._outcome))

    def handle_message(self, record: SQSRecord) -> None:
        """One SQS message: an S3 event notification (or S3's test event, which is skipped).

        A failure is logged with its reason and re-raised: the batch reports this message alone as failed,
        SQS delivers it again, and after the queue's maxReceiveCount it moves to the dead-letter queue.
        """
        try:
            body: dict[str, Any] = record.json_body
            if body.get("Event") == "s3:TestEvent":
                return
            again = int(record.attributes.get("ApproximateReceiveCount") or 1) > 1
            if self._larger is not None and again:
                self._hand_over(record.body, record.message_id, "delivered again")
                return
            for raw in body["Records"]:
                try:
                    event = object_event(S3EventRecord(raw))
                    self.handle_object_event(event)
                    if again and event.bucket == self._bucket:
                        self._store.keep_page(event.key)  # the earlier attempt may have lost its page write
                except NeedsLargerFunction as reason:
                    self._hand_over(json.dumps({"Records": [raw]}), record.message_id, str(reason))
        except Exception as error:
            self._logger.exception(
                "message failed; it will be retried, then dead-lettered",
                extra={
                    "messageId": record.message_id,
                    "receiveCount": record.attributes.get("ApproximateReceiveCount"),
                    "reason": f"{type(error).__name__}: {error}",
                },
            )
            raise

    def handle_listed(self, key: str) -> None:
        """One object a listing of the bucket names (the backfill's inventory), as an event with the backfill's
        sequencer, which ranks below any S3 sends; an image over this function's budget goes to the larger one."""
        event = ObjectEvent(self._bucket, key, BACKFILL_SEQUENCER, "ObjectCreated:Backfill")
        try:
            self.handle_object_event(event)
        except NeedsLargerFunction as reason:
            self._hand_over(json.dumps(backfill_event(self._bucket, key)), key, str(reason))

    def handle_object_event(self, event: ObjectEvent) -> None:
        """Bring the key's record to S3's current version of it (or a tombstone), unless as new a write is stored;
        then the kept version the event names, if it names one."""
        if event.bucket != self._bucket:
            self._logger.warning("event for another bucket dropped", extra={"bucket": event.bucket, "key": event.key})
            return
        if event.key.startswith(RESERVED_PREFIX):
            return
        current = self._reads.open(event.key)
        current_version = None
        if isinstance(current, Absent):
            result = self._store.write_tombstone(event.key, current.at, event.sequencer, self._kept)
        elif event.is_folder_marker:
            current.close()
            result = self._store.write_marker(current.state, event.sequencer)
        else:
            current_version = current.state.version_id
            try:
                result = self._write(current, event.sequencer)
            finally:
                current.close()  # unread when the record already said what S3 holds, or a seed did
        if event.version_id is not None and event.version_id != current_version and not event.is_folder_marker:
            self._follow_version(event.key, event.version_id, event.removed)
        self._outcome.count(event.key, result.written)
        self._logger.debug("object event", extra={"key": event.key, "event": event.name, "sequencer": event.sequencer,
                                                   "written": result.written})

    def _kept(self, key: str, version_id: str) -> bool:
        """Whether S3 still holds a version a write replaces (the record store then keeps it as a version)."""
        return version_exists(self._s3, self._bucket, key, version_id)

    def _write(self, current: OpenedObject, sequencer: str) -> Written:
        state = current.state
        fid = file_id(self._bucket, state.key)
        mark = state.seed_mark
        seed = self._seeds.take(fid, state.etag, mark) if mark is not None else None
        if seed is None:
            return self._store.write_file(state, lambda: self._extraction(current), self._bucket_update(state),
                                          sequencer, self._batch, kept=self._kept, promotable=True)
        written = self._store.write_file(state, self._seeded_extraction(current, seed), seed.update, sequencer,
                                         self._batch, seed.created_at, seeded=True, kept=self._kept)
        if mark is not None:
            self._seeds.discard(fid, state.etag, mark)
        return written

    def _seeded_extraction(self, current: OpenedObject, seed: Seed) -> Extraction | ReadExtraction:
        """What a seed gives the write: the upload's extraction with the thumbnail it put; a copy's (move's,
        restore's) with a copy of its source's thumbnail, stored when the write is made; else the bytes read."""
        given = seed.extraction
        if given is None:
            return lambda: self._extraction(current)
        source = given.thumbnail_key
        if source is not None and not self._make_thumbnails:
            return replace(given, thumbnail_key=None)
        if source is None or not isinstance(seed.update, Carried):
            return given
        state = current.state
        return lambda: (replace(given, thumbnail_key=None), partial(self._copy_thumbnail, state, source))

    def _copy_thumbnail(self, state: ObjectState, source: str) -> str | None:
        """A copy of a source file's thumbnail for this object's record; None (logged) when S3 refuses it."""
        key, failure = self._thumbnails.keep_copy(source, file_id(self._bucket, state.key), state.etag,
                                                  is_private_object(state.tags))
        if failure:
            self._logger.warning("thumbnail not copied", extra={"key": state.key, "reason": failure})
        return key

    def _follow_version(self, key: str, version_id: str, removed: bool) -> None:
        """A version the event names that is not the current one: its item goes when S3 no longer holds it, and
        one S3 holds gets its item if it has none (the ingest heard of it only once a newer one was current)."""
        fid = file_id(self._bucket, key)
        if removed:
            if self._store.version(fid, version_id) is not None and not self._kept(key, version_id):
                self._store.drop_version(fid, version_id)
            return
        if self._store.version(fid, version_id) is not None:
            return
        opened = open_version(self._s3, self._bucket, key, version_id)
        if opened is None:
            return  # deleted for good since: nothing to keep
        state = opened.state
        mark = state.seed_mark
        seed = self._seeds.take(fid, state.etag, mark) if mark is not None else None
        extraction, update = self._seeded(opened, seed) if seed is not None else (
            self._extraction(opened)[0], self._bucket_update(state))
        listed = [found.version_id for found in key_versions(self._s3, self._bucket, key) if not found.delete_marker]
        newer = set(listed[listed.index(version_id) + 1:]) if version_id in listed else set()
        if self._store.write_version(state, extraction, update, newer) and seed is not None and mark is not None:
            self._seeds.discard(fid, state.etag, mark)

    def _seeded(self, opened: OpenedObject, seed: Seed) -> tuple[Extraction, Update]:
        """What a seed says of an object: its extraction (read from the bytes when the writer left none; a kept
        version gets no thumbnail of its own then), and how the write changes the annotations."""
        if seed.extraction is None:
            return self._extraction(opened)[0], seed.update
        opened.close()
        return seed.extraction, seed.update

    def _bucket_update(self, state: ObjectState) -> Update:
        """A write straight to the bucket: its S3 tags and user metadata (the seed's mark aside)."""
        custom, defaults = self._typing(
            {name: value for name, value in state.user_metadata.items() if name != SEED_METADATA})
        return FromBucket(bucket_tags(state.tags), custom, defaults, is_private=is_private_object(state.tags))

    def _extraction(self, current: OpenedObject) -> tuple[Extraction, StoreThumbnail | None]:
        """The metadata and embeddedMetadata of the object's bytes, or why there are none, and how to store their
        thumbnail (the record write stores it only when it writes). A thumbnail that cannot be made is logged and
        left out: it never fails the message."""
        from imagemeta.thumbnail import NoThumbnail, extract_with_thumbnail  # the image stack: with the first image

        try:
            metadata, embedded, made = extract_with_thumbnail(current.read(self._limits), self._limits,
                                                              self._make_thumbnails)
        except OverMemoryBudget as error:
            if self._larger is not None:
                raise NeedsLargerFunction(error.detail) from None
            return Extraction(error=StoredError.of(error)), None
        except (NotAnImage, TooLarge) as error:
            return Extraction(error=StoredError.of(error)), None
        if isinstance(made, NoThumbnail):
            if self._make_thumbnails:  # with Thumbnails=Off there is nothing to say (and a line an image costs)
                self._logger.info("no thumbnail", extra={"key": current.state.key, "reason": made.reason})
            return Extraction(metadata, embedded), None
        return Extraction(metadata, embedded), partial(self._store_thumbnail, current.state, made.webp)

    def _store_thumbnail(self, state: ObjectState, webp: bytes) -> str | None:
        """Put a thumbnail, tagged private as its object is; None (logged) when S3 refuses it."""
        key, failure = self._thumbnails.keep(file_id(self._bucket, state.key), state.etag, webp,
                                             is_private_object(state.tags))
        if failure:
            self._logger.warning("thumbnail not stored", extra={"key": state.key, "reason": failure})
        return key

    def _hand_over(self, body: str, source: str, reason: str) -> None:
        """Hand a notification (a message body) to the larger ingest function; self._larger is set. `source`: the
        message it came in (its id), or the key a listing named."""
        larger_message_id = self._larger.send(body)  # type: ignore[union-attr]  # only called when it is set
        self._logger.info("sent to the larger ingest function",
                          extra={"messageId": source, "reason": reason, "largerMessageId": larger_message_id})

