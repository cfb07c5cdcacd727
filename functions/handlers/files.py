"""Lambda: the read-only file routes (list and search, details, metadata, by path) and the similar searches."""
import os

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers.settings import FilesSettings
from service.api.files_routes import register_file_routes
from service.api.resolver import build_resolver
from service.api.similar_routes import register_similar_routes
from service.storage.listings import Listings
from service.storage.objects import presigned_get
from service.storage.overflow import OverflowStore
from service.storage.records import RecordStore
from service.storage.similar_index import SimilarIndex

from . import LambdaHandler, built_on_lookup
from .clients import AwsClients


def build(settings: FilesSettings, clients: AwsClients) -> LambdaHandler:
    """The file lookups and the similar searches over the settings' table."""
    logger = Logger()
    app = build_resolver(logger)
    store = RecordStore(clients.dynamodb, settings.table, OverflowStore(clients.s3, settings.bucket))
    library = Listings(clients.dynamodb, settings.table, settings.bucket, settings.search_max_records)

    def url(item: dict) -> str | None:
        if not settings.file_url_seconds:
            return None
        version = item.get("versionId", {}).get("S")
        return presigned_get(clients.s3, settings.bucket, item["path"]["S"], version, settings.file_url_seconds)

    register_file_routes(app, store, library, settings.bucket, url, logger)
    register_similar_routes(app, store, SimilarIndex(clients.dynamodb, settings.table), logger)

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
    def handler(event: dict, context: LambdaContext) -> dict:
        return app.resolve(event, context)

    return handler


__getattr__ = built_on_lookup(lambda: build(FilesSettings.from_env(os.environ), AwsClients()))
