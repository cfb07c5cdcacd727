"""Routes that find near-duplicates by pHash: of a stored file, or of a hash the caller gives."""
from __future__ import annotations

from dataclasses import asdict

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response

from imagemeta.phash_text import parse_phash
from imagemeta.similar import DEFAULT_MAX_DISTANCE, MAX_DISTANCE

from ..storage.records import RecordStore
from ..storage.similar_index import SimilarIndex
from .params import cursor_query, encode_cursor, int_query, parse_file_id, required_query
from .resolver import ok

DEFAULT_LIMIT = 50
MAX_LIMIT = 100


def register_similar_routes(app: APIGatewayRestResolver, store: RecordStore, index: SimilarIndex,
                            logger: Logger) -> None:
    """GET /v1/files/{fileId}/similar and GET /v1/similar?pHash=."""

    def answer(phash: str, exclude: str | None) -> Response:
        max_distance = int_query(app, "maxDistance", DEFAULT_MAX_DISTANCE, 0, MAX_DISTANCE)
        limit = int_query(app, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        page = index.search(phash, max_distance, limit, cursor_query(app), exclude)
        logger.info("similar search", extra={"maxDistance": max_distance, **asdict(page.stats)})
        return ok(app, {"items": page.items, "next": encode_cursor(page.items[-1]) if page.more else None})

    @app.get("/v1/files/<fileId>/similar")
    def similar_to_file(fileId: str) -> Response:  # noqa: N803 - the contract's parameter name
        fid = parse_file_id(fileId)
        return answer(store.get(fid)["metadata"]["pHash"], exclude=fid)

    @app.get("/v1/similar")
    def similar_to_hash() -> Response:
        return answer(parse_phash(required_query(app, "pHash")), exclude=None)
