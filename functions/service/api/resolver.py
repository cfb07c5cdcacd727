"""The API's resolver: JSON responses with the request id, and the error family mapped once."""
from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from imagemeta.errors import ImageMetaError

from .error_map import error_body, internal_error_body, status_of

JSON = "application/json"


def build_resolver(logger: Logger) -> APIGatewayRestResolver:
    """A REST resolver whose every answer, errors included, is JSON with an `x-request-id` header."""
    app = APIGatewayRestResolver()

    @app.exception_handler(ImageMetaError)
    def handle_contract_error(error: ImageMetaError) -> Response:
        logger.info("request refused", extra={"error": type(error).__name__, "detail": str(error)})
        return respond(app, status_of(error), error_body(error))

    @app.exception_handler(Exception)
    def handle_fault(error: Exception) -> Response:
        logger.exception("unexpected fault")
        return respond(app, 500, internal_error_body(request_id(app)))

    @app.not_found
    def handle_unknown_route(_: Exception) -> Response:
        error = ImageMetaError("No such route.", help="See the API documentation for the routes.")
        return respond(app, 404, error_body(error))

    return app


def request_id(app: APIGatewayRestResolver) -> str:
    """API Gateway's id of the current request ("" for an event without a request context)."""
    return app.current_event.raw_event.get("requestContext", {}).get("requestId") or ""


def respond(app: APIGatewayRestResolver, status: int, body: str) -> Response:
    """A JSON answer carrying the request id."""
    return Response(status_code=status, content_type=JSON, body=body, headers={"x-request-id": request_id(app)})


def ok(app: APIGatewayRestResolver, body: dict[str, Any]) -> Response:
    """A 200 JSON answer (key order kept, as the contract lists it)."""
    return respond(app, 200, json.dumps(body, ensure_ascii=False))

