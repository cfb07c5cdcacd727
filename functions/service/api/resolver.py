"""The API's resolver: JSON responses with the request id, and the error family mapped once.

Routes live in Routers, one per module (`router(deps)`); each handler makes the resolver here and includes
its function's routers. The answer helpers take the route's Router, whose current event is the request's.
"""
from __future__ import annotations

import gzip
import json
import zlib
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


def request_id(app: APIGatewayRestResolver | Router) -> str:
    """API Gateway's id of the current request ("" for an event without a request context)."""
    return app.current_event.raw_event.get("requestContext", {}).get("requestId") or ""


def respond(app: APIGatewayRestResolver | Router, status: int, body: str) -> Response:
    """A JSON answer carrying the request id."""
    return Response(status_code=status, content_type=JSON, body=body, headers={"x-request-id": request_id(app)})


def ok(app: Router, body: Any) -> Response:
    """A 200 JSON answer (key order kept, as the contract lists it).

    A large answer goes gzip-compressed to clients that accept it (JSON of metadata shrinks about tenfold),
    and an answer Lambda could not return (6 MB) is refused, naming the parameter that makes it smaller.
    """
    return JsonArray(app, [body]).answer(whole=True)


class JsonArray:
    """An answer built item by item, refused (BadParameter naming `limit`) as soon as it outgrows what a
    response carries: a listing reads and serializes no more files than its answer can hold.

    For a client that accepts gzip the bound is on the compressed bytes (deflated as they come), else on the text.
    """

    def __init__(self, app: Router, items: list[Any] | None = None) -> None:
        self._app = app
        self._gzip = "gzip" in (app.current_event.headers.get("accept-encoding") or "").lower()
        self._parts: list[str] = []
        self._text_bytes = 2  # the brackets
        self._deflater = zlib.compressobj(6, zlib.DEFLATED, 31)  # gzip framing
        self._deflated = 0
        for item in items or []:
            self.add(item)

    def add(self, item: Any) -> None:
        text = json.dumps(item, ensure_ascii=False)
        self._parts.append(text)
        encoded = text.encode()
        self._text_bytes += len(encoded) + 1
        if self._gzip:
            self._deflated += len(self._deflater.compress(encoded))
        if self._carried(self._deflated) > MAX_RESPONSE_BYTES:
            self._refuse()

    def answer(self, whole: bool = False) -> Response:
        """The answer: the items as a JSON array, or the one item itself when `whole`."""
        text = self._parts[0] if whole else "[" + ",".join(self._parts) + "]"
        headers = {"x-request-id": request_id(self._app)}
        if len(text) > COMPRESS_ABOVE_BYTES and self._gzip:
            payload = gzip.compress(text.encode(), compresslevel=6)
            if self._carried(len(payload)) > MAX_RESPONSE_BYTES:
                self._refuse()
            headers["Content-Encoding"] = "gzip"
            return GzippedJson(status_code=200, content_type=JSON, body=payload, headers=headers)
        if len(text.encode()) > MAX_RESPONSE_BYTES:
            self._refuse()
        return Response(status_code=200, content_type=JSON, body=text, headers=headers)

    def _carried(self, deflated: int) -> int:
        """What Lambda would carry so far: the text, or the compressed bytes in base64."""
        return (deflated + 2) // 3 * 4 if self._gzip else self._text_bytes

    def _refuse(self) -> None:
        raise BadParameter(
            "The answer would exceed the 6 MB a response can carry: ask for fewer results with `limit`"
            + ("." if self._gzip else ", or accept gzip (Accept-Encoding: gzip).")
        )


class GzippedJson(Response):
    """JSON already gzip-compressed: sent as its bytes (Powertools would serialize a bytes body as JSON again)."""

    def is_json(self) -> bool:
        return False

