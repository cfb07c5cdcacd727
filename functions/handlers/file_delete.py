"""Lambda: DELETE /v1/files/{fileId} and POST /v1/files/batch/deleteByFileIds (deletes uploads)."""
import os

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers.settings import DeleteSettings
from service.api.delete_routes import register_delete_routes
from service.api.resolver import build_resolver
from service.storage.overflow import OverflowStore
from service.storage.records import RecordStore

from . import LambdaHandler, built_on_lookup
from .clients import AwsClients


def build(settings: DeleteSettings, clients: AwsClients) -> LambdaHandler:
    """The delete routes over the settings' table and bucket."""
    logger = Logger()
    app = build_resolver(logger)
    store = RecordStore(clients.dynamodb, settings.table, OverflowStore(clients.s3, settings.bucket))
    register_delete_routes(app, store, clients.dynamodb, settings.table, clients.s3, settings.bucket)

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
    def handler(event: dict, context: LambdaContext) -> dict:
        return app.resolve(event, context)

    return handler


__getattr__ = built_on_lookup(lambda: build(DeleteSettings.from_env(os.environ), AwsClients()))
