"""Plain SQS polling, for the backfill command and the integration tests: has the ingest drained its queue?"""
from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types_boto3_sqs import SQSClient


def pending_messages(sqs: SQSClient, queue_url: str) -> int:
    """Messages on the queue not yet deleted: waiting, in flight (received, not yet deleted) or delayed."""
    counts = sqs.get_queue_attributes(
        QueueUrl=queue_url,
        AttributeNames=[
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        ],
    )["Attributes"]
    return sum(int(value) for value in counts.values())


def wait_until_drained(sqs: SQSClient, queue_url: str, seconds: float, interval: float = 1.0) -> int:
    """Poll until the queue's consumer has deleted every message, or `seconds` pass: the messages left. Once a
    second: moto counts a queue's messages one by one, so polling a queue of thousands ten times a second took a
    third of the local stack's one core from the consumer it waited for."""
    deadline = time.monotonic() + seconds
    while (pending := pending_messages(sqs, queue_url)) and time.monotonic() < deadline:
        time.sleep(interval)
    return pending
