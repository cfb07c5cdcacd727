"""A burst of uploads on the local stack: thousands of objects at once drain through the queue, and every record
is right, written once, and listed once in the library."""
from __future__ import annotations

import random
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from ops.queues import pending_messages, wait_until_drained
from service.storage.library_pages import Pages
from service.storage.records import file_id

from ..replay import assert_records_match_bucket, random_body, replay_keys
from .local_stack import LocalStack

pytestmark = pytest.mark.integration

SEED = 20261207
# moto's queue and bucket slow down as they fill (1,000 objects: 78 s to upload, 174 s to drain on 2 busy cores;
# 200: 7 s and 10 s), so a thousand keeps the test within minutes.
OBJECTS = 1_000
UPLOADERS = 16
# The local stack's pump takes one batch of 10 at a time, as one Lambda instance would.
DRAIN_SECONDS = 600


@pytest.mark.timeout(DRAIN_SECONDS + 300)
def test_a_burst_of_uploads_drains_with_every_record_right(local_stack: LocalStack) -> None:
    rng = random.Random(SEED)
    s3, sqs, dynamodb = local_stack.s3(), local_stack.client("sqs"), local_stack.client("dynamodb")
    keys = replay_keys(f"burst {uuid.uuid4().hex[:8]}/", OBJECTS)
    bodies = {key: random_body(rng) for key in keys}

    with ThreadPoolExecutor(UPLOADERS) as uploaders:
        list(uploaders.map(lambda key: s3.put_object(Bucket=local_stack.bucket, Key=key, Body=bodies[key]), keys))

    assert wait_until_drained(sqs, local_stack.output("ingestQueueUrl"), DRAIN_SECONDS) == 0
    assert pending_messages(sqs, local_stack.output("deadLetterQueueUrl")) == 0
    written = Counter(key for entry in local_stack.log_entries("batch ingested") for key in entry["written"]
                      if key in bodies)
    assert written == Counter(keys), "each upload's record written exactly once"
    assert_records_match_bucket(s3, dynamodb, local_stack.bucket, local_stack.table, dict.fromkeys(keys, ""))
    listed = Counter(entry.file_id for entry in Pages(dynamodb, local_stack.table).entries())
    assert all(listed[file_id(local_stack.bucket, key)] == 1 for key in keys), "each file once in the library"
