"""The hand-over to the ingest function with more memory: an S3 notification sent to its queue is ingested there."""
from __future__ import annotations

from typing import Any


class LargerIngest:
    """The larger ingest function's queue; the SQS client is passed in."""

    def __init__(self, sqs: Any, queue_url: str):
        self._sqs = sqs
        self._queue_url = queue_url

    def send(self, body: str) -> str:
        """Queue an S3 notification (its records, sequencers and preconditions as S3 sent them); the message id."""
        return self._sqs.send_message(QueueUrl=self._queue_url, MessageBody=body)["MessageId"]
