"""A versioned bucket's events, each delivered 1-3 times in shuffled order, leave records equal to the bucket.

moto sends no notification for a delete marker and none with a version id, so the events here are built
as S3 sends them, from S3's answers to the requests (see docs/local-stack.md).
"""
from __future__ import annotations

import json
import random
from types import SimpleNamespace

import pytest

from ..replay import (
    Uploader,
    assert_kept_versions_match_bucket,
    assert_records_match_bucket,
    deliveries,
    replay_keys,
    s3_notification,
)
from .conftest import BUCKET, TABLE, lambda_context, sqs_event

pytestmark = pytest.mark.scenarios  # hundreds of events: make test, not make test-fast

SEED = 20250101
KEYS = 24
OPERATIONS = 240
BATCH = 10  # the template's BatchSize


def test_versioned_replay_leaves_records_equal_to_the_current_versions(aws: SimpleNamespace) -> None:
    aws.s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    rng = random.Random(SEED)
    operations = Uploader(aws.s3, BUCKET, rng, versioned=True).run(replay_keys("versioned/", KEYS), OPERATIONS)
    # Fixed-width hex in operation order, as S3's per-key sequencers are.
    sequencers = [f"{n + 1:018X}" for n in range(len(operations))]
    bodies = [json.dumps(s3_notification(BUCKET, op, seq)) for op, seq in zip(operations, sequencers, strict=True)]
    event_names = {op.event_name for op in operations}
    assert event_names == {"ObjectCreated:Put", "ObjectRemoved:DeleteMarkerCreated", "ObjectRemoved:Delete"}

    delivered = deliveries(bodies, rng)
    for first in range(0, len(delivered), BATCH):
        event = sqs_event(delivered[first : first + BATCH])
        assert aws.ingest(event, lambda_context()) == {"batchItemFailures": []}

    newest = {op.key: seq for op, seq in zip(operations, sequencers, strict=True)}
    assert_records_match_bucket(aws.s3, aws.dynamodb, BUCKET, TABLE, newest, versioned=True)
    # Every version S3 keeps has its own record, however the events came.
    assert_kept_versions_match_bucket(aws.s3, aws.dynamodb, BUCKET, TABLE, list(newest))
