"""Routes that find near-duplicates by pHash: of a stored file, or of a hash the caller gives."""
from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response

from imagemeta.errors import BadParameter
from imagemeta.phash_text import parse_phash
from imagemeta.similar import DEFAULT_MAX_DISTANCE, MAX_DISTANCE

from .files_api import parse_file_id
from .http import ok, required_query
from .records import RecordStore
from .similar_index import SimilarIndex

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
# A cursor is "<distance>-<fileId>" of the last item of the previous page: a position in the answer's
# order, so any well-formed cursor is a valid place to resume (the OpenAPI pattern says exactly this).
_CURSOR = re.compile(r"(\d|1[0-2])-([0-9a-f]{24})")
_BAD_CURSOR = "Parameter `cursor` must be the `next` value of a previous page."


def register_similar_routes(app: APIGatewayRestResolver, store: RecordStore, index: SimilarIndex, logger: Logger) -> None:
    """GET /v1/files/{fileId}/similar and GET /v1/similar?pHash=."""

    def answer(phash: str, exclude: str | None) -> Response:
        max_distance = int_query(app, "maxDistance", DEFAULT_MAX_DISTANCE, 0, MAX_DISTANCE)
        limit = int_query(app, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        cursor = app.current_event.get_query_string_value("cursor")
        page = index.search(phash, max_distance, limit, decode_cursor(cursor) if cursor else None, exclude)
        logger.info("similar search", extra={"maxDistance": max_distance, **asdict(page.stats)})
        return ok(app, {"items": page.items, "next": encode_cursor(page.items[-1]) if page.more else None})

    @app.get("/v1/files/<fileId>/similar")
    def similar_to_file(fileId: str) -> Response:  # noqa: N803 - the contract's parameter name
        fid = parse_file_id(fileId)
        return answer(store.get(fid)["metadata"]["pHash"], exclude=fid)

    @app.get("/v1/similar")
    def similar_to_hash() -> Response:
        return answer(parse_phash(required_query(app, "pHash")), exclude=None)


def int_query(app: APIGatewayRestResolver, name: str, default: int, low: int, high: int) -> int:
    """An optional integer query parameter in low..high; BadParameter naming it when it is anything else."""
    value = app.current_event.get_query_string_value(name)
    if value is None:
        return default
    if not (value.isascii() and value.isdigit() and len(value) <= 3 and low <= int(value) <= high):
        raise BadParameter(f"Parameter `{name}` must be an integer from {low} to {high}.")
    return int(value)


def encode_cursor(item: dict[str, Any]) -> str:
    """The cursor that resumes after this item."""
    return f"{item['distance']}-{item['fileId']}"


def decode_cursor(cursor: str) -> tuple[int, str]:
    """(distance, fileId) of the item a cursor resumes after; BadParameter for anything else."""
    found = _CURSOR.fullmatch(cursor)
    if not found:
        raise BadParameter(_BAD_CURSOR)
    return int(found[1]), found[2]
