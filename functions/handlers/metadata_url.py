"""Lambda: GET /v1/metadata?url= (no bucket, no table, no boto3: its build takes no clients)."""
import os

from aws_lambda_powertools import Logger

from handlers.settings import MetadataUrlSettings
from service.api import metadata_routes
from service.api.deps import ApiDeps

from . import LambdaHandler, built_on_lookup
from .api import api_handler


def build(settings: MetadataUrlSettings) -> LambdaHandler:
    """The URL route with the settings' fetch policy and limits."""
    logger = Logger()
    return api_handler(logger, metadata_routes.router(ApiDeps(logger, limits=settings.limits, fetch=settings.fetch)))


__getattr__ = built_on_lookup(lambda: build(MetadataUrlSettings.from_env(os.environ)))
