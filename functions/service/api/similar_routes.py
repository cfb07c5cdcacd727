"""Routes that find near-duplicates by pHash: of a stored file, or of a hash the caller gives."""
from __future__ import annotations

from dataclasses import asdict

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from imagemeta.phash_text import parse_phash
from imagemeta.similar import DEFAULT_MAX_DISTANCE, MAX_DISTANCE

from .deps import ApiDeps
from .file_objects import record_view
from .params import cursor_query, encode_cursor, int_query, parse_file_id, required_query
from .resolver import ok

DEFAULT_LIMIT = 50
MAX_LIMIT = 100


def router(deps: ApiDeps) -> Router:
    """GET /v1/files/{fileId}/similar and GET /v1/similar?pHash=."""
    routes = Router()
    stores = deps.storage

    def answer(phash: str, exclude: str | None) -> Response:
        max_distance = int_query(routes, "maxDistance", DEFAULT_MAX_DISTANCE, 0, MAX_DISTANCE)
        limit = int_query(routes, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        page = stores.similar.search(phash, max_distance, limit, cursor_query(routes), exclude)
        deps.logger.info("similar search", extra={"maxDistance": max_distance, **asdict(page.stats)})
        return ok(routes, {"items": page.items, "next": encode_cursor(page.items[-1]) if page.more else None})

    @routes.get("/v1/files/<fileId>/similar")
    def similar_to_file(fileId: str) -> Response:  # noqa: N803 - the contract's parameter name
        fid = parse_file_id(fileId)
        return answer(record_view(stores.records.file(fid))["metadata"]["pHash"], exclude=fid)

    @routes.get("/v1/similar")
    def similar_to_hash() -> Response:
        return answer(parse_phash(required_query(routes, "pHash")), exclude=None)

    return routes
