"""On the local stack, a message that always fails is tried maxReceiveCount times, each failure logged with its
reason, then lands in the dead-letter queue; uploads beside it are ingested meanwhile."""
from __future__ import annotations

import io
import json
import time
import uuid
from typing import Any

import pytest
from PIL import Image

from ops.queues import wait_until_drained

from .local_stack import LocalStack, wait_until

pytestmark = pytest.mark.integration

FAILURE_LOG = "message failed; it will be retried, then dead-lettered"
DEAD_LETTER_SECONDS = 60  # a bound on waiting, not a promise


def unreadable_object_notification(key: str) -> str:
    """An S3 notification of an object GetObject cannot read (its bucket does not exist): fails on every try."""
    s3_object = {"key": key, "size": 10, "eTag": "0" * 32, "sequencer": "0062B4F0A1C2D3E4F5"}
    record = {"eventName": "ObjectCreated:Put", "eventTime": "2025-01-01T00:00:00.000Z",
              "s3": {"bucket": {"name": f"no-such-bucket-{uuid.uuid4().hex[:8]}"}, "object": s3_object}}
    return json.dumps({"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3", **record}]})


def wait_for_message(sqs: Any, queue_url: str, seconds: float) -> dict[str, Any] | None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1).get("Messages")
        if messages:
            return messages[0]
    return None


def test_a_message_that_always_fails_reaches_the_dead_letter_queue_with_its_reason_logged(
    local_stack: LocalStack,
) -> None:
    sqs = local_stack.client("sqs")
    ingest_url, dead_letter_url = local_stack.output("ingestQueueUrl"), local_stack.output("deadLetterQueueUrl")
    deployed = sqs.get_queue_attributes(QueueUrl=ingest_url, AttributeNames=["VisibilityTimeout", "RedrivePolicy"])
    max_receives = int(json.loads(deployed["Attributes"]["RedrivePolicy"])["maxReceiveCount"])
    poison = unreadable_object_notification("poison.png")

    # A failed message comes back after the visibility timeout: the deployed 12 minutes, 1 s here. SQS applies
    # it when a receive starts, so a harmless message goes first: once the pump has taken it, every receive
    # of the pump's started after the change.
    sqs.set_queue_attributes(QueueUrl=ingest_url, Attributes={"VisibilityTimeout": "1"})
    try:
        sqs.send_message(QueueUrl=ingest_url, MessageBody=json.dumps({"Event": "s3:TestEvent"}))
        assert wait_until_drained(sqs, ingest_url, DEAD_LETTER_SECONDS) == 0
        message_id = sqs.send_message(QueueUrl=ingest_url, MessageBody=poison)["MessageId"]
        key = f"beside the poison {uuid.uuid4().hex[:8]}.png"
        image = io.BytesIO()
        Image.new("RGB", (12, 9), (1, 2, 3)).save(image, "PNG")
        local_stack.s3().put_object(Bucket=local_stack.bucket, Key=key, Body=image.getvalue())
        beside, _ = wait_until(lambda: local_stack.get("/v1/files/byPath", params={"path": key}), lambda r: r.status_code != 404)
        dead = wait_for_message(sqs, dead_letter_url, DEAD_LETTER_SECONDS)
    finally:
        sqs.set_queue_attributes(QueueUrl=ingest_url, Attributes={"VisibilityTimeout": deployed["Attributes"]["VisibilityTimeout"]})

    assert beside.status_code == 200, beside.text
    assert dead is not None and dead["Body"] == poison
    sqs.delete_message(QueueUrl=dead_letter_url, ReceiptHandle=dead["ReceiptHandle"])
    failures = [entry for entry in local_stack.log_entries(FAILURE_LOG) if entry["messageId"] == message_id]
    assert [int(entry["receiveCount"]) for entry in failures] == list(range(1, max_receives + 1))
    assert all(entry["reason"].startswith("NoSuchBucket: ") for entry in failures)
