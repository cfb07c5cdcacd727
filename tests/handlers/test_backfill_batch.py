"""BackfillBatchFunction: batches of the bucket inventory's objects, as the backfill state machine hands them over."""
from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote_plus

from handlers import backfill_batch
from handlers.settings import BackfillBatchSettings
from imagemeta.limits import DEFAULT_LIMITS, Limits
from service.storage.library_pages import Pages
from service.storage.records import file_id

from ..paths import IMAGES
from .conftest import BUCKET, TABLE, lambda_context, load_event
from .test_backfill import drain_into_ingest, records, small_png

CANON = (IMAGES / "exif-samples" / "jpg" / "Canon_40D.jpg").read_bytes()


def batch_function(aws: SimpleNamespace, limits: Limits = DEFAULT_LIMITS) -> Any:
    settings = BackfillBatchSettings(BUCKET, TABLE, limits, aws.queue_url, aws.large_queue_url)
    return backfill_batch.build(settings, aws.clients)


def inventory_batch(keys: list[str], bucket: str = BUCKET, retry: int = 0) -> dict[str, Any]:
    """events/backfill_batch.json with other objects: the inventory's rows, keys URL-encoded."""
    event = load_event("backfill_batch.json")
    row = event["Items"][0]
    event["Items"] = [{**row, "Bucket": bucket, "Key": quote_plus(key, safe="/")} for key in keys]
    event["BatchInput"] = {"retry": retry}
    return event


def queued_keys(aws: SimpleNamespace, queue_url: str) -> list[str]:
    messages = aws.sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"])["Records"][0]["s3"]["object"]["key"] for m in messages]


def test_the_sample_batch_writes_the_record_of_what_s3_holds_and_a_second_run_nothing(aws: SimpleNamespace) -> None:
    aws.s3.put_object(Bucket=BUCKET, Key="photos/Canon 40D.jpg", Body=CANON)
    handler = batch_function(aws)

    # The sample's second object is not in the bucket: nothing to record.
    assert handler(load_event("backfill_batch.json"), lambda_context()) == {"ingested": 2, "queued": 0}
    filled = records(aws)
    assert sorted(filled) == ["photos/Canon 40D.jpg"]
    assert filled["photos/Canon 40D.jpg"]["pHash"]["S"] == "a56a1332cf90e299"
    assert [e.file_id for e in Pages(aws.dynamodb, TABLE).entries()] == [file_id(BUCKET, "photos/Canon 40D.jpg")]

    assert handler(load_event("backfill_batch.json"), lambda_context()) == {"ingested": 2, "queued": 0}
    assert records(aws) == filled
    assert queued_keys(aws, aws.queue_url) == []


def test_a_batch_run_again_puts_back_the_page_entries_an_earlier_attempt_lost(aws: SimpleNamespace) -> None:
    keys = [f"old/img {n}.png" for n in range(3)]
    for n, key in enumerate(keys):
        aws.s3.put_object(Bucket=BUCKET, Key=key, Body=small_png(n))
    handler = batch_function(aws)
    handler(inventory_batch(keys), lambda_context())
    pages = Pages(aws.dynamodb, TABLE)
    for item in aws.dynamodb.scan(TableName=TABLE)["Items"]:
        if item["pk"]["S"].startswith("_lib#"):  # as if the first attempt had failed writing its pages
            aws.dynamodb.delete_item(TableName=TABLE, Key={"pk": item["pk"], "sk": item["sk"]})
    assert list(pages.entries()) == []

    assert handler(inventory_batch(keys, retry=1), lambda_context()) == {"ingested": 3, "queued": 0}
    assert sorted(e.file_id for e in pages.entries()) == sorted(file_id(BUCKET, key) for key in keys)


def test_another_bucket_s_items_and_the_reserved_prefix_are_dropped(aws: SimpleNamespace) -> None:
    aws.s3.put_object(Bucket=BUCKET, Key="a.png", Body=small_png(1))
    handler = batch_function(aws)
    event = inventory_batch(["a.png"])
    event["Items"] += inventory_batch(["b.png"], bucket="someone-elses")["Items"]
    event["Items"] += inventory_batch(["_imagemeta/records/x"])["Items"]

    assert handler(event, lambda_context()) == {"ingested": 1, "queued": 0}
    assert sorted(records(aws)) == ["a.png"]


def test_what_a_batch_cannot_finish_goes_to_the_ingest_queue(aws: SimpleNamespace) -> None:
    keys = [f"late/img {n}.png" for n in range(5)]
    for n, key in enumerate(keys):
        aws.s3.put_object(Bucket=BUCKET, Key=key, Body=small_png(n))
    handler = batch_function(aws)
    remaining = iter([60_000, 60_000, 1_000, 1_000, 1_000])  # time runs short after two objects
    context = lambda_context()
    context.get_remaining_time_in_millis = lambda: next(remaining)

    assert handler(inventory_batch(keys), context) == {"ingested": 2, "queued": 3}
    assert sorted(records(aws)) == keys[:2]
    assert drain_into_ingest(aws) == 3
    assert sorted(records(aws)) == keys


def test_an_object_whose_ingest_fails_goes_to_the_queue_and_the_rest_are_written(aws: SimpleNamespace) -> None:
    keys = ["ok/one.png", "broken/two.png", "ok/three.png"]
    for n, key in enumerate(keys):
        aws.s3.put_object(Bucket=BUCKET, Key=key, Body=small_png(n))
    handler = batch_function(aws)
    original = aws.s3.get_object

    def failing_get_object(**request: Any) -> Any:
        if request["Key"].startswith("broken/"):
            raise aws.s3.exceptions.ClientError({"Error": {"Code": "SlowDown", "Message": "throttled"}}, "GetObject")
        return original(**request)

    aws.s3.get_object = failing_get_object
    try:
        assert handler(inventory_batch(keys), lambda_context()) == {"ingested": 2, "queued": 1}
    finally:
        aws.s3.get_object = original
    assert sorted(records(aws)) == ["ok/one.png", "ok/three.png"]
    assert queued_keys(aws, aws.queue_url) == ["broken/two.png"]


def test_an_image_over_the_budget_goes_to_the_larger_ingest_function(aws: SimpleNamespace) -> None:
    aws.s3.put_object(Bucket=BUCKET, Key="big/Canon 40D.jpg", Body=CANON)
    handler = batch_function(aws, Limits(max_decode_bytes=1))

    assert handler(inventory_batch(["big/Canon 40D.jpg"]), lambda_context()) == {"ingested": 1, "queued": 0}
    assert records(aws) == {}
    assert queued_keys(aws, aws.large_queue_url) == ["big/Canon+40D.jpg"]
