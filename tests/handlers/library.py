"""A whole library on moto for the organizing tests: a bucket that keeps versions (or not) notifying the ingest
queue as S3 does, the jobs FIFO queue, every function's handler, and `settle()`, which pumps both queues into
their functions as Lambda's event source mappings would, until nothing is left to do.

S3's notifications come from moto itself, made S3's for a versioned bucket by the local stack's own patch
(infra/moto_s3.py); sequencers are the local stack's pump's.
"""
from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from handlers import file_delete, files, folder_jobs, ingest, not_supported, organize, upload
from handlers.clients import AwsClients
from handlers.settings import (
    DeleteSettings,
    FilesSettings,
    FolderJobsSettings,
    IngestSettings,
    OrganizeSettings,
    UploadSettings,
)
from imagemeta.fetch.policy import FetchSettings
from imagemeta.limits import DEFAULT_LIMITS
from infra.moto_s3 import s3_as_aws
from infra.pump import Sequencer, lambda_record, with_sequencer

from ..local_template import local_template
from .conftest import BUCKET, KEYS_TABLE, SEARCH_MAX_RECORDS, TABLE, lambda_context, load_event

JOBS_QUEUE = local_template().physical_name("JobsQueue")
# Receives per settle() before it gives up on a queue that never empties (a job that never completes).
MAX_ROUNDS = 500

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class Library:
    """The moto clients, the handlers, and the queues' pumps."""

    s3: Any
    dynamodb: Any
    sqs: Any
    clients: AwsClients
    ingest_queue: str
    jobs_queue: str
    handlers: dict[str, Handler] = field(default_factory=dict)
    sequencer: Sequencer = field(default_factory=Sequencer)
    # Called with each jobs message's body before the worker gets it; what it returns is delivered instead
    # (a list: each delivered in turn, e.g. twice for a duplicate delivery).
    deliver: Callable[[str], list[str]] = lambda body: [body]

    def call(self, function: str, event_name: str, json_body: Any = None, **changes: Any) -> dict[str, Any]:
        """An API event from events/ (its JSON body replaced when given, any field by `changes`) answered by one
        function."""
        event = load_event(event_name)
        if json_body is not None:
            event["body"] = base64.b64encode(json.dumps(json_body).encode()).decode()
            event["isBase64Encoded"] = True
        if "pathParameters" in changes and "path" not in changes:  # the path the parameters make of the resource
            changes["path"] = event["resource"].format(**changes["pathParameters"])
        event.update(changes)
        return self.handlers[function](event, lambda_context())

    def settle(self) -> int:
        """Pump the ingest and jobs queues until both are empty; the messages handled."""
        handled = 0
        for _ in range(MAX_ROUNDS):
            moved = self._pump(self.ingest_queue, "ingest", 10) + self._pump(self.jobs_queue, "jobs", 1)
            handled += moved
            if not moved:
                return handled
        raise AssertionError(f"the queues did not empty in {MAX_ROUNDS} rounds")

    def _pump(self, queue: str, function: str, batch: int) -> int:
        messages = self.sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=batch, AttributeNames=["All"],
                                            WaitTimeSeconds=0).get("Messages", [])
        for message in messages:
            bodies = [message["Body"]] if function == "ingest" else self.deliver(message["Body"])
            for body in bodies:
                record = lambda_record(message, with_sequencer(body, self.sequencer.for_message(message["MessageId"])),
                                       f"arn:aws:sqs:us-east-1:123456789012:{queue.rsplit('/', 1)[1]}")
                result = self.handlers[function]({"Records": [record]}, lambda_context())
                assert result == {"batchItemFailures": []}, result
            self.sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
            self.sequencer.forget(message["MessageId"])
        return len(messages)


def library(aws: Any, versioned: bool) -> Library:
    """The library over the `aws` fixture's moto: its bucket notifying the ingest queue, the jobs queue, handlers."""
    s3_as_aws()
    if versioned:
        aws.s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    queue_arn = aws.sqs.get_queue_attributes(QueueUrl=aws.queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    aws.s3.put_bucket_notification_configuration(Bucket=BUCKET, NotificationConfiguration={"QueueConfigurations": [
        {"QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]}]})
    aws.sqs.purge_queue(QueueUrl=aws.queue_url)  # S3's test event
    jobs_queue = aws.sqs.create_queue(QueueName=JOBS_QUEUE, Attributes={"FifoQueue": "true",
                                                                         "VisibilityTimeout": "0"})["QueueUrl"]
    clients = aws.clients
    found = Library(aws.s3, aws.dynamodb, aws.sqs, clients, aws.queue_url, jobs_queue)
    found.handlers.update(
        ingest=ingest.build(IngestSettings(BUCKET, TABLE, DEFAULT_LIMITS), clients),
        jobs=folder_jobs.build(FolderJobsSettings(BUCKET, TABLE, jobs_queue, ()), clients),
        organize=organize.build(OrganizeSettings(BUCKET, TABLE, jobs_queue, (), 3600), clients),
        files=files.build(FilesSettings(BUCKET, TABLE, SEARCH_MAX_RECORDS, 3600), clients),
        delete=file_delete.build(DeleteSettings(BUCKET, TABLE), clients),
        upload=upload.build(UploadSettings(BUCKET, TABLE, DEFAULT_LIMITS, FetchSettings(), 3600, KEYS_TABLE), clients),
        not_supported=not_supported.build(),
    )
    return found
