"""The ingest: each SQS message's S3 notifications brought into the file records."""
from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.s3_event import S3EventRecord
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from imagemeta import Limits, NotAnImage, OverMemoryBudget, TooLarge, extract_with_embedded
from library.records import StoredError

from ..storage.objects import current_version, head_object, open_object
from ..storage.overflow import RESERVED_PREFIX
from ..storage.prepared import Prepared, PreparedExtractions
from ..storage.records import ObjectEvent, RecordStore
from .events import object_event
from .handover import LargerIngest


class NeedsLargerFunction(Exception):
    """The object's image needs more memory than this function's decoding budget allows."""


class Ingest:
    """Processes one SQS message at a time; an exception fails only that message (it is retried).

    With `larger` (the small, default-sized function), an image whose decoding the budget says needs more
    memory than this function's goes to the larger function's queue instead of a 413 record, and so does a
    message delivered again (an earlier attempt may have run out of memory or time, which fails the whole
    batch): the larger function has the last word. Its records are written by the same conditional writes.
    """

    def __init__(self, s3: Any, store: RecordStore, prepared: PreparedExtractions, limits: Limits, logger: Logger,
                 larger: LargerIngest | None = None):
        self._s3 = s3
        self._store = store
        self._prepared = prepared
        self._limits = limits
        self._logger = logger
        self._larger = larger

    def handle_message(self, record: SQSRecord) -> None:
        """One SQS message: an S3 event notification (or S3's test event, which is skipped).

        A failure is logged with its reason and re-raised: the batch reports this message alone as failed,
        SQS delivers it again, and after the queue's maxReceiveCount it moves to the dead-letter queue.
        """
        try:
            body: dict[str, Any] = record.json_body
            if body.get("Event") == "s3:TestEvent":
                return
            if self._larger is not None and int(record.attributes.get("ApproximateReceiveCount") or 1) > 1:
                self._redrive(record.body, record.message_id, "delivered again")
                return
            for raw in body["Records"]:
                try:
                    self.handle_object_event(object_event(S3EventRecord(raw)))
                except NeedsLargerFunction as reason:
                    self._redrive(json.dumps({"Records": [raw]}), record.message_id, str(reason))
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
        """Bring the key's record up to date with one event, unless a newer one is stored."""
        if event.key.startswith(RESERVED_PREFIX):
            return
        if self._store.covers(event):
            written = False  # a duplicate, or older than the stored record: no need to read the object
        elif event.version_deleted:
            current = current_version(self._s3, event)
            written = self._store.put_tombstone(event) if current is None else self._ingest_object(current)
        elif event.removed:
            written = self._store.put_tombstone(event)
        else:
            written = self._ingest_object(event)
        self._logger.info(
            "object event",
            extra={"key": event.key, "removed": event.removed, "sequencer": event.sequencer, "written": written},
        )

    def _ingest_object(self, event: ObjectEvent) -> bool:
        if event.is_folder_marker:
            return self._store.put_marker(event)
        prepared = self._prepared.take(event.file_id, event.etag)
        if prepared is not None:
            facts = head_object(self._s3, event)
            if facts is None:
                return False
            if facts.etag == event.etag:
                return self._write_prepared(facts, prepared)
        opened = open_object(self._s3, event)
        if opened is None:
            return False  # replaced or deleted since: its own event brings the record up to date
        try:
            metadata, embedded = extract_with_embedded(opened.read(self._limits), self._limits)
        except OverMemoryBudget as error:
            if self._larger is None:
                return self._store.put_error(opened.event, error)
            raise NeedsLargerFunction(error.detail) from None
        except (NotAnImage, TooLarge) as error:
            return self._store.put_error(opened.event, error)
        return self._store.put_metadata(opened.event, metadata, embedded)

    def _write_prepared(self, facts: ObjectEvent, prepared: Prepared) -> bool:
        """The record from the upload route's extraction of exactly these bytes (S3 confirmed their ETag)."""
        if prepared.error is not None:
            written = self._store.put_error(facts, StoredError(**prepared.error).error())
        else:
            written = self._store.put_metadata(facts, prepared.metadata or {}, prepared.embedded)
        self._prepared.discard(facts.file_id, facts.etag)
        return written

    def _redrive(self, body: str, message_id: str, reason: str) -> None:
        """Hand a notification (a message body) to the larger ingest function; self._larger is set."""
        larger_message_id = self._larger.send(body)  # type: ignore[union-attr]  # only called when it is set
        self._logger.info("sent to the larger ingest function",
                          extra={"messageId": message_id, "reason": reason, "largerMessageId": larger_message_id})
