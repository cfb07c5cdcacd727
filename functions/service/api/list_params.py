"""The parameters of GET /v1/files (the hosted API's list and search), checked into a ListRequest."""
from __future__ import annotations

from datetime import UTC, datetime

from aws_lambda_powertools.event_handler.api_gateway import Router

from library.paths import folder_prefix
from library.query import Node, UnknownCustomField, legacy_filters, mentions, parse

from ..storage.fields import FieldCache
from ..storage.listings import SORT_VALUES, ListRequest
from .params import bool_query, choice_query, int_query

# The hosted API's defaults and bounds.
DEFAULT_LIMIT = 1000
MAX_LIMIT = 1000
MAX_SKIP = 10**9
DEFAULT_SORT = "ASC_CREATED"
# The SDKs' whole enum: RELEVANCE and DURATION are creation order here (docs/files-api.md).
SORTS = tuple(f"{order}_{field}" for field in SORT_VALUES for order in ("ASC", "DESC"))
TYPES = ("file", "file-version", "folder", "all")
FILE_TYPES = ("all", "image", "non-image")


def list_request(app: Router, fields: FieldCache) -> ListRequest:
    """The request's parameters, each checked; BadParameter names the first that is not acceptable.

    With a searchQuery, the older filters (`tags`, `name`, `includeFolder`) and `type` have no effect, as in the
    hosted API: folders are candidates when the query asks about `type`, and the query decides. Without one,
    `tags` (comma-separated: a file with any of them) and `name` (exactly) filter, and `includeFolder=true`
    lists folders as `type=all` does.
    """
    path = app.current_event.get_query_string_value("path")
    query_text = app.current_event.get_query_string_value("searchQuery")
    kind = choice_query(app, "type", TYPES, "file")
    sort = choice_query(app, "sort", SORTS, DEFAULT_SORT)
    file_type = choice_query(app, "fileType", FILE_TYPES, "all")
    include_folder = bool_query(app, "includeFolder", False)
    legacy_tags = tuple(tag.strip() for tag in (app.current_event.get_query_string_value("tags") or "").split(",")
                        if tag.strip())
    order, _, field = sort.partition("_")
    query = searched(query_text, fields) if query_text else None
    return ListRequest(
        folder=folder_prefix(path) if path else None,
        sort=field,
        descending=order == "DESC",
        skip=int_query(app, "skip", 0, 0, MAX_SKIP),
        limit=int_query(app, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        files=kind in ("file", "file-version", "all") if query is None else True,
        folders=(kind in ("folder", "all") or include_folder) if query is None else mentions(query, "type"),
        file_type=None if file_type == "all" else file_type,
        query=query if query is not None else legacy_filters(legacy_tags,
                                                             app.current_event.get_query_string_value("name")),
        versions=kind == "file-version" and query is None,
    )


def searched(text: str, fields: FieldCache) -> Node:
    """The searchQuery parsed with the custom metadata fields this process knows, or, when it names one it does not
    know, with the fields read again (a field created a moment ago)."""
    now = datetime.now(UTC)
    try:
        return parse(text, now, fields.fields().schemas())
    except UnknownCustomField as unknown:
        return parse(text, now, fields.fields((unknown.name,)).schemas())
