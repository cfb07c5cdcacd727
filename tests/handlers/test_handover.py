"""IngestFunction hands what it cannot decode within its memory to IngestLargeFunction, through that one's queue,
and the records come out as one function alone would write them. AWS on moto; the images are made here."""
from __future__ import annotations

import io
import json
from types import SimpleNamespace
from typing import Any

import pytest
from PIL import Image

from handlers import LambdaHandler, ingest
from handlers.settings import IngestSettings
from imagemeta import Limits, TooLarge, extract
from imagemeta.budget import BASE_BYTES
from library.errors import RecordNotFound
from service.api.file_objects import record_view
from service.storage.records import file_id

from ..records import record_store
from .conftest import BUCKET, TABLE, lambda_context, load_event, sqs_event, upload_event

# A budget a 16x16 image fits and a 2000x1500 PNG does not (the budget predicts 28 MB for it: its lines).
SMALL_BUDGET = Limits(max_decode_bytes=BASE_BYTES + 4 * 2**20)
OK = {"batchItemFailures": []}


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.linear_gradient("L").resize((width, height)).convert("RGB").save(out, "PNG")
    return out.getvalue()


def default_sized(aws: SimpleNamespace, limits: Limits = SMALL_BUDGET, queue_url: str | None = None) -> LambdaHandler:
    """IngestFunction's handler: a small decoding budget, and the larger function's queue to hand over to."""
    return ingest.build(IngestSettings(BUCKET, TABLE, limits, queue_url or aws.large_queue_url), aws.clients)


def handed_over(aws: SimpleNamespace) -> list[str]:
    """The bodies waiting on IngestLargeFunction's queue (taken off it)."""
    messages = aws.sqs.receive_message(QueueUrl=aws.large_queue_url, MaxNumberOfMessages=10).get("Messages", [])
    for message in messages:
        aws.sqs.delete_message(QueueUrl=aws.large_queue_url, ReceiptHandle=message["ReceiptHandle"])
    return [message["Body"] for message in messages]


def upload(aws: SimpleNamespace, key: str, body: bytes, sequencer: str) -> dict[str, Any]:
    aws.s3.put_object(Bucket=BUCKET, Key=key, Body=body)
    return upload_event(key, body, sequencer)


def removal_event(key: str, sequencer: str) -> dict[str, Any]:
    """events/ingest_delete.json for another key and sequencer."""
    event = load_event("ingest_delete.json")
    message = json.loads(event["Records"][0]["body"])
    message["Records"][0]["s3"]["object"].update(key=key, sequencer=sequencer)
    event["Records"][0]["body"] = json.dumps(message)
    return event


def record(aws: SimpleNamespace, key: str) -> dict[str, Any]:
    return record_view(record_store(aws.dynamodb, aws.s3, TABLE, BUCKET).file(file_id(BUCKET, key)))


def test_an_image_over_the_budget_is_handed_over_and_the_larger_function_stores_it(aws: SimpleNamespace) -> None:
    body = png(2000, 1500)
    event = upload(aws, "large.png", body, "0A")

    assert default_sized(aws)(event, lambda_context()) == OK
    with pytest.raises(RecordNotFound):
        record(aws, "large.png")
    (message,) = handed_over(aws)
    assert json.loads(message) == json.loads(event["Records"][0]["body"])  # the same notification, sequencer and all

    assert aws.ingest(sqs_event([message]), lambda_context()) == OK
    assert record(aws, "large.png")["metadata"] == extract(body)


def test_an_image_within_the_budget_stays_with_the_default_sized_function(aws: SimpleNamespace) -> None:
    body = png(16, 16)

    assert default_sized(aws)(upload(aws, "small.png", body, "0A"), lambda_context()) == OK

    assert record(aws, "small.png")["metadata"] == extract(body)
    assert handed_over(aws) == []


def test_a_message_delivered_again_goes_to_the_larger_function_as_it_came(aws: SimpleNamespace) -> None:
    # An earlier attempt may have run out of memory or time, which fails the whole batch: no third try here.
    event = upload(aws, "small.png", png(16, 16), "0A")
    event["Records"][0]["attributes"]["ApproximateReceiveCount"] = "2"

    assert default_sized(aws)(event, lambda_context()) == OK

    assert handed_over(aws) == [event["Records"][0]["body"]]
    with pytest.raises(RecordNotFound):
        record(aws, "small.png")


def test_the_larger_function_has_the_last_word_a_413_record(aws: SimpleNamespace) -> None:
    larger = ingest.build(IngestSettings(BUCKET, TABLE, SMALL_BUDGET), aws.clients)  # nothing to hand over to

    assert larger(upload(aws, "large.png", png(2000, 1500), "0A"), lambda_context()) == OK

    with pytest.raises(TooLarge, match="Decoding this image would take more than the limit"):
        record(aws, "large.png")
    assert handed_over(aws) == []


def test_a_handed_over_upload_deleted_meanwhile_stays_deleted(aws: SimpleNamespace) -> None:
    put = upload(aws, "large.png", png(2000, 1500), "0A")
    assert default_sized(aws)(put, lambda_context()) == OK
    aws.s3.delete_object(Bucket=BUCKET, Key="large.png")
    assert default_sized(aws)(removal_event("large.png", "0B"), lambda_context()) == OK

    (message,) = handed_over(aws)
    assert aws.ingest(sqs_event([message]), lambda_context()) == OK

    with pytest.raises(RecordNotFound):
        record(aws, "large.png")  # the later delete's tombstone, not the older upload's metadata


def test_a_hand_over_that_fails_fails_its_message_alone_so_it_is_retried(aws: SimpleNamespace) -> None:
    large = upload(aws, "large.png", png(2000, 1500), "0A")["Records"][0]["body"]
    small = upload(aws, "small.png", png(16, 16), "0B")["Records"][0]["body"]
    missing_queue = aws.large_queue_url.rsplit("/", 1)[0] + "/no-such-queue"

    response = default_sized(aws, queue_url=missing_queue)(sqs_event([large, small]), lambda_context())

    assert response == {"batchItemFailures": [{"itemIdentifier": "message-0"}]}
    with pytest.raises(RecordNotFound):
        record(aws, "large.png")
    assert record(aws, "small.png")["path"] == "small.png"
