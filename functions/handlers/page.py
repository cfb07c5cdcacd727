"""Lambda: the media-library page, GET / and GET /web/{name}, for anyone (no key, no AWS client, no boto3)."""
import os
from pathlib import Path

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers.settings import PageSettings
from service.api.page_routes import content_security_policy, load_assets, register_page_routes
from service.api.resolver import build_resolver

from . import LambdaHandler, built_on_lookup

# The page's files: functions/web/, shipped beside the packages in this function's artifact only.
PAGE_FOLDER = Path(__file__).resolve().parent.parent / "web"


def build(settings: PageSettings) -> LambdaHandler:
    """The page's routes, its images allowed from the settings' origins."""
    logger = Logger()
    app = build_resolver(logger)
    register_page_routes(app, load_assets(PAGE_FOLDER), content_security_policy(settings.file_url_origins))

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
    def handler(event: dict, context: LambdaContext) -> dict:
        return app.resolve(event, context)

    return handler


__getattr__ = built_on_lookup(lambda: build(PageSettings.from_env(os.environ)))
