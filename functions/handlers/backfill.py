"""Lambda: enqueue ingest events for objects that predate the deployment (invoke until it says done)."""
import os
from dataclasses import asdict

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers.settings import BackfillSettings
from service.ingest.backfill import Backfill

from . import LambdaHandler, built_on_lookup
from .clients import AwsClients

# Stop listing with this much time left, so the checkpoint is saved before the function times out.
RESERVE_MILLIS = 60_000


def build(settings: BackfillSettings, clients: AwsClients) -> LambdaHandler:
    """The backfill of the settings' bucket into the ingest queue."""
    logger = Logger()
    backfill = Backfill(
        s3=clients.s3,
        sqs=clients.sqs,
        dynamodb=clients.dynamodb,
        bucket=settings.bucket,
        queue_url=settings.ingest_queue_url,
        table=settings.table,
    )

    @logger.inject_lambda_context
    def handler(event: dict, context: LambdaContext) -> dict:
        """Event: {} to resume from the checkpoint, {"restart": true} to list the bucket from the start."""
        progress = backfill.run(
            keep_going=lambda: context.get_remaining_time_in_millis() > RESERVE_MILLIS,
            restart=bool(event.get("restart")),
        )
        logger.info("backfill progress", extra=asdict(progress))
        return asdict(progress)

    return handler


__getattr__ = built_on_lookup(lambda: build(BackfillSettings.from_env(os.environ), AwsClients()))
