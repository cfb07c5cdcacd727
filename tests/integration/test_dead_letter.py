"""On the local stack, a message that always fails is tried once by IngestFunction, handed to IngestLargeFunction
when it comes back, tried there maxReceiveCount times, each failure logged with its reason, then lands in the
dead-letter queue as it was sent; uploads beside it are ingested meanwhile."""
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
HANDOVER_LOG = "sent to the larger ingest function"
DEAD_LETTER_SECONDS = 60  # a bound on waiting, not a promise


def unreadable_object_notification(key: str, bucket: str) -> str:
    """A notification S3 cannot have sent (its sequencer is no hex number): the record write refuses it on every
    try. (A message for another bucket is dropped, not failed: it changes nothing.)"""
    s3_object = {"key": key, "size": 10, "eTag": "0" * 32, "sequencer": "not-a-sequencer"}
    record = {"eventName": "ObjectCreated:Put", "eventTime": "2025-01-01T00:00:00.000Z",
              "s3": {"bucket": {"name": bucket}, "object": s3_object}}
    return json.dumps({"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3", **record}]})


def wait_for_message(sqs: Any, queue_url: str, seconds: float) -> dict[str, Any] | None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1).get("Messages")
        if messages:
            return messages[0]
    return None


def test_a_message_that_always_fails_is_handed_over_then_dead_lettered_with_its_reasons_logged(
    local_stack: LocalStack,
) -> None:
    sqs = local_stack.client("sqs")
    queues = [local_stack.output("ingestQueueUrl"), local_stack.output("ingestLargeQueueUrl")]
    dead_letter_url = local_stack.output("deadLetterQueueUrl")
    deployed = [sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout", "RedrivePolicy"])["Attributes"]
                for url in queues]
    max_receives = int(json.loads(deployed[1]["RedrivePolicy"])["maxReceiveCount"])
    poison = unreadable_object_notification(f"poison {uuid.uuid4().hex[:8]}.png", local_stack.bucket)

    # A failed message comes back after the visibility timeout: the deployed 12 minutes, 1 s here. SQS applies
    # it when a receive starts, so a harmless message goes first: once the pump has taken it, every receive
    # of the pump's started after the change.
    for url in queues:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "1"})
    try:
        for url in queues:
            sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"Event": "s3:TestEvent"}))
            assert wait_until_drained(sqs, url, DEAD_LETTER_SECONDS) == 0
        message_id = sqs.send_message(QueueUrl=queues[0], MessageBody=poison)["MessageId"]
        key = f"beside the poison {uuid.uuid4().hex[:8]}.png"
        image = io.BytesIO()
        Image.new("RGB", (12, 9), (1, 2, 3)).save(image, "PNG")
        local_stack.s3().put_object(Bucket=local_stack.bucket, Key=key, Body=image.getvalue())
        beside, _ = wait_until(lambda: local_stack.get("/v1/files/byPath", params={"path": key}), lambda r: r.status_code != 404)
        dead = wait_for_message(sqs, dead_letter_url, DEAD_LETTER_SECONDS)
    finally:
        for url, attributes in zip(queues, deployed, strict=True):
            sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": attributes["VisibilityTimeout"]})

    assert beside.status_code == 200, beside.text
    assert dead is not None and dead["Body"] == poison
    sqs.delete_message(QueueUrl=dead_letter_url, ReceiptHandle=dead["ReceiptHandle"])
    failures = local_stack.log_entries(FAILURE_LOG)
    assert [int(entry["receiveCount"]) for entry in failures if entry["messageId"] == message_id] == [1]
    (handover,) = [entry for entry in local_stack.log_entries(HANDOVER_LOG) if entry["messageId"] == message_id]
    assert handover["reason"] == "delivered again"
    large_failures = [entry for entry in failures if entry["messageId"] == handover["largerMessageId"]]
    assert [int(entry["receiveCount"]) for entry in large_failures] == list(range(1, max_receives + 1))
    ours = [entry for entry in failures if entry["messageId"] in (message_id, handover["largerMessageId"])]
    assert all(entry["reason"].startswith("ValueError: not an S3 sequencer") for entry in ours)
