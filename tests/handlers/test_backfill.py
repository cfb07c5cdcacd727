"""The backfill handler over a pre-filled bucket: every object's record once; a second run changes nothing."""
from __future__ import annotations

import hashlib
import io
import json
from types import SimpleNamespace

from PIL import Image

from imagemeta import embedded_metadata
from service.ingest.backfill import Backfill
from service.storage.items import object_key
from service.storage.records import file_id

from .conftest import BUCKET, TABLE, for_file, lambda_context, load_event, sqs_event, upload_event


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
    """The table's file records and tombstones by key (folder items and library pages aside)."""
    items = aws.dynamodb.scan(TableName=TABLE)["Items"]
    return {object_key(item): item for item in items if item["sk"]["S"] == "F" and "kind" not in item}


def record(aws: SimpleNamespace, key: str) -> dict:
    return aws.dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": file_id(BUCKET, key)}, "sk": {"S": "F"}})["Item"]


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
    assert filled[keys[7]]["width"]["N"] == str(8 + 7 % 5)

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


def test_backfill_repairs_every_record_that_disagrees_with_the_bucket(aws: SimpleNamespace) -> None:
    image, text, other = small_png(9), b"not an image", small_png(11)
    for key, body in (("ok/a.png", image), ("stale/b.png", image), ("hidden/c.png", image), ("lost/d.txt", text)):
        aws.s3.put_object(Bucket=BUCKET, Key=key, Body=body)
        assert aws.ingest(upload_event(key, body, "0062B4F0A1C2D3E4F5"), lambda_context()) == {"batchItemFailures": []}
    correct = record(aws, "ok/a.png")
    # What an older deployment, or a forged message of one, may have left: a record of other bytes, a tombstone
    # of a key the bucket holds, and no record at all.
    aws.s3.put_object(Bucket=BUCKET, Key="stale/b.png", Body=other)
    hidden = record(aws, "hidden/c.png")
    aws.dynamodb.put_item(TableName=TABLE, Item={"pk": hidden["pk"], "sk": hidden["sk"], "ord": {"S": "2020-01-01T00:00:00.000Z#0"},
                                                 "rev": {"N": "9"}, "deleted": {"BOOL": True}, "ver": {"N": "3"}})
    aws.dynamodb.delete_item(TableName=TABLE, Key={"pk": {"S": file_id(BUCKET, "lost/d.txt")}, "sk": {"S": "F"}})

    aws.backfill({}, lambda_context())
    assert drain_into_ingest(aws) == 4

    assert record(aws, "ok/a.png") == correct  # in step with the bucket: untouched
    assert record(aws, "stale/b.png")["etag"]["S"] == hashlib.md5(other).hexdigest()
    assert record(aws, "hidden/c.png")["etag"]["S"] == hashlib.md5(image).hexdigest()
    assert "error" in record(aws, "lost/d.txt")
    assert [o["name"] for o in listed(aws, "/stale/")] == ["b.png"]
    details = json.loads(aws.files(for_file("file_details.json", file_id(BUCKET, "stale/b.png")),
                                   lambda_context())["body"])
    assert details["embeddedMetadata"] == embedded_metadata(other)

    # In step now: a second run writes nothing.
    repaired = records(aws)
    aws.backfill({"restart": True}, lambda_context())
    assert drain_into_ingest(aws) == 4
    assert records(aws) == repaired


def listed(aws: SimpleNamespace, path: str) -> list[dict]:
    event = load_event("files_list.json")
    event["queryStringParameters"] = {"path": path, "sort": "ASC_NAME"}
    response = aws.files(event, lambda_context())
    assert response["statusCode"] == 200, response["body"]
    return json.loads(response["body"])
