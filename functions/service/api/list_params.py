"""The parameters of GET /v1/files (the hosted API's list and search), checked into a ListRequest."""
from __future__ import annotations

from datetime import UTC, datetime

from aws_lambda_powertools.event_handler.api_gateway import Router

from imagemeta.errors import BadParameter
from library.paths import folder_prefix
from library.query import mentions, parse

from ..storage.listings import SORT_VALUES, ListRequest
from .params import choice_query, int_query

# The hosted API's defaults and bounds.
DEFAULT_LIMIT = 1000
MAX_LIMIT = 1000
MAX_SKIP = 10**9
DEFAULT_SORT = "ASC_CREATED"
# The SDKs' whole enum: RELEVANCE and DURATION are creation order here (docs/files-api.md).
SORTS = tuple(f"{order}_{field}" for field in SORT_VALUES for order in ("ASC", "DESC"))
TYPES = ("file", "file-version", "folder", "all")
FILE_TYPES = ("all", "image", "non-image")
# The hosted API's older filters: searchQuery does what they did, so they are refused rather than ignored.
LEGACY_FILTERS = ("tags", "name", "includeFolder")


def list_request(app: Router) -> ListRequest:
    """The request's parameters, each checked; BadParameter names the first that is not acceptable."""
    for legacy in LEGACY_FILTERS:
        if app.current_event.get_query_string_value(legacy) is not None:
            raise BadParameter(f"Parameter `{legacy}` is not supported; filter with `searchQuery` instead.")
    path = app.current_event.get_query_string_value("path")
    query_text = app.current_event.get_query_string_value("searchQuery")
    query = parse(query_text, datetime.now(UTC)) if query_text else None
    kind = choice_query(app, "type", TYPES, "file")
    sort = choice_query(app, "sort", SORTS, DEFAULT_SORT)
    file_type = choice_query(app, "fileType", FILE_TYPES, "all")
    order, _, field = sort.partition("_")
    return ListRequest(
        folder=folder_prefix(path) if path else None,
        sort=field,
        descending=order == "DESC",
        skip=int_query(app, "skip", 0, 0, MAX_SKIP),
        limit=int_query(app, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        # With a searchQuery the `type` parameter has no effect (as in the hosted API): folders are
        # candidates when the query asks about `type`, and the query decides.
        files=kind in ("file", "file-version", "all") if query is None else True,
        folders=kind in ("folder", "all") if query is None else mentions(query, "type"),
        file_type=None if file_type == "all" else file_type,
        query=query,
        versions=kind == "file-version" and query is None,
    )
