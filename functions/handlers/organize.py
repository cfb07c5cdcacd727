"""Lambda: the library's write routes beside uploads and deletes - folders, copy, move, rename, restoring a version,
submitting folder jobs, and cache purges."""
import os

from aws_lambda_powertools import Logger

from handlers.settings import OrganizeSettings
from service.api import folder_routes, organize_routes, purge_routes
from service.api.deps import ApiDeps
from service.storage.stores import Stores

from . import LambdaHandler, built_on_lookup
from .api import api_handler
from .clients import AwsClients


def build(settings: OrganizeSettings, clients: AwsClients) -> LambdaHandler:
    """The organizing routes over the settings' bucket, table, jobs queue and CDN."""
    logger = Logger()
    stores = Stores(clients, settings.bucket, settings.table, file_url_seconds=settings.file_url_seconds,
                    jobs_queue_url=settings.jobs_queue_url, distribution_id=settings.distribution_id)
    deps = ApiDeps(logger, stores)
    return api_handler(logger, organize_routes.router(deps), folder_routes.router(deps), purge_routes.router(deps))


__getattr__ = built_on_lookup(lambda: build(OrganizeSettings.from_env(os.environ), AwsClients()))
