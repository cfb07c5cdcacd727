"""Lambda: S3 notifications from the ingest queue, in batches with partial-batch failure reporting."""
import os

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

from imagemeta.settings import limits_from_env
from service.config import storage_from_env
from service.ingest import Ingest
from service.overflow import OverflowStore
from service.records import RecordStore

logger = Logger()
storage = storage_from_env()
s3 = boto3.client("s3")
ingest = Ingest(
    s3=s3,
    store=RecordStore(boto3.client("dynamodb"), storage.table, OverflowStore(s3, storage.bucket)),
    limits=limits_from_env(os.environ),
    logger=logger,
)
processor = BatchProcessor(event_type=EventType.SQS)


@logger.inject_lambda_context
def handler(event: dict, context: object) -> dict:
    return process_partial_response(
        event=event, record_handler=ingest.handle_message, processor=processor, context=context
    )
