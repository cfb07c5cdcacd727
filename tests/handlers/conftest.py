"""Handler tests: each Lambda handler invoked in-process with the files in events/, AWS on moto."""
from __future__ import annotations

import copy
import hashlib
import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote_plus

import boto3
import pytest
from botocore.config import Config
from moto import mock_aws

from handlers import backfill, edit, file_delete, files, ingest, metadata_url, upload
from handlers.clients import AwsClients
from handlers.settings import (
    BackfillSettings,
    DeleteSettings,
    EditSettings,
    FilesSettings,
    IngestSettings,
    MetadataUrlSettings,
    UploadSettings,
)
from imagemeta.fetch.policy import FetchSettings
from imagemeta.limits import DEFAULT_LIMITS
from infra.resources import table_parameters
from library.fields import CustomField, Fields, new_field
from service.storage.fields import FieldStore

from ..local_template import local_template
from ..paths import EVENTS

# The local stack's bucket and table, which the files in events/ name.
BUCKET = local_template().physical_name("UploadBucket")
TABLE = local_template().physical_name("FilesTable")
KEYS_TABLE = local_template().physical_name("ApiKeysTable")
# Small, so the handler tests reach the search limit with a few records.
SEARCH_MAX_RECORDS = 50


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


def for_file(event_name: str, fid: str) -> dict[str, Any]:
    """A fileId route's event from events/ (details, metadata, delete) aimed at another fileId."""
    event = load_event(event_name)
    event["path"] = event["path"].replace(event["pathParameters"]["fileId"], fid)
    event["pathParameters"] = {"fileId": fid}
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


def define_fields(dynamodb: Any, **schemas: dict[str, Any]) -> None:
    """Custom metadata fields, as POST /v1/customMetadataFields makes them (name: its schema object)."""
    store = FieldStore(dynamodb, TABLE)
    for name, schema in schemas.items():
        def adding(fields: Fields, name: str = name, schema: dict[str, Any] = schema) -> tuple[Fields, CustomField]:
            made = new_field({"name": name, "label": name, "schema": schema}, fields, secrets.token_hex(12))
            return fields.with_field(made), made

        store.change(adding)


def create_table_from_template(dynamodb: Any, logical_id: str = "FilesTable", name: str = TABLE) -> None:
    """A table as template.yaml declares it (keys and indexes), so the schema has one source."""
    dynamodb.create_table(TableName=name, **table_parameters(local_template(), logical_id))


def set_aws_environment(monkeypatch: pytest.MonkeyPatch, **variables: str) -> None:
    """Dummy credentials and a region for moto, no endpoint leading elsewhere, and Powertools' service name."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_SERVICE_NAME": "imagemeta-test",
        **variables,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)


@pytest.fixture(scope="session")
def moto_clients() -> SimpleNamespace:
    """The boto3 clients of the handler tests, made once: making them is most of what a fresh moto costs (0.1 to
    0.3 s a test), and moto answers any client while a mock is active, so each test still starts from nothing."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        set_aws_environment(monkeypatch)  # read when a client is made: no endpoint leading away from moto
        return SimpleNamespace(
            s3=boto3.client("s3", config=Config(signature_version="s3v4")),  # as handlers.clients makes it
            dynamodb=boto3.client("dynamodb"),
            sqs=boto3.client("sqs"),
            apigateway=boto3.client("apigateway"),
        )


@contextmanager
def own_event_hooks(*clients: Any) -> Iterator[None]:
    """Each client with a copy of its event emitter while a test runs: a hook a test registers (to count or
    change requests) goes with the test instead of staying on the session's clients."""
    kept = [client.meta.events for client in clients]
    for client, emitter in zip(clients, kept, strict=True):
        client.meta.events = copy.copy(emitter)
    try:
        yield
    finally:
        for client, emitter in zip(clients, kept, strict=True):
            client.meta.events = emitter


class Handlers(SimpleNamespace):
    """The AWS clients and resources of a test, and each function's handler, built when the test first uses it
    (most tests call one or two of the seven). A test may set one of its own."""

    def __init__(self, builders: dict[str, Any], **resources: Any) -> None:
        super().__init__(**resources)
        self._builders = builders

    def __getattr__(self, name: str) -> Any:
        builders = self.__dict__.get("_builders", {})
        if name not in builders:
            raise AttributeError(name)
        handler = builders[name]()
        setattr(self, name, handler)
        return handler


@pytest.fixture()
def aws(monkeypatch: pytest.MonkeyPatch, moto_clients: SimpleNamespace) -> Iterator[SimpleNamespace]:
    """A fresh moto with the bucket, table and queue, and each function's handler built against them on use."""
    set_aws_environment(monkeypatch)
    with mock_aws(), own_event_hooks(moto_clients.s3, moto_clients.dynamodb, moto_clients.sqs):
        s3, dynamodb, sqs = moto_clients.s3, moto_clients.dynamodb, moto_clients.sqs
        s3.create_bucket(Bucket=BUCKET)
        create_table_from_template(dynamodb)
        create_table_from_template(dynamodb, "ApiKeysTable", KEYS_TABLE)
        queue_url = sqs.create_queue(QueueName=local_template().physical_name("IngestQueue"))["QueueUrl"]
        large_queue_url = sqs.create_queue(QueueName=local_template().physical_name("IngestLargeQueue"))["QueueUrl"]
        clients = AwsClients(s3=s3, dynamodb=dynamodb, sqs=sqs)
        yield Handlers(
            {
                "backfill": lambda: backfill.build(BackfillSettings(BUCKET, TABLE, queue_url), clients),
                "files": lambda: files.build(FilesSettings(BUCKET, TABLE, SEARCH_MAX_RECORDS, 3600), clients),
                # IngestLargeFunction's: the service's limits and no larger function to hand over to.
                "ingest": lambda: ingest.build(IngestSettings(BUCKET, TABLE, DEFAULT_LIMITS), clients),
                "metadata_url": lambda: metadata_url.build(MetadataUrlSettings(DEFAULT_LIMITS, FetchSettings())),
                "upload": lambda: upload.build(UploadSettings(BUCKET, TABLE, DEFAULT_LIMITS, FetchSettings(), 3600,
                                                              KEYS_TABLE), clients),
                "delete": lambda: file_delete.build(DeleteSettings(BUCKET, TABLE), clients),
                "edit": lambda: edit.build(EditSettings(BUCKET, TABLE, 3600), clients),
            },
            s3=s3,
            dynamodb=dynamodb,
            sqs=sqs,
            clients=clients,
            queue_url=queue_url,
            large_queue_url=large_queue_url,
        )
