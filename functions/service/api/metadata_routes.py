"""The remote-URL route: fetch safely, then extract."""
from __future__ import annotations

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response

from imagemeta import Limits, extract
from imagemeta.fetch import FetchSettings, fetch

from .params import required_query
from .resolver import ok


def register_metadata_route(app: APIGatewayRestResolver, fetch_settings: FetchSettings, limits: Limits) -> None:
    """GET /v1/metadata?url=."""

    @app.get("/v1/metadata")
    def metadata_from_url() -> Response:
        body = fetch(required_query(app, "url"), fetch_settings)
        return ok(app, extract(body, limits))
