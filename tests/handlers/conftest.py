"""Handler tests: each Lambda handler invoked in-process with the files in events/, AWS on moto."""
from __future__ import annotations

import hashlib
import importlib
import json
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote_plus

import boto3
import pytest
from moto import mock_aws

from infra.template import LocalTemplate, load_template

from ..paths import EVENTS, ROOT

# The bucket the files in events/ name.
BUCKET = "imagemeta-uploads-123456789012"
TABLE = "imagemeta-files"


def load_event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())


def upload_event(key: str, body: bytes, sequencer: str) -> dict[str, Any]:
    """events/ingest_put.json rewritten for another upload: its key (URL-encoded as S3 does), size and ETag."""
    event = load_event("ingest_put.json")
    message = json.loads(event["Records"][0]["body"])
    message["Records"][0]["s3"]["object"].update(
        key=quote_plus(key, safe="/"), size=len(body), eTag=hashlib.md5(body).hexdigest(), sequencer=sequencer
    )
    event["Records"][0]["body"] = json.dumps(message)
    return event


def sqs_event(bodies: list[str]) -> dict[str, Any]:
    """Lambda's SQS event delivering these message bodies in one batch."""
    return {
        "Records": [
            {
                "messageId": f"message-{n}",
                "receiptHandle": f"receipt-{n}",
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
            }
            for n, body in enumerate(bodies)
        ]
    }


def lambda_context(name: str = "test-function") -> SimpleNamespace:
    return SimpleNamespace(
        function_name=name,
        memory_limit_in_mb=1024,
        invoked_function_arn=f"arn:aws:lambda:us-east-1:123456789012:function:{name}",
        aws_request_id="4c3a1f0e-0000-4000-8000-000000000000",
        get_remaining_time_in_millis=lambda: 30_000,
    )


def create_table_from_template(dynamodb: Any, logical_id: str = "FilesTable", name: str = TABLE) -> None:
    """A table as template.yaml declares it (keys and indexes), so the schema has one source."""
    template = LocalTemplate(load_template(ROOT / "template.yaml"), ROOT / "template.yaml", "http://unused")
    table = template.resolve(template.resource(logical_id).properties)
    dynamodb.create_table(
        TableName=name,
        KeySchema=table["KeySchema"],
        AttributeDefinitions=table["AttributeDefinitions"],
        BillingMode=table.get("BillingMode", "PAY_PER_REQUEST"),
        **({"GlobalSecondaryIndexes": table["GlobalSecondaryIndexes"]} if "GlobalSecondaryIndexes" in table else {}),
    )


def set_handler_environment(monkeypatch: pytest.MonkeyPatch, **variables: str) -> None:
    """Dummy credentials and a region for moto, no endpoint leading elsewhere, and the function's own variables."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_SERVICE_NAME": "imagemeta-test",
        **variables,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)


@pytest.fixture()
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[SimpleNamespace]:
    """moto with the bucket and table, and the handler modules imported fresh against them."""
    set_handler_environment(monkeypatch, BUCKET_NAME=BUCKET, TABLE_NAME=TABLE)
    with mock_aws():
        s3 = boto3.client("s3")
        dynamodb = boto3.client("dynamodb")
        s3.create_bucket(Bucket=BUCKET)
        create_table_from_template(dynamodb)
        sqs = boto3.client("sqs")
        queue_url = sqs.create_queue(QueueName="imagemeta-ingest")["QueueUrl"]
        monkeypatch.setenv("INGEST_QUEUE_URL", queue_url)
        handlers = SimpleNamespace(
            s3=s3,
            dynamodb=dynamodb,
            sqs=sqs,
            queue_url=queue_url,
            backfill=importlib.reload(importlib.import_module("handlers.backfill")),
            files=importlib.reload(importlib.import_module("handlers.files")),
            ingest=importlib.reload(importlib.import_module("handlers.ingest")),
            metadata_url=importlib.reload(importlib.import_module("handlers.metadata_url")),
        )
        yield handlers
