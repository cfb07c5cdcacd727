"""moto's SQS made to receive in time proportional to what it hands out, as SQS does.

moto checks each message it hands out against the queue's retention period by computing every attribute of the
queue, ApproximateNumberOfMessages and the other counts included: a pass over all the queue's messages for each
message received, so a queue of N messages is drained in N² steps. Ingesting a folder of 500 uploads (and
their thumbnails' events) spent more than a quarter of the local stack's time there (py-spy, docs/local-stack.md).
`sqs_as_aws()` reads the retention period alone, which is the same check. The counts remain a pass over the
queue (each SendMessage and GetQueueAttributes makes one), so a message's visible and delayed read the clock
as a number instead of building two datetimes for each message (most of such a pass).
"""
from __future__ import annotations

import time
from typing import Any

from moto.core.utils import unix_time
from moto.sqs.models import Message, SQSBackend

_PATCHED = "_imagemeta_as_aws"


def sqs_as_aws() -> None:
    """Patch moto's SQS in this process (once): the retention check reads one attribute, the clock a number."""
    if getattr(SQSBackend, _PATCHED, False):
        return

    def within_retention(backend: SQSBackend, queue_name: str, message: Any) -> bool:
        queue: Any = backend.get_queue(queue_name)  # its attributes are set by name from the queue's settings
        return bool(queue.message_retention_period + message.sent_timestamp / 1000 > unix_time())

    setattr(SQSBackend, "is_message_valid_based_on_retention_period", within_retention)  # noqa: B010
    # The same comparisons as moto's, in the milliseconds since the epoch its visible_at and delayed_until hold.
    setattr(Message, "visible", property(lambda message: time.time() * 1000 > message.visible_at))  # noqa: B010
    setattr(Message, "delayed", property(lambda message: time.time() * 1000 < message.delayed_until))  # noqa: B010
    setattr(SQSBackend, _PATCHED, True)
