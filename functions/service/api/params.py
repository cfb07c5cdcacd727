"""Request parameters: each query, path and JSON body parameter parsed and checked, BadParameter naming it
otherwise; file and folder paths as keys and key prefixes, refused when they hold "." or ".." segments or lie
under the service's reserved prefix."""
from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import Router

from imagemeta.errors import BadParameter, echo
from library.paths import folder_prefix, key_of

from ..storage.overflow import RESERVED_PREFIX

FILE_ID = re.compile(r"[0-9a-f]{24}")
# A cursor is "<distance>-<fileId>" of the last item of the previous page: a position in the answer's
# order, so any well-formed cursor is a valid place to resume (the OpenAPI pattern says exactly this).
_CURSOR = re.compile(r"([0-9]|1[0-2])-([0-9a-f]{24})")
_BAD_CURSOR = "Parameter `cursor` must be the `next` value of a previous page."
# S3's version ids are at most 1024 bytes.
MAX_VERSION_ID_CHARACTERS = 1024


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


def bool_query(app: Router, name: str, default: bool) -> bool:
    """An optional true/false query parameter (absent or empty: the default); BadParameter naming it when it is
    anything else."""
    value = app.current_event.get_query_string_value(name)
    if value is None or value == "":
        return default
    if value not in ("true", "false"):
        raise BadParameter(f"Parameter `{name}` must be true or false; got {echo(value)}.")
    return value == "true"


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
    """The request body as JSON (None when there is none, whatever its Content-Type: the Python SDK sends
    `application/json` with no body on body-less calls); BadParameter when it is not JSON text."""
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


def json_object(app: Router) -> dict[str, Any]:
    """The request body as a JSON object ({} when there is none); BadParameter for any other JSON."""
    body = json_body(app)
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise BadParameter("The request body must be a JSON object (Content-Type: application/json).")
    return body


def text_field(body: dict[str, Any], name: str) -> str:
    """A required, non-empty text field of a JSON body."""
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise BadParameter(f"Missing required parameter `{name}` (non-empty text).")
    return value


def bool_field(body: dict[str, Any], name: str, default: bool) -> bool:
    """An optional true/false field of a JSON body."""
    value = body.get(name, default)
    if not isinstance(value, bool):
        raise BadParameter(f"Parameter `{name}` must be true or false.")
    return value


def file_key_field(body: dict[str, Any], name: str) -> str:
    """The key a file path field names (leading "/" optional); no "." or ".." segment, nothing of the service's."""
    value = text_field(body, name)
    key = key_of(value, name)
    checked_segments(key, name, value)
    return key


def folder_field(body: dict[str, Any], name: str, root: bool) -> str:
    """The key prefix a folder path field names ("" for the root, refused unless `root`); no "." or ".."
    segment, nothing of the service's."""
    value = text_field(body, name)
    prefix = folder_prefix(value)
    if not prefix and not root:
        raise BadParameter(f"Parameter `{name}` must name a folder, not the root of the library.")
    checked_segments(prefix, name, value)
    return prefix


def checked_segments(key: str, name: str, value: str) -> None:
    """Refuse a key with a "." or ".." segment (a path that would not mean what it says) or under the reserved
    prefix, naming the parameter."""
    if any(segment in (".", "..") for segment in key.split("/")):
        raise BadParameter(f"Parameter `{name}` may not hold '.' or '..' segments; got {echo(value)}.")
    if key.startswith(RESERVED_PREFIX) or key + "/" == RESERVED_PREFIX:
        raise BadParameter(f"Parameter `{name}`: {RESERVED_PREFIX} holds the service's own objects.")


def parse_version_id(value: str) -> str:
    """A versionId from a path: an S3 version id (or a fileId, the one version of an unversioned file)."""
    if not value or len(value) > MAX_VERSION_ID_CHARACTERS or not value.isascii() or not value.isprintable():
        raise BadParameter("Parameter `versionId` must be a version id, as versionInfo.id gives it.")
    return value
