"""The API's resolver: JSON responses with the request id, and the error family mapped once.

Routes live in Routers, one per module (`router(deps)`); each handler makes the resolver here and includes
its function's routers. The answer helpers take the route's Router, whose current event is the request's.
"""
from __future__ import annotations

import gzip
import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from imagemeta.errors import BadParameter, ImageMetaError

from .error_map import error_body, internal_error_body, status_of

JSON = "application/json"
# Answers above this many characters are compressed for clients that accept gzip.
COMPRESS_ABOVE_BYTES = 256 * 1024
# Lambda returns at most 6 MB (6,291,456 bytes) including the response's envelope and headers.
MAX_RESPONSE_BYTES = 6_000_000


def build_resolver(logger: Logger, *routers: Router) -> APIGatewayRestResolver:
    """A REST resolver with these routes, whose every answer, errors included, is JSON with an `x-request-id`."""
    app = APIGatewayRestResolver()
    for router in routers:
        app.include_router(router)

    @app.exception_handler(ImageMetaError)
    def handle_contract_error(error: ImageMetaError) -> Response:
        logger.info("request refused", extra={"error": type(error).__name__, "detail": str(error)})
        refusal = respond(app, status_of(error), error_body(error))
        if refusal.status_code < 500:
            # The SDKs retry 409 (and 408, 429, 5xx) twice unless told not to; the same request gets the same
            # answer, so a retry only delays the caller (sdk-calls.md, §1.8).
            refusal.headers["x-should-retry"] = "false"
        return refusal

    @app.exception_handler(Exception)
    def handle_fault(error: Exception) -> Response:
        logger.exception("unexpected fault")
        return respond(app, 500, internal_error_body(request_id(app)))

    @app.not_found
    def handle_unknown_route(_: Exception) -> Response:
        error = ImageMetaError("No such route.", help="See the API documentation for the routes.")
        return respond(app, 404, error_body(error))

    return app


def request_id(app: APIGatewayRestResolver | Router) -> str:
    """API Gateway's id of the current request ("" for an event without a request context)."""
    return app.current_event.raw_event.get("requestContext", {}).get("requestId") or ""


def respond(app: APIGatewayRestResolver | Router, status: int, body: str) -> Response:
    """A JSON answer carrying the request id."""
    return Response(status_code=status, content_type=JSON, body=body, headers={"x-request-id": request_id(app)})


def ok(app: Router, body: Any, status: int = 200) -> Response:
    """A JSON answer, 200 unless said (key order kept, as the contract lists it).

    A large answer goes gzip-compressed to clients that accept it (JSON of metadata shrinks about tenfold),
    and an answer Lambda could not return (6 MB) is refused, naming the parameter that makes it smaller.
    """
    text = json.dumps(body, ensure_ascii=False)
    payload: str | bytes = text
    headers = {"x-request-id": request_id(app)}
    if len(text) > COMPRESS_ABOVE_BYTES and "gzip" in (app.current_event.headers.get("accept-encoding") or "").lower():
        payload = gzip.compress(text.encode(), compresslevel=6)
        headers["Content-Encoding"] = "gzip"
    # What Lambda carries: the text, or the compressed bytes in base64.
    carried = len(text.encode()) if isinstance(payload, str) else (len(payload) + 2) // 3 * 4
    if carried > MAX_RESPONSE_BYTES:
        raise BadParameter(
            "The answer would exceed the 6 MB a response can carry: ask for fewer results with `limit`"
            + ("." if isinstance(payload, bytes) else ", or accept gzip (Accept-Encoding: gzip).")
        )
    kind = Response if isinstance(payload, str) else GzippedJson
    return kind(status_code=status, content_type=JSON, body=payload, headers=headers)


class GzippedJson(Response):
    """JSON already gzip-compressed: sent as its bytes (Powertools would serialize a bytes body as JSON again)."""

    def is_json(self) -> bool:
        return False

