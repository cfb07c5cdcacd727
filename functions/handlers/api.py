"""What every API function's handler is: its routers in the resolver, the request id in every log line."""
from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from service.api.resolver import build_resolver

from . import LambdaHandler


def api_handler(logger: Logger, *routers: Router) -> LambdaHandler:
    """The Lambda handler serving these routers (each module's `router(deps)`) through API Gateway."""
    app = build_resolver(logger, *routers)

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
    def handler(event: dict, context: LambdaContext) -> dict:
        return app.resolve(event, context)

    return handler
