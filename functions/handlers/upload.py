"""Lambda: POST /api/v1/files/upload and POST /v1/files/upload-url (writes uploads to the bucket)."""
import os

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers.settings import UploadSettings
from service.api.resolver import build_resolver
from service.api.upload_routes import UploadContext, register_upload_routes
from service.storage.objects import presigned_get
from service.storage.prepared import PreparedExtractions

from . import LambdaHandler, built_on_lookup
from .clients import AwsClients


def build(settings: UploadSettings, clients: AwsClients) -> LambdaHandler:
    """The upload routes into the settings' bucket."""
    logger = Logger()
    app = build_resolver(logger)

    def url(key: str, version: str | None) -> str | None:
        if not settings.file_url_seconds:
            return None
        return presigned_get(clients.s3, settings.bucket, key, version, settings.file_url_seconds)

    register_upload_routes(
        app,
        UploadContext(
            bucket=settings.bucket,
            s3=clients.s3,
            prepared=PreparedExtractions(clients.dynamodb, settings.table),
            limits=settings.limits,
            fetch_settings=settings.fetch,
            url=url,
        ),
    )

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
    def handler(event: dict, context: LambdaContext) -> dict:
        return app.resolve(event, context)

    return handler


__getattr__ = built_on_lookup(lambda: build(UploadSettings.from_env(os.environ), AwsClients()))
