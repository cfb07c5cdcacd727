"""Lambda: the read-only file routes (list and search, details, metadata, by path) and the similar searches."""
import os

from aws_lambda_powertools import Logger

from handlers.settings import FilesSettings
from service.api import files_routes, similar_routes
from service.api.deps import ApiDeps
from service.storage.file_urls import FileUrls, secure_parameter
from service.storage.stores import Stores

from . import LambdaHandler, built_on_lookup
from .api import api_handler
from .clients import AwsClients


def build(settings: FilesSettings, clients: AwsClients) -> LambdaHandler:
    """The file lookups and the similar searches over the settings' table."""
    logger = Logger()
    stores = Stores(clients, settings.bucket, settings.table,
                    search_max_records=settings.search_max_records, similar_bands=settings.similar_bands)
    urls = FileUrls(clients.s3, settings.bucket, settings.file_url_seconds, settings.delivery,
                    lambda name: secure_parameter(clients.ssm, name))
    deps = ApiDeps(logger, stores, urls=urls)
    return api_handler(logger, files_routes.router(deps), similar_routes.router(deps))


__getattr__ = built_on_lookup(lambda: build(FilesSettings.from_env(os.environ), AwsClients()))
