"""The backfill handler over a pre-filled bucket: every object's record once; a second run changes nothing."""
from __future__ import annotations

import io
import json
from types import SimpleNamespace

from PIL import Image
from service.ingest.backfill import Backfill

from .conftest import BUCKET, TABLE, lambda_context, sqs_event


def small_png(shade: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8 + shade % 5, 6), (shade, 255 - shade, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def drain_into_ingest(aws: SimpleNamespace) -> int:
    """Feed every queued message to the ingest handler, as the event source mapping would."""
    delivered = 0
    while messages := aws.sqs.receive_message(QueueUrl=aws.queue_url, MaxNumberOfMessages=10).get("Messages"):
        event = sqs_event([m["Body"] for m in messages])
        assert aws.ingest(event, lambda_context()) == {"batchItemFailures": []}
        for m in messages:
            aws.sqs.delete_message(QueueUrl=aws.queue_url, ReceiptHandle=m["ReceiptHandle"])
        delivered += len(messages)
    return delivered


def records(aws: SimpleNamespace) -> dict[str, dict]:
    items = aws.dynamodb.scan(TableName=TABLE)["Items"]
    return {item["path"]["S"]: item for item in items if "path" in item}


def test_backfill_fills_every_record_once_and_a_second_run_changes_nothing(aws: SimpleNamespace) -> None:
    keys = [f"old uploads/img {n:03d}+é.png" for n in range(60)] + ["notes/readme.txt"]
    for n, key in enumerate(keys[:-1]):
        aws.s3.put_object(Bucket=BUCKET, Key=key, Body=small_png(n))
    aws.s3.put_object(Bucket=BUCKET, Key=keys[-1], Body=b"not an image")

    first = aws.backfill({}, lambda_context())
    assert first == {"start_after": sorted(keys)[-1], "enqueued": len(keys), "done": True}
    assert drain_into_ingest(aws) == len(keys)
    filled = records(aws)
    assert sorted(filled) == sorted(keys)
    assert "error" in filled["notes/readme.txt"]
    assert json.loads(filled[keys[7]]["metadata"]["S"])["width"] == 8 + 7 % 5

    second = aws.backfill({}, lambda_context())
    assert second["enqueued"] == len(keys) and second["done"]
    assert drain_into_ingest(aws) == len(keys)
    assert records(aws) == filled


def test_backfill_resumes_from_its_checkpoint(aws: SimpleNamespace) -> None:
    keys = [f"k{n:04d}.png" for n in range(25)]
    for key in keys:
        aws.s3.put_object(Bucket=BUCKET, Key=key, Body=small_png(3))
    backfill = Backfill(aws.s3, aws.sqs, aws.dynamodb, BUCKET, aws.queue_url, TABLE, page_size=10)
    stopped = backfill.run(keep_going=lambda: False)
    assert (stopped.start_after, stopped.enqueued, stopped.done) == ("k0009.png", 10, False)
    resumed = backfill.run()
    assert (resumed.start_after, resumed.enqueued, resumed.done) == ("k0024.png", 25, True)
    assert drain_into_ingest(aws) == 25
    assert sorted(records(aws)) == keys
