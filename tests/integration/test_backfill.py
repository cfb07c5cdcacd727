"""`make backfill` on the local stack: objects uploaded before the bucket notified anyone get their records,
each written once, and a second run changes nothing."""
from __future__ import annotations

import json
import random
import uuid
from collections import Counter
from typing import Any

import pytest

from service.ingest.backfill import BACKFILL_SEQUENCER

from ..replay import assert_records_match_bucket, random_body, replay_keys, scan_items
from .local_stack import LocalStack

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def local_stack(own_local_stack: LocalStack) -> LocalStack:
    """This module's own stack: its 200 objects would slow every later index search on the shared one."""
    return own_local_stack


SEED = 20250102
OBJECTS = 200


def run_backfill(stack: LocalStack) -> dict[str, Any]:
    """The command `make backfill` runs, against this stack: its summary line."""
    finished = stack.command("ops.backfill", "--wait-seconds", "120", timeout=180)
    assert finished.returncode == 0, finished.stderr
    return json.loads(finished.stdout)


def writes_per_key(stack: LocalStack, keys: list[str]) -> Counter[str]:
    """How many times the ingest wrote each key's record, from its log (a line a batch, naming the keys written)."""
    return Counter(key for e in stack.log_entries("batch ingested") for key in e["written"] if key in keys)


# Two backfills of 200 objects through the one pump: each image's thumbnail is put too, and the S3 event of that
# put comes through the ingest queue as well (skipped), which about doubles the first run's messages.
@pytest.mark.timeout(300)
def test_backfill_writes_each_predating_object_once_and_a_second_run_changes_nothing(local_stack: LocalStack) -> None:
    rng = random.Random(SEED)
    s3, dynamodb = local_stack.s3(), local_stack.client("dynamodb")
    keys = replay_keys(f"predating {uuid.uuid4().hex[:8]}/", OBJECTS)
    # Uploaded while the bucket notifies nobody: these objects predate the deployment of the ingest.
    with local_stack.notifications_to(None):
        for key in keys:
            s3.put_object(Bucket=local_stack.bucket, Key=key, Body=random_body(rng))
    assert writes_per_key(local_stack, keys) == Counter()
    listed = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=local_stack.bucket)
              for o in page.get("Contents", []) if not o["Key"].startswith("_imagemeta/")]

    first = run_backfill(local_stack)

    assert (first["done"], first["enqueued"], first["notIngested"]) == (True, len(listed), 0)
    assert writes_per_key(local_stack, keys) == Counter(keys)
    assert_records_match_bucket(
        s3, dynamodb, local_stack.bucket, local_stack.table, dict.fromkeys(keys, BACKFILL_SEQUENCER)
    )
    filled = [item for item in scan_items(dynamodb, local_stack.table) if not item["pk"]["S"].startswith("_backfill#")]

    second = run_backfill(local_stack)

    assert (second["done"], second["enqueued"], second["notIngested"]) == (True, len(listed), 0)
    assert writes_per_key(local_stack, keys) == Counter(keys)
    refilled = [item for item in scan_items(dynamodb, local_stack.table) if not item["pk"]["S"].startswith("_backfill#")]

    def by_key(item: dict) -> tuple[str, str]:
        return item["pk"]["S"], item["sk"]["S"]

    assert sorted(refilled, key=by_key) == sorted(filled, key=by_key)
