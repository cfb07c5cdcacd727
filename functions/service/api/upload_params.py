"""The fields of an upload (the hosted API's upload form, or the upload-url JSON), checked into a Placement
and the annotations the upload gives the file.

An upload through the API keeps its tags and custom metadata in the file's record (library/annotations.py),
with the hosted API's bounds; custom metadata values are checked against their fields (library/fields.py). An
upload URL signs S3 tags and user metadata instead (the ingest reads them from the object, typed by the
fields), so its tags and metadata keep S3's limits: 10 tags, 2 KB of metadata, lower-case names.
"""
from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any

from imagemeta.errors import BadParameter, echo
from library.annotations import AnnotationUpdate, bounded, checked_coordinates, checked_description, checked_tags
from library.fields import Fields, checked_values, with_defaults
from library.paths import upload_key

from ..storage.objects import header_value
from ..storage.overflow import RESERVED_PREFIX
from .edit_params import EXTENSIONS_REFUSED
from .multipart import Part
from .params import parse_json

RESPONSE_FIELDS = ("tags", "customCoordinates", "isPrivateFile", "embeddedMetadata", "isPublished", "customMetadata",
                   "metadata", "selectedFieldsSchema")
# A client-side upload's credentials (upload_auth.py).
SIGNATURE_FIELDS = ("publicKey", "signature", "expire", "token")
UPLOAD_FIELDS = ("fileName", "folder", "useUniqueFileName", "overwriteFile", "tags", "customMetadata",
                 "responseFields", "isPrivateFile", "isPublished", "description", "customCoordinates",
                 "overwriteTags", "overwriteCustomMetadata", "overwriteAITags", "extensions", "webhookUrl",
                 *SIGNATURE_FIELDS)
# Fields of the hosted form this service cannot honour: refused by name rather than ignored.
UNSUPPORTED_FIELDS = {
    "transformation": "this service keeps files as they are uploaded (no pre- or post-transformations)",
    "checks": "this service does not evaluate upload checks",
}
# The upload-url request's fields and their JSON types.
JSON_FIELD_TYPES: dict[str, type] = {"fileName": str, "folder": str, "contentType": str, "useUniqueFileName": bool,
                                     "overwriteFile": bool, "tags": list, "customMetadata": dict}
JSON_TYPE_NAMES = {str: "a string", bool: "true or false", list: "a list of strings", dict: "a JSON object"}
MAX_S3_TAGS = 10
MAX_S3_TAG_CHARACTERS = 128
MAX_METADATA_BYTES = 2048  # S3's bound on an object's user metadata (upload URLs sign it)
_S3_TAG = re.compile(r"[\w +\-=.:/@]+")
_DATA_URI = re.compile(r"data:[^,;]*(;[^,;]*)*;base64,", re.IGNORECASE)


@dataclass(frozen=True)
class Placement:
    """Where an upload goes, and whether it may replace a file there."""

    key: str
    overwrite: bool


def placement(fields: dict[str, str]) -> Placement:
    """The key (folder, fileName, useUniqueFileName) and overwrite rule of an upload."""
    file_name = fields.get("fileName")
    if not file_name:
        raise BadParameter("Missing required parameter `fileName`.")
    unique = boolean(fields, "useUniqueFileName", True)
    key = upload_key(fields.get("folder") or "/", file_name, unique)
    if key.startswith(RESERVED_PREFIX):
        raise BadParameter(f"Parameter `folder`: {RESERVED_PREFIX} is reserved for the service's own objects.")
    return Placement(key, boolean(fields, "overwriteFile", True) or unique)


def annotation_update(fields: dict[str, str], custom_fields: Fields) -> AnnotationUpdate:
    """What the upload's fields say about the file's annotations, with the hosted overwrite rules: `tags` and
    `customMetadata` absent (or empty) leave `overwriteTags` / `overwriteCustomMetadata` (default true) to say
    whether an overwritten file's are removed; absent coordinates and description are removed."""
    given_tags = checked_tags(form_tags(fields.get("tags"))) or None
    given_custom = custom_metadata(fields.get("customMetadata"), custom_fields) or None
    update = AnnotationUpdate(
        tags=given_tags,
        overwrite_tags=boolean(fields, "overwriteTags", True),
        custom_metadata=given_custom,
        overwrite_custom_metadata=boolean(fields, "overwriteCustomMetadata", True),
        custom_coordinates=checked_coordinates(fields.get("customCoordinates")),
        description=checked_description(fields.get("description")),
        is_private=boolean(fields, "isPrivateFile", False),
        is_published=boolean(fields, "isPublished", True),
        defaults=with_defaults({}, custom_fields),
    )
    boolean(fields, "overwriteAITags", True)  # accepted: files here have no AITags to remove
    bounded(update.applied_to(None))
    return update


def form_fields(parts: dict[str, Part]) -> dict[str, str]:
    """The text fields of an upload form (all but `file`), unknown and unsupported ones refused by name."""
    fields = {}
    for name, part in parts.items():
        if name == "file":
            continue
        value = part.text(name)
        if name in UNSUPPORTED_FIELDS:
            raise BadParameter(f"Parameter `{name}` is not supported: {UNSUPPORTED_FIELDS[name]}.")
        if name not in UPLOAD_FIELDS:
            raise BadParameter(f"Parameter `{name}` is not a field of the upload API (docs/files-api.md, Upload).")
        if name == "extensions" and value.strip() not in ("", "[]"):
            raise BadParameter(f"Parameter `extensions`: {EXTENSIONS_REFUSED}")
        if name == "webhookUrl" and value.strip():
            raise BadParameter(f"Parameter `webhookUrl`: {EXTENSIONS_REFUSED}")
        fields[name] = value
    return fields


