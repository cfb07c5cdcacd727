"""Lambda: the API's REQUEST authorizer (HTTP Basic or x-api-key, checked against the hashed keys)."""
import os

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes import event_source
from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import APIGatewayAuthorizerRequestEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers.settings import AuthorizerSettings
from service.auth.authorizer import authorize
from service.auth.keys import KeyStore

from . import LambdaHandler, built_on_lookup
from .clients import AwsClients


def build(settings: AuthorizerSettings, clients: AwsClients) -> LambdaHandler:
    """The authorizer over the keys table."""
    logger = Logger()
    store = KeyStore(clients.dynamodb, settings.keys_table)

    # Never log the event, whatever POWERTOOLS_LOGGER_LOG_EVENT says: its headers carry the credentials.
    @logger.inject_lambda_context(log_event=False)
    @event_source(data_class=APIGatewayAuthorizerRequestEvent)
    def handler(event: APIGatewayAuthorizerRequestEvent, context: LambdaContext) -> dict:
        return authorize(event, store, logger, settings.client_upload_usage_key)

    return handler


__getattr__ = built_on_lookup(lambda: build(AuthorizerSettings.from_env(os.environ), AwsClients()))
