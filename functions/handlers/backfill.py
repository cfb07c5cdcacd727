"""Lambda: enqueue ingest events for objects that predate the deployment (invoke until it says done)."""
from dataclasses import asdict

import boto3
from aws_lambda_powertools import Logger

from service.backfill import Backfill
from service.config import ingest_queue_url, storage_from_env

# Stop listing with this much time left, so the checkpoint is saved before the function times out.
RESERVE_MILLIS = 60_000

logger = Logger()
storage = storage_from_env()
backfill = Backfill(
    s3=boto3.client("s3"),
    sqs=boto3.client("sqs"),
    dynamodb=boto3.client("dynamodb"),
    bucket=storage.bucket,
    queue_url=ingest_queue_url(),
    table=storage.table,
)


@logger.inject_lambda_context
def handler(event: dict, context: object) -> dict:
    """Event: {} to resume from the checkpoint, {"restart": true} to list the bucket from the start."""
    progress = backfill.run(
        keep_going=lambda: context.get_remaining_time_in_millis() > RESERVE_MILLIS,  # type: ignore[attr-defined]
        restart=bool(event.get("restart")),
    )
    logger.info("backfill progress", extra=asdict(progress))
    return asdict(progress)
