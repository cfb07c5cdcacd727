"""The backfill handler over a pre-filled bucket: every object's record once; a second run changes nothing."""
from __future__ import annotations

import hashlib
import io
import json
from types import SimpleNamespace

from PIL import Image

from imagemeta import NotAnImage, embedded_metadata, extract
from service.ingest.backfill import Backfill
from service.storage.records import file_id, normalize_sequencer
from service.storage.similar_index import index_attributes

from .conftest import BUCKET, TABLE, for_file, lambda_context, load_event, sqs_event


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


def version_1_item(key: str, body: bytes, sequencer: str) -> dict:
    """A record as the ingest wrote it before recordVersion 2 (no File object facts, not listed)."""
    item = {
        "fileId": {"S": file_id(BUCKET, key)},
        "bucket": {"S": BUCKET},
        "path": {"S": key},
        "sequencer": {"S": normalize_sequencer(sequencer)},
        "updatedAt": {"S": "2025-06-01T10:00:00.000Z"},
        "size": {"N": str(len(body))},
        "etag": {"S": hashlib.md5(body).hexdigest()},
    }
    try:
        metadata = extract(body)
    except NotAnImage as error:
        item["error"] = {"M": {"kind": {"S": "NotAnImage"}, "message": {"S": error.message}, "help": {"S": error.help}}}
        return item
    return {**item, "metadata": {"S": json.dumps(metadata)}, **index_attributes(metadata["pHash"])}


def test_backfill_upgrades_records_of_the_previous_version(aws: SimpleNamespace) -> None:
    image, text = small_png(9), b"not an image"
    aws.s3.put_object(Bucket=BUCKET, Key="old/a.png", Body=image, Tagging="kept=")
    aws.s3.put_object(Bucket=BUCKET, Key="old/notes.txt", Body=text, ContentType="text/plain")
    for key, body in (("old/a.png", image), ("old/notes.txt", text)):
        aws.dynamodb.put_item(TableName=TABLE, Item=version_1_item(key, body, "0062B4F0A1C2D3E4F5"))
    image_id = file_id(BUCKET, "old/a.png")

    # Version 1 records keep answering the metadata routes and details; listings do not show them yet.
    assert json.loads(aws.files(for_file("file_metadata.json", image_id), lambda_context())["body"]) == extract(image)
    old_details = json.loads(aws.files(for_file("file_details.json", image_id), lambda_context())["body"])
    assert (old_details["fileType"], old_details["tags"], old_details["embeddedMetadata"]) == ("image", [], None)
    assert listed(aws, "/old/") == []

    aws.backfill({}, lambda_context())
    assert drain_into_ingest(aws) == 2

    upgraded = records(aws)
    assert {item["recordVersion"]["N"] for item in upgraded.values()} == {"2"}
    # Same place in the event order: a real event newer than the old record still replaces it.
    assert {item["sequencer"]["S"] for item in upgraded.values()} == {normalize_sequencer("0062B4F0A1C2D3E4F5")}
    assert [o["name"] for o in listed(aws, "/old/")] == ["a.png", "notes.txt"]
    details = json.loads(aws.files(for_file("file_details.json", image_id), lambda_context())["body"])
    assert (details["tags"], details["embeddedMetadata"]) == (["kept"], embedded_metadata(image))
    assert listed(aws, "/old/")[1]["mime"] == "text/plain"

    # Up to date now: a second run writes nothing.
    aws.backfill({"restart": True}, lambda_context())
    assert drain_into_ingest(aws) == 2
    assert records(aws) == upgraded


def listed(aws: SimpleNamespace, path: str) -> list[dict]:
    event = load_event("files_list.json")
    event["queryStringParameters"] = {"path": path, "sort": "ASC_NAME"}
    response = aws.files(event, lambda_context())
    assert response["statusCode"] == 200, response["body"]
    return json.loads(response["body"])