def boolean(fields: dict[str, str], name: str, default: bool) -> bool:
    value = fields.get(name)
    if value is None:
        return default
    if value not in ("true", "false"):
        raise BadParameter(f"Parameter `{name}` must be true or false; got {echo(value)}.")
    return value == "true"


def form_tags(value: str | None) -> list[str]:
    """Comma-separated tags, as the SDKs send them (Node sends an empty field for none)."""
    return [tag for tag in (value or "").split(",") if tag.strip()]


def s3_tags(value: str | None) -> tuple[str, ...]:
    """An upload URL's tags: each becomes an S3 tag with an empty value, within S3's limits."""
    found = tuple(dict.fromkeys(tag.strip() for tag in form_tags(value)))
    if len(found) > MAX_S3_TAGS:
        raise BadParameter(f"Parameter `tags`: an upload URL puts tags on the S3 object, and S3 keeps at most "
                           f"{MAX_S3_TAGS} (an upload through POST /api/v1/files/upload keeps more).")
    for tag in found:
        if len(tag) > MAX_S3_TAG_CHARACTERS or not _S3_TAG.fullmatch(tag):
            raise BadParameter(
                f"Parameter `tags`: {echo(tag)} is not an S3 tag (at most {MAX_S3_TAG_CHARACTERS} letters, digits, "
                "spaces and + - = . _ : / @)."
            )
    return found


def metadata_names(fields: dict[str, str]) -> tuple[str, ...]:
    """The field names the form's customMetadata gives (none when it is no JSON object: custom_metadata says
    so), so that the fields read can be fresh enough to know them."""
    try:
        found = parse_json(fields.get("customMetadata") or "{}", "")
    except BadParameter:
        return ()
    return tuple(found) if isinstance(found, dict) else ()


def custom_metadata(value: str | None, custom_fields: Fields) -> dict[str, Any]:
    """The form's customMetadata (JSON text of an object), each value checked against its field."""
    if not value:
        return {}
    return checked_values(parse_json(value, "Parameter `customMetadata` must be a JSON object."), custom_fields)


def user_metadata(values: dict[str, Any]) -> dict[str, str]:
    """Custom metadata as S3 user metadata (an upload URL signs it): names lower-cased as S3 keeps them, values as
    text (numbers and booleans as JSON), non-ASCII as RFC 2047 encoded words, 2 KB in all."""
    kept: dict[str, str] = {}
    for name, item in values.items():
        if name.lower() in kept:
            raise BadParameter(f"Parameter `customMetadata`: {echo(name)} differs from another name only in case, "
                               "and S3 keeps them as one.")
        text = item if isinstance(item, str) else json.dumps(item)
        if any(ord(character) < 32 or ord(character) == 127 for character in text):
            raise BadParameter(f"Parameter `customMetadata`: the value of {echo(name)} holds a control character, "
                               "which an upload URL's signed headers cannot carry.")
        kept[name.lower()] = header_value(text)
    if sum(len(name) + len(text.encode()) for name, text in kept.items()) > MAX_METADATA_BYTES:
        raise BadParameter(
            f"Parameter `customMetadata` is over the {MAX_METADATA_BYTES} bytes S3 keeps with an object.")
    return kept


def response_fields(value: str | None) -> frozenset[str]:
    found = frozenset(field.strip() for field in (value or "").split(",") if field.strip())
    unknown = sorted(found - set(RESPONSE_FIELDS))
    if unknown:
        raise BadParameter(
            f"Parameter `responseFields`: {echo(unknown[0])} is not one of {', '.join(RESPONSE_FIELDS)}.")
    return found


def inline_file(text: str) -> bytes:
    """The bytes of a `file` field given as base64 or a base64 data URI."""
    payload = text.strip()
    uri = _DATA_URI.match(payload)
    if uri:
        payload = payload[uri.end() :]
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise BadParameter(
            "Parameter `file` must be the file's bytes, a base64 string or data URI, or an http(s) URL."
        ) from None


def json_fields(body: Any) -> dict[str, str]:
    """The fields of an upload-url request (a JSON object), in the form's text shapes; each of its JSON type."""
    if not isinstance(body, dict):
        raise BadParameter("The request body must be a JSON object.")
    fields: dict[str, str] = {}
    for name, value in body.items():
        kind = JSON_FIELD_TYPES.get(name)
        if kind is None:
            raise BadParameter(f"Parameter `{name}` is not supported by POST /v1/files/upload-url.")
        if not isinstance(value, kind) or (isinstance(value, list) and not all(isinstance(tag, str) for tag in value)):
            raise BadParameter(f"Parameter `{name}` must be {JSON_TYPE_NAMES[kind]}.")
        if isinstance(value, list):
            fields[name] = ",".join(value)
        elif isinstance(value, dict):
            fields[name] = json.dumps(value)
        elif isinstance(value, bool):
            fields[name] = "true" if value else "false"
        else:
            fields[name] = str(value)  # a string, as its type was checked
    return fields
