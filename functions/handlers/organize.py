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
from .urls import file_urls


def build(settings: OrganizeSettings, clients: AwsClients) -> LambdaHandler:
    """The organizing routes over the settings' bucket, table, jobs queue and CDN."""
    logger = Logger()
    stores = Stores(clients, settings.bucket, settings.table, jobs_queue_url=settings.jobs_queue_url,
                    distribution_ids=settings.distribution_ids)
    deps = ApiDeps(logger, stores, urls=file_urls(clients, settings.bucket, settings.file_url_seconds,
                                                  settings.delivery))
    return api_handler(logger, organize_routes.router(deps), folder_routes.router(deps), purge_routes.router(deps))


__getattr__ = built_on_lookup(lambda: build(OrganizeSettings.from_env(os.environ), AwsClients()))
