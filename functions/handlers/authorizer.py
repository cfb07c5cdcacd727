"""Lambda: the API's REQUEST authorizer (HTTP Basic or x-api-key, checked against the hashed keys)."""
import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes import event_source
from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import APIGatewayAuthorizerRequestEvent

from service.authorizer import authorize
from service.config import keys_table_from_env
from service.keys import KeyStore

logger = Logger()
store = KeyStore(boto3.client("dynamodb"), keys_table_from_env())


# Never log the event, whatever POWERTOOLS_LOGGER_LOG_EVENT says: its headers carry the credentials.
@logger.inject_lambda_context(log_event=False)
@event_source(data_class=APIGatewayAuthorizerRequestEvent)
def handler(event: APIGatewayAuthorizerRequestEvent, context: object) -> dict:
    return authorize(event, store, logger)
