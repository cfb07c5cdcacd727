"""Lambda: one batch of the bucket inventory's objects, from the backfill state machine's distributed map.

The state machine (template.yaml, BackfillStateMachine) reads an S3 Inventory report of the upload bucket and
hands this function its objects in batches (the distributed map's ItemBatcher): `{"Items": [{"Bucket": ...,
"Key": ..., ...}, ...], "BatchInput": {...}}`, keys URL-encoded as the inventory writes them. Each object takes
the ingest's own path with the backfill's sequencer, so a real event always wins and a record that already says
what S3 holds is left alone (and costs no extraction): a batch run twice writes nothing the second time. What
a batch cannot finish (an object whose ingest failed, or the objects left when its time runs short) goes to the
ingest queue as backfill events, with the queue's retries and dead-letter queue; a failure of the batch's own
(its library pages) fails the task, which the state machine retries, writing the pages of every object again.
"""
import os
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers.settings import BackfillBatchSettings
from service.ingest.backfill import enqueue_events
from service.storage.overflow import RESERVED_PREFIX
from service.storage.stores import Stores

from . import LambdaHandler, built_on_lookup
from .clients import AwsClients
from .ingest import ingest_path

# Stop taking objects with this much time left: enough to write the batch's pages and queue the rest.
RESERVE_MILLIS = 20_000


def listed_keys(event: dict[str, Any], bucket: str, logger: Logger) -> list[str]:
    """The batch's keys in this bucket (another bucket's are dropped, as the ingest drops their events)."""
    keys = []
    for item in event["Items"]:
        if item["Bucket"] != bucket:
            logger.warning("inventory item of another bucket dropped", extra={"bucket": item["Bucket"]})
            continue
        key = unquote_plus(item["Key"])
        if not key.startswith(RESERVED_PREFIX):
            keys.append(key)
    return keys


def build(settings: BackfillBatchSettings, clients: AwsClients) -> LambdaHandler:
    """The backfill of the settings' bucket into its table, a batch of inventory items at a time."""
    logger = Logger()
    stores = Stores(clients, settings.bucket, settings.table, similar_bands=settings.similar_bands)
    ingest = ingest_path(settings, clients, stores, logger)

    @logger.inject_lambda_context
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
        """The batch's objects ingested; {"ingested", "queued"}: how many here, how many left to the queue."""
        keys = listed_keys(event, settings.bucket, logger)
        again = int(event.get("BatchInput", {}).get("retry") or 0) > 0
        left: list[str] = []
        ingest.begin(keys)
        for n, key in enumerate(keys):
            if context.get_remaining_time_in_millis() < RESERVE_MILLIS:
                left += keys[n:]
                break
            try:
                ingest.handle_listed(key)
                if again:
                    stores.records.keep_page(key)  # the earlier attempt may have lost its pages
            except Exception:
                logger.exception("object left to the ingest queue", extra={"key": key})
                left.append(key)
        enqueue_events(clients.sqs, settings.ingest_queue_url, settings.bucket, left)
        ingest.finish()
        return {"ingested": len(keys) - len(left), "queued": len(left)}

    return handler


__getattr__ = built_on_lookup(lambda: build(BackfillBatchSettings.from_env(os.environ), AwsClients()))
