"""Lambda: POST /api/v1/files/upload and POST /v1/files/upload-url (writes uploads to the bucket)."""
import os

from aws_lambda_powertools import Logger

from handlers.settings import UploadSettings
from service.api import upload_routes
from service.api.deps import ApiDeps
from service.auth.keys import KeyStore
from service.storage.stores import Stores

from . import LambdaHandler, built_on_lookup
from .api import api_handler
from .clients import AwsClients
from .urls import file_urls


def build(settings: UploadSettings, clients: AwsClients) -> LambdaHandler:
    """The upload routes into the settings' bucket; client-side uploads signed by the keys of the keys table."""
    logger = Logger()
    stores = Stores(clients, settings.bucket, settings.table)
    deps = ApiDeps(logger, stores, limits=settings.limits, fetch=settings.fetch,
                   urls=file_urls(clients, settings.bucket, settings.file_url_seconds, settings.delivery),
                   signing_keys=KeyStore(clients.dynamodb, settings.keys_table), make_thumbnails=settings.thumbnails)
    return api_handler(logger, upload_routes.router(deps))


__getattr__ = built_on_lookup(lambda: build(UploadSettings.from_env(os.environ), AwsClients()))
