"""Lambda: GET /v1/metadata?url= (no bucket, no table, no boto3: its build takes no clients)."""
import os

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers.settings import MetadataUrlSettings
from service.api.metadata_routes import register_metadata_route
from service.api.resolver import build_resolver

from . import LambdaHandler, built_on_lookup


def build(settings: MetadataUrlSettings) -> LambdaHandler:
    """The URL route with the settings' fetch policy and limits."""
    logger = Logger()
    app = build_resolver(logger)
    register_metadata_route(app, settings.fetch, settings.limits)

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
    def handler(event: dict, context: LambdaContext) -> dict:
        return app.resolve(event, context)

    return handler


__getattr__ = built_on_lookup(lambda: build(MetadataUrlSettings.from_env(os.environ)))
