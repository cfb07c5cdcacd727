"""Lambda: GET /v1/metadata?url= (no bucket, no table, no boto3)."""
import os

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging import correlation_paths

from imagemeta.settings import fetch_settings_from_env, limits_from_env
from service.http import build_resolver
from service.metadata_api import register_metadata_route

logger = Logger()
app = build_resolver(logger)
register_metadata_route(app, fetch_settings_from_env(os.environ), limits_from_env(os.environ))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
