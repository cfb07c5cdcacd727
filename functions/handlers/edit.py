"""Lambda: edits of what callers keep with files (PATCH /v1/files/{fileId}/details, the bulk tag routes) and the
custom metadata fields (/v1/customMetadataFields): the records table's only writer besides the ingest."""
import os

from aws_lambda_powertools import Logger

from handlers.settings import EditSettings
from service.api import edit_routes, fields_routes
from service.api.deps import ApiDeps
from service.storage.stores import Stores

from . import LambdaHandler, built_on_lookup
from .api import api_handler
from .clients import AwsClients
from .urls import file_urls


def build(settings: EditSettings, clients: AwsClients) -> LambdaHandler:
    """The edit and custom metadata field routes over the settings' table."""
    logger = Logger()
    stores = Stores(clients, settings.bucket, settings.table)
    deps = ApiDeps(logger, stores, urls=file_urls(clients, settings.bucket, settings.file_url_seconds,
                                                  settings.delivery))
    return api_handler(logger, edit_routes.router(deps), fields_routes.router(deps))


__getattr__ = built_on_lookup(lambda: build(EditSettings.from_env(os.environ), AwsClients()))
