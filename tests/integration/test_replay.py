"""At-least-once, unordered delivery on the local stack: S3's own notifications of 150 puts, overwrites, deletes
and deletes of single versions in the stack's bucket (it keeps versions), each delivered 1-3 times in shuffled
order, leave records equal to the bucket, key for key, and a kept-version record for each older version."""
from __future__ import annotations

import json
import random
import uuid
from typing import Any

import pytest

from infra.pump import Sequencer, with_sequencer
from ops.queues import wait_until_drained

from ..replay import (
    Uploader,
    assert_kept_versions_match_bucket,
    assert_records_match_bucket,
    deliveries,
    newest_sequencers,
    replay_keys,
)
from .local_stack import LocalStack

pytestmark = pytest.mark.integration

SEED = 20250101
KEYS = 30
OPERATIONS = 150  # every kind of operation many times over on 30 keys; the suite stays under 10 minutes
DRAIN_SECONDS = 120  # a bound on waiting, not a promise: it only keeps a broken stack from hanging the run


def receive_all(sqs: Any, queue_url: str) -> list[dict[str, Any]]:
    """Every message of a queue, in the order moto queued them, deleted from it."""
    received = []
    while messages := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages"):
        received += messages
        sqs.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)],
        )
    return received


def send_all(sqs: Any, queue_url: str, bodies: list[str]) -> None:
    for first in range(0, len(bodies), 10):
        entries = [{"Id": str(n), "MessageBody": body} for n, body in enumerate(bodies[first : first + 10])]
        assert not sqs.send_message_batch(QueueUrl=queue_url, Entries=entries).get("Failed")


def test_shuffled_duplicated_notifications_leave_records_equal_to_the_bucket(local_stack: LocalStack) -> None:
    rng = random.Random(SEED)
    s3, sqs = local_stack.s3(), local_stack.client("sqs")
    capture_url = sqs.create_queue(QueueName=f"replay-capture-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    capture_arn = sqs.get_queue_attributes(QueueUrl=capture_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    keys = replay_keys(f"replay {uuid.uuid4().hex[:8]}/", KEYS)

    # S3 (moto) notifies a queue of the test's while the uploads run, so their delivery is the test's to shape.
    with local_stack.notifications_to(capture_arn):
        operations = Uploader(s3, local_stack.bucket, rng, versioned=True).run(keys, OPERATIONS)
    notified = [m for m in receive_all(sqs, capture_url) if "Records" in json.loads(m["Body"])]
    assert [json.loads(m["Body"])["Records"][0]["eventName"] for m in notified] == [op.event_name for op in operations]

    # Sequencers as the stack's pump gives them (moto's records have none), in the order S3 queued the events.
    stamping = Sequencer()
    bodies = [with_sequencer(m["Body"], stamping.for_message(m["MessageId"])) for m in notified]
    delivered = deliveries(bodies, rng)
    assert len(delivered) > len(bodies) and delivered[: len(bodies)] != bodies
    send_all(sqs, local_stack.output("ingestQueueUrl"), delivered)

    assert wait_until_drained(sqs, local_stack.output("ingestQueueUrl"), DRAIN_SECONDS) == 0
    assert sqs.get_queue_attributes(
        QueueUrl=local_stack.output("deadLetterQueueUrl"), AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]["ApproximateNumberOfMessages"] == "0"
    newest = newest_sequencers(bodies)
    dynamodb = local_stack.client("dynamodb")
    assert_records_match_bucket(s3, dynamodb, local_stack.bucket, local_stack.table, newest, versioned=True)
    assert_kept_versions_match_bucket(s3, dynamodb, local_stack.bucket, local_stack.table, list(newest))
