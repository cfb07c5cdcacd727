"""Request parameters: each query and path parameter parsed and checked, BadParameter naming it otherwise."""
from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import Router

from imagemeta.errors import BadParameter, echo

FILE_ID = re.compile(r"[0-9a-f]{24}")
# A cursor is "<distance>-<fileId>" of the last item of the previous page: a position in the answer's
# order, so any well-formed cursor is a valid place to resume (the OpenAPI pattern says exactly this).
_CURSOR = re.compile(r"([0-9]|1[0-2])-([0-9a-f]{24})")
_BAD_CURSOR = "Parameter `cursor` must be the `next` value of a previous page."


def required_query(app: Router, name: str) -> str:
    """A query parameter that must be present and non-empty."""
    value = app.current_event.get_query_string_value(name)
    if not value:
        raise BadParameter(f"Missing required query parameter `{name}`.")
    return value


def int_query(app: Router, name: str, default: int, low: int, high: int) -> int:
    """An optional integer query parameter in low..high; BadParameter naming it when it is anything else."""
    value = app.current_event.get_query_string_value(name)
    if value is None:
        return default
    digits = max(3, len(str(high)))  # no int() of a thousand-digit string
    if not (value.isascii() and value.isdigit() and len(value) <= digits and low <= int(value) <= high):
        raise BadParameter(f"Parameter `{name}` must be an integer from {low} to {high}.")
    return int(value)


def choice_query(app: Router, name: str, choices: tuple[str, ...], default: str) -> str:
    """An optional query parameter that is one of `choices`; BadParameter listing them otherwise."""
    value = app.current_event.get_query_string_value(name)
    if value is None:
        return default
    if value not in choices:
        raise BadParameter(f"Parameter `{name}` must be one of {', '.join(choices)}; got {echo(value)}.")
    return value


def parse_file_id(value: str) -> str:
    """A fileId from a path; BadParameter unless it is the contract's 24 lowercase hex digits."""
    if not FILE_ID.fullmatch(value):
        raise BadParameter("Parameter `fileId` must be 24 lowercase hexadecimal digits.")
    return value


def cursor_query(app: Router) -> tuple[int, str] | None:
    """(distance, fileId) of the item the optional `cursor` resumes after (None: absent or empty, the first page)."""
    cursor = app.current_event.get_query_string_value("cursor")
    if not cursor:
        return None
    found = _CURSOR.fullmatch(cursor)
    if not found:
        raise BadParameter(_BAD_CURSOR)
    return int(found[1]), found[2]


def encode_cursor(item: dict[str, Any]) -> str:
    """The cursor that resumes after this item (what cursor_query reads back)."""
    return f"{item['distance']}-{item['fileId']}"


def json_body(app: Router) -> Any:
    """The request body as JSON (None when there is none); BadParameter when it is not JSON text."""
    event = app.current_event
    if not event.body:
        return None
    try:
        text = base64.b64decode(event.body) if event.is_base64_encoded else event.body
    except binascii.Error:
        raise BadParameter("The request body must be a JSON object (Content-Type: application/json).") from None
    return parse_json(text, "The request body must be a JSON object (Content-Type: application/json).")


def parse_json(text: str | bytes, refusal: str) -> Any:
    """JSON text a caller sent, or BadParameter(refusal): malformed text, bytes that are no UTF-8, nesting deeper
    than the parser's recursion (100,000 brackets) and integers past Python's 4,300 digits are all the caller's."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # JSONDecodeError, UnicodeDecodeError and the digit limit are ValueErrors
        raise BadParameter(refusal) from None
