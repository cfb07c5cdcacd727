"""Lambda: DELETE /v1/files/{fileId} and POST /v1/files/batch/deleteByFileIds (deletes uploads)."""
import os

from aws_lambda_powertools import Logger

from handlers.settings import DeleteSettings
from service.api import delete_routes
from service.api.deps import ApiDeps
from service.storage.stores import Stores

from . import LambdaHandler, built_on_lookup
from .api import api_handler
from .clients import AwsClients


def build(settings: DeleteSettings, clients: AwsClients) -> LambdaHandler:
    """The delete routes over the settings' table and bucket."""
    logger = Logger()
    stores = Stores(clients, settings.bucket, settings.table)
    deps = ApiDeps(logger, stores)
    return api_handler(logger, delete_routes.router(deps))


__getattr__ = built_on_lookup(lambda: build(DeleteSettings.from_env(os.environ), AwsClients()))
