"""Lambda's SQS event source mapping, locally: long-poll the queue, invoke the function, delete what succeeded."""
from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .functions import LocalFunction
from .template import REGION, LocalTemplate

if TYPE_CHECKING:
    from types_boto3_sqs import SQSClient

log = logging.getLogger("infra.pump")

# S3's sequencers are fixed-width upper-case hex per key; 18 digits hold nanoseconds for centuries.
SEQUENCER_DIGITS = 18
POLL_SECONDS = 1  # long-poll wait; also how long stopping the pump may take


class Sequencer:
    """Supplies the `sequencer` moto leaves out of S3 records, increasing in the order events were queued.

    moto hands out a standard queue's messages in the order they were sent, so the order in which
    the pump first sees messages is the order S3 queued them. A message that comes back after a
    failure keeps the sequencer it was given, as a redelivered S3 event would.
    """

    def __init__(self) -> None:
        self._last = 0
        self._by_message: dict[str, str] = {}

    def for_message(self, message_id: str) -> str:
        if message_id not in self._by_message:
            self._last = max(self._last + 1, time.time_ns())
            self._by_message[message_id] = f"{self._last:0{SEQUENCER_DIGITS}X}"
        return self._by_message[message_id]

    def forget(self, message_id: str) -> None:
        """The message is deleted: it will not come back."""
        self._by_message.pop(message_id, None)


def with_sequencer(body: str, sequencer: str) -> str:
    """The S3 notification body with a sequencer on every record that lacks one; other bodies as they are."""
    try:
        notification = json.loads(body)
    except json.JSONDecodeError:
        return body
    records = notification.get("Records") if isinstance(notification, dict) else None
    if not isinstance(records, list):
        return body  # s3:TestEvent and anything that is not an S3 notification
    changed = False
    for record in records:
        s3_object = record.get("s3", {}).get("object") if isinstance(record, dict) else None
        if isinstance(s3_object, dict) and "sequencer" not in s3_object:
            s3_object["sequencer"] = sequencer
            changed = True
    return json.dumps(notification) if changed else body


def lambda_record(message: Mapping[str, Any], body: str, queue_arn: str) -> dict[str, Any]:
    """One SQS message in the shape of a record of Lambda's SQS event."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": body,
        "attributes": dict(message.get("Attributes", {})),
        "messageAttributes": {
            name: {
                "stringValue": value.get("StringValue"),
                "binaryValue": value.get("BinaryValue"),
                "stringListValues": value.get("StringListValues", []),
                "binaryListValues": value.get("BinaryListValues", []),
                "dataType": value["DataType"],
            }
            for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": hashlib.md5(body.encode()).hexdigest(),  # noqa: S324 - SQS's checksum, not security
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    }


def failed_message_ids(result: Any, message_ids: list[str], reports_failures: bool) -> set[str]:
    """The messages Lambda would leave on the queue after a successful invocation.

    With ReportBatchItemFailures, the ones listed in `batchItemFailures`; an entry that names no
    message of the batch fails the whole batch, as Lambda treats it.
    """
    if not reports_failures or not isinstance(result, dict):
        return set()
    failures = result.get("batchItemFailures") or []
    failed: set[object] = {failure.get("itemIdentifier") for failure in failures if isinstance(failure, dict)}
    if len(failed) != len(failures) or not failed <= set(message_ids):
        return set(message_ids)
    return {message_id for message_id in message_ids if message_id in failed}


class QueuePump:
    """Feeds one queue to one function, batch after batch, until stopped."""

    def __init__(
        self,
        sqs: SQSClient,
        queue_url: str,
        queue_arn: str,
        function: LocalFunction,
        batch_size: int,
        reports_failures: bool,
    ) -> None:
        self.sqs = sqs
        self.queue_url = queue_url
        self.queue_arn = queue_arn
        self.function = function
        self.batch_size = batch_size
        self.reports_failures = reports_failures
        self.sequencer = Sequencer()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, name=f"pump-{function.logical_id}", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.pump_batch()
            except Exception:  # noqa: BLE001 - a broken batch must not stop the pump; it is logged
                log.exception("pump for %s failed; retrying", self.function.logical_id)
                self.stopping.wait(POLL_SECONDS)

    def pump_batch(self) -> None:
        """Receive up to one batch, invoke the function once, delete the messages that succeeded."""
        messages = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self.batch_size,
            WaitTimeSeconds=POLL_SECONDS,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return
        records = [
            lambda_record(m, with_sequencer(m["Body"], self.sequencer.for_message(m["MessageId"])), self.queue_arn)
            for m in messages
        ]
        message_ids = [m["MessageId"] for m in messages]
        try:
            result = self.function.invoke({"Records": records})
        except Exception:  # noqa: BLE001 - as in Lambda: the batch returns after the visibility timeout
            log.exception("%s failed on a batch of %d", self.function.logical_id, len(messages))
            return
        failed = failed_message_ids(result, message_ids, self.reports_failures)
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
            )
        for message in done:
            self.sequencer.forget(message["MessageId"])


def event_source_pumps(
    template: LocalTemplate, functions: Mapping[str, LocalFunction], sqs: SQSClient
) -> list[QueuePump]:
    """One pump per SQS event of a SAM function, configured as its event source mapping is."""
    pumps = []
    for function in functions.values():
        for event in function.events.values():
            if event.get("Type") != "SQS":
                continue
            properties = event["Properties"]
            queue_id = template.logical_id_of_arn(properties["Queue"])
            pumps.append(
                QueuePump(
                    sqs=sqs,
                    queue_url=template.queue_url(queue_id),
                    queue_arn=properties["Queue"],
                    function=function,
                    batch_size=int(properties.get("BatchSize", 10)),
                    reports_failures="ReportBatchItemFailures" in properties.get("FunctionResponseTypes", []),
                )
            )
    return pumps
