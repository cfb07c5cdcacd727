"""Lambda: the read-only file routes (list and search, details, metadata, by path, versions, folder jobs' status)
and the similar searches."""
import os

from aws_lambda_powertools import Logger

from handlers.settings import FilesSettings
from service.api import files_routes, job_routes, similar_routes, versions_routes
from service.api.deps import ApiDeps
from service.storage.stores import Stores

from . import LambdaHandler, built_on_lookup
from .api import api_handler
from .clients import AwsClients
from .urls import file_urls


def build(settings: FilesSettings, clients: AwsClients) -> LambdaHandler:
    """The file lookups and the similar searches over the settings' table."""
    logger = Logger()
    stores = Stores(clients, settings.bucket, settings.table,
                    search_max_records=settings.search_max_records, similar_bands=settings.similar_bands)
    deps = ApiDeps(logger, stores, urls=file_urls(clients, settings.bucket, settings.file_url_seconds,
                                                  settings.delivery))
    return api_handler(logger, files_routes.router(deps), similar_routes.router(deps), versions_routes.router(deps),
                       job_routes.router(deps))


__getattr__ = built_on_lookup(lambda: build(FilesSettings.from_env(os.environ), AwsClients()))
