"""Lambda: the media-library page, GET / and GET /web/{name}, for anyone (no key, no AWS client, no boto3)."""
import os
from pathlib import Path

from aws_lambda_powertools import Logger

from handlers.settings import PageSettings
from service.api import page_routes

from . import LambdaHandler, built_on_lookup
from .api import api_handler

# The page's files: functions/web/, shipped beside the packages in this function's artifact only.
PAGE_FOLDER = Path(__file__).resolve().parent.parent / "web"


def build(settings: PageSettings) -> LambdaHandler:
    """The page's routes, its images allowed from the settings' origins."""
    policy = page_routes.content_security_policy(settings.file_url_origins)
    return api_handler(Logger(), page_routes.router(page_routes.load_assets(PAGE_FOLDER), policy))


__getattr__ = built_on_lookup(lambda: build(PageSettings.from_env(os.environ)))
