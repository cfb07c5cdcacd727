"""Lambda: the folder jobs worker, one step of one job per message of the jobs queue (a FIFO queue)."""
import os

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers.settings import FolderJobsSettings
from service.jobs.worker import FolderJobs
from service.storage.stores import Stores

from . import LambdaHandler, built_on_lookup
from .clients import AwsClients


def build(settings: FolderJobsSettings, clients: AwsClients) -> LambdaHandler:
    """The worker of the settings' jobs queue over its bucket and table."""
    logger = Logger()
    stores = Stores(clients, settings.bucket, settings.table, jobs_queue_url=settings.jobs_queue_url,
                    distribution_ids=settings.distribution_ids)
    jobs = FolderJobs(stores, logger)
    processor = BatchProcessor(event_type=EventType.SQS)

    @logger.inject_lambda_context
    def handler(event: dict, context: LambdaContext) -> dict:
        return dict(process_partial_response(event=event, record_handler=jobs.handle_message, processor=processor,
                                             context=context))

    return handler


__getattr__ = built_on_lookup(lambda: build(FolderJobsSettings.from_env(os.environ), AwsClients()))
