"""The ingest: each SQS message's S3 notifications bring the named keys' records to what S3 holds now."""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.s3_event import S3EventRecord
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from imagemeta import Limits, NotAnImage, OverMemoryBudget, TooLarge
from library.annotations import FromBucket, Update, bucket_tags, is_private_object
from library.records import Extraction, StoredError

from ..storage.library_pages import Batch, Pages
from ..storage.objects import SEED_METADATA, Absent, ObjectState, OpenedObject, open_current
from ..storage.overflow import RESERVED_PREFIX
from ..storage.records import RecordStore, StoreThumbnail, Written, file_id
from ..storage.seeds import Seeds
from ..storage.thumbnails import ThumbnailStore
from .events import ObjectEvent, object_event
from .handover import LargerIngest

# How a new file's S3 user metadata becomes its custom metadata (typed by the custom metadata fields).
MetadataTyping = Callable[[Mapping[str, str]], dict[str, Any]]


def as_text(user_metadata: Mapping[str, str]) -> dict[str, Any]:
    """User metadata kept as the text S3 holds (no field says otherwise)."""
    return dict(user_metadata)


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
    A batch's new library page entries are written when the batch ends (`finish`).
    """

    def __init__(self, s3: Any, bucket: str, store: RecordStore, seeds: Seeds, pages: Pages, thumbnails: ThumbnailStore,
                 limits: Limits, logger: Logger, larger: LargerIngest | None = None, typing: MetadataTyping = as_text):
        self._s3 = s3
        self._bucket = bucket
        self._store = store
        self._seeds = seeds
        self._thumbnails = thumbnails
        self._pages = pages
        self._limits = limits
        self._logger = logger
        self._larger = larger
        self._typing = typing
        self._batch = Batch()

    def begin(self) -> None:
        """A new batch of messages: its library pages start empty."""
        self._batch = Batch()

    def finish(self) -> None:
        """Write the batch's library pages (a failure fails the invocation: every message comes again)."""
        self._pages.write(self._batch)

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

    def handle_object_event(self, event: ObjectEvent) -> None:
        """Bring the key's record to S3's current version of it (or a tombstone), unless as new a write is stored."""
        if event.bucket != self._bucket:
            self._logger.warning("event for another bucket dropped", extra={"bucket": event.bucket, "key": event.key})
            return
        if event.key.startswith(RESERVED_PREFIX):
            return
        current = open_current(self._s3, self._bucket, event.key)
        if isinstance(current, Absent):
            result = self._store.write_tombstone(event.key, current.at, event.sequencer)
        elif event.is_folder_marker:
            current.close()
            result = self._store.write_marker(current.state, event.sequencer)
        else:
            result = self._write(current, event.sequencer)
        self._logger.info("object event", extra={"key": event.key, "event": event.name, "sequencer": event.sequencer,
                                                  "written": result.written})

    def _write(self, current: OpenedObject, sequencer: str) -> Written:
        state = current.state
        seed = self._seeds.take(file_id(self._bucket, state.key), state.etag) if state.seeded else None
        if seed is not None:
            if seed.extraction is None:
                extraction, thumbnail = self._extraction(current)
            else:
                current.close()
                extraction, thumbnail = seed.extraction, None  # the upload put the thumbnail
            written = self._store.write_file(state, extraction, seed.update, sequencer, self._batch, seed.created_at,
                                             thumbnail)
            self._seeds.discard(file_id(self._bucket, state.key), state.etag)
            return written
        update: Update = FromBucket(bucket_tags(state.tags), self._typing(
            {name: value for name, value in state.user_metadata.items() if name != SEED_METADATA}),
            is_private=is_private_object(state.tags))
        extraction, thumbnail = self._extraction(current)
        return self._store.write_file(state, extraction, update, sequencer, self._batch, store_thumbnail=thumbnail)

    def _extraction(self, current: OpenedObject) -> tuple[Extraction, StoreThumbnail | None]:
        """The metadata and embeddedMetadata of the object's bytes, or why there are none, and how to store their
        thumbnail (the record write stores it only when it writes). A thumbnail that cannot be made is logged and
        left out: it never fails the message."""
        from imagemeta.thumbnail import NoThumbnail, extract_with_thumbnail  # the image stack: with the first image

        try:
            metadata, embedded, made = extract_with_thumbnail(current.read(self._limits), self._limits)
        except OverMemoryBudget as error:
            if self._larger is not None:
                raise NeedsLargerFunction(error.detail) from None
            return Extraction(error=StoredError.of(error)), None
        except (NotAnImage, TooLarge) as error:
            return Extraction(error=StoredError.of(error)), None
        if isinstance(made, NoThumbnail):
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

    def _hand_over(self, body: str, message_id: str, reason: str) -> None:
        """Hand a notification (a message body) to the larger ingest function; self._larger is set."""
        larger_message_id = self._larger.send(body)  # type: ignore[union-attr]  # only called when it is set
        self._logger.info("sent to the larger ingest function",
                          extra={"messageId": message_id, "reason": reason, "largerMessageId": larger_message_id})
