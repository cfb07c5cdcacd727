"""Fill records for objects that predate the deployment: list the bucket, enqueue synthetic S3 events.

The events take the ingest's own path (queue, retries, dead-letter queue) and carry the lowest possible
sequencer, so a record written by a real event always wins and a stored record is never rewritten: running
the backfill twice changes nothing. Progress is checkpointed in the table, so a stopped run resumes. For large
buckets the backfill state machine reads the bucket's inventory instead (handlers/backfill_batch.py), and
sends what a batch leaves over through the same events.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

from ..storage.overflow import RESERVED_PREFIX
from ..storage.records import BACKFILL_SEQUENCER

# SendMessageBatch takes at most ten messages.
SQS_BATCH = 10


def checkpoint_key(bucket: str) -> dict[str, Any]:
    """The checkpoint item's key; never a fileId (those are 24 hex digits)."""
    return {"pk": {"S": f"_backfill#{bucket}"}, "sk": {"S": "C"}}


def backfill_event(bucket: str, key: str) -> dict[str, Any]:
    """An S3 notification for one object the backfill names, shaped (and its key encoded) as S3 sends them: the
    ingest reads only its bucket, key and sequencer, and asks S3 for the rest."""
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "imagemeta:backfill",
                "eventTime": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
                "eventName": "ObjectCreated:Backfill",
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                    "object": {"key": quote_plus(key, safe="/"), "sequencer": BACKFILL_SEQUENCER},
                },
            }
        ]
    }


def enqueue_events(sqs: Any, queue_url: str, bucket: str, keys: list[str]) -> None:
    """A backfill event for each key, sent to the ingest queue ten at a time."""
    for first in range(0, len(keys), SQS_BATCH):
        entries = [{"Id": str(n), "MessageBody": json.dumps(backfill_event(bucket, key))}
                   for n, key in enumerate(keys[first : first + SQS_BATCH])]
        failed = sqs.send_message_batch(QueueUrl=queue_url, Entries=entries).get("Failed")
        if failed:
            raise RuntimeError(f"SQS refused {len(failed)} backfill messages: {failed[0]}")


@dataclass
class BackfillProgress:
    """Where a run stands: the last key enqueued, how many were enqueued, and whether the listing ended."""

    start_after: str = ""
    enqueued: int = 0
    done: bool = False


class Backfill:
    """Lists the bucket from its checkpoint and enqueues an event per object; clients are passed in."""

    def __init__(
        self, s3: Any, sqs: Any, dynamodb: Any, bucket: str, queue_url: str, table: str, page_size: int = 1000
    ):
        self._s3, self._sqs, self._dynamodb = s3, sqs, dynamodb
        self._bucket, self._queue_url, self._table = bucket, queue_url, table
        self._page_size = page_size

    def run(self, keep_going: Callable[[], bool] = lambda: True, restart: bool = False) -> BackfillProgress:
        """Enqueue pages of objects (the first always, the next while keep_going()); checkpoint after each."""
        progress = BackfillProgress() if restart else self._load_checkpoint()
        if progress.done:
            progress = BackfillProgress()
        for number, page in enumerate(self._pages(progress.start_after)):
            if number and not keep_going():
                return progress
            keys = [o["Key"] for o in page if not o["Key"].startswith(RESERVED_PREFIX)]
            enqueue_events(self._sqs, self._queue_url, self._bucket, keys)
            progress.enqueued += len(keys)
            progress.start_after = page[-1]["Key"]
            self._save_checkpoint(progress)
        progress.done = True
        self._save_checkpoint(progress)
        return progress

    def _pages(self, start_after: str) -> Iterator[list[dict[str, Any]]]:
        paginator = self._s3.get_paginator("list_objects_v2")
        arguments = {"Bucket": self._bucket, **({"StartAfter": start_after} if start_after else {})}
        for page in paginator.paginate(**arguments, PaginationConfig={"PageSize": self._page_size}):
            if page.get("Contents"):
                yield page["Contents"]

    def _load_checkpoint(self) -> BackfillProgress:
        item = self._dynamodb.get_item(TableName=self._table, Key=checkpoint_key(self._bucket)).get("Item")
        if item is None:
            return BackfillProgress()
        return BackfillProgress(
            start_after=item["startAfter"]["S"], enqueued=int(item["enqueued"]["N"]), done=item["done"]["BOOL"]
        )

    def _save_checkpoint(self, progress: BackfillProgress) -> None:
        self._dynamodb.put_item(
            TableName=self._table,
            Item={
                **checkpoint_key(self._bucket),
                "startAfter": {"S": progress.start_after},
                "enqueued": {"N": str(progress.enqueued)},
                "done": {"BOOL": progress.done},
                "updatedAt": {"S": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
            },
        )
