"""Lambda (both ingest functions): S3 notifications from an ingest queue, in batches, failures reported per message."""
import os

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers.settings import BackfillBatchSettings, IngestSettings
from service.ingest.handover import LargerIngest
from service.ingest.processor import Ingest, typed_by_fields
from service.storage.stores import Stores

from . import LambdaHandler, built_on_lookup
from .clients import AwsClients


def ingest_path(settings: IngestSettings | BackfillBatchSettings, clients: AwsClients, stores: Stores,
                logger: Logger) -> Ingest:
    """The ingest over the settings' stores: the ingest functions' and the backfill batches' one path."""
    larger = settings.larger_ingest_queue_url
    return Ingest(
        s3=clients.s3,
        bucket=settings.bucket,
        store=stores.records,
        seeds=stores.seeds,
        pages=stores.pages,
        thumbnails=stores.thumbnails,
        limits=settings.limits,
        logger=logger,
        larger=LargerIngest(clients.sqs, larger) if larger else None,
        typing=typed_by_fields(stores.field_cache),
        make_thumbnails=settings.thumbnails,
    )


def build(settings: IngestSettings, clients: AwsClients) -> LambdaHandler:
    """The ingest of the settings' bucket into its table (IngestFunction and IngestLargeFunction alike)."""
    logger = Logger()
    stores = Stores(clients, settings.bucket, settings.table, similar_bands=settings.similar_bands)
    ingest = ingest_path(settings, clients, stores, logger)
    processor = BatchProcessor(event_type=EventType.SQS)

    @logger.inject_lambda_context
    def handler(event: dict, context: LambdaContext) -> dict:
        ingest.begin_messages(event)
        response = dict(process_partial_response(
            event=event, record_handler=ingest.handle_message, processor=processor, context=context
        ))
        ingest.finish()
        return response

    return handler


__getattr__ = built_on_lookup(lambda: build(IngestSettings.from_env(os.environ), AwsClients()))
