"""The remote-URL route: fetch safely, then extract."""
from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from imagemeta import extract
from imagemeta.fetch import fetch

from .deps import ApiDeps
from .params import required_query
from .resolver import ok


def router(deps: ApiDeps) -> Router:
    """GET /v1/metadata?url=."""
    routes = Router()

    @routes.get("/v1/metadata")
    def metadata_from_url() -> Response:
        body = fetch(required_query(routes, "url"), deps.fetch)
        return ok(routes, extract(body, deps.limits))

    return routes
