"""The fields of an upload (the hosted API's upload form, or the upload-url JSON), checked into an UploadRequest.

S3 keeps tags and user metadata with limits of its own (10 tags, 2 KB of metadata, lower-case metadata names);
a value S3 would refuse or change is refused here, naming the field.
"""
from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from email.header import Header
from typing import Any

from imagemeta.errors import BadParameter, echo
from library.paths import upload_key

from ..storage.overflow import RESERVED_PREFIX
from .multipart import Part
from .params import parse_json

RESPONSE_FIELDS = ("tags", "customCoordinates", "isPrivateFile", "embeddedMetadata", "isPublished", "customMetadata",
                   "metadata")
# Hosted fields whose every accepted value is what this service does anyway.
NO_OP_FIELDS = {"overwriteTags": ("true",), "overwriteCustomMetadata": ("true",), "overwriteAITags": ("true", "false"),
                "isPublished": ("true",)}
UPLOAD_FIELDS = ("file", "fileName", "folder", "useUniqueFileName", "overwriteFile", "tags", "customMetadata",
                 "responseFields")
# The upload-url request's fields and their JSON types.
JSON_FIELD_TYPES: dict[str, type] = {"fileName": str, "folder": str, "contentType": str, "useUniqueFileName": bool,
                                     "overwriteFile": bool, "tags": list, "customMetadata": dict}
JSON_TYPE_NAMES = {str: "a string", bool: "true or false", list: "a list of strings", dict: "a JSON object"}
MAX_TAGS = 10
MAX_TAG_CHARACTERS = 128
MAX_METADATA_BYTES = 2048  # S3's bound on an object's user metadata (upload URLs sign it)
# Custom metadata lives in the file's record (400 KB an item, with its document): a generous bound of its own.
MAX_CUSTOM_METADATA_BYTES = 64 * 1024
_TAG = re.compile(r"[\w +\-=.:/@]+")
_METADATA_NAME = re.compile(r"[A-Za-z0-9_-]{1,128}")
_DATA_URI = re.compile(r"data:[^,;]*(;[^,;]*)*;base64,", re.IGNORECASE)


@dataclass(frozen=True)
class Placement:
    """Where an upload goes and what S3 keeps with it."""

    key: str
    tags: tuple[str, ...]
    custom_metadata: dict[str, Any]
    overwrite: bool


def placement(fields: dict[str, str]) -> Placement:
    """The key (folder, fileName, useUniqueFileName), tags, custom metadata and overwrite rule of an upload."""
    file_name = fields.get("fileName")
    if not file_name:
        raise BadParameter("Missing required parameter `fileName`.")
    unique = boolean(fields, "useUniqueFileName", True)
    key = upload_key(fields.get("folder") or "/", file_name, unique)
    if key.startswith(RESERVED_PREFIX):
        raise BadParameter(f"Parameter `folder`: {RESERVED_PREFIX} is reserved for the service's own objects.")
    overwrite = boolean(fields, "overwriteFile", True) or unique
    return Placement(key, tags(fields.get("tags")), custom_metadata(fields.get("customMetadata")), overwrite)


def form_fields(parts: dict[str, Part]) -> dict[str, str]:
    """The text fields of an upload form (all but `file`), unknown and unsupported ones refused by name."""
    fields = {}
    for name, part in parts.items():
        if name == "file":
            continue
        value = part.text(name)
        if name in NO_OP_FIELDS:
            if value not in NO_OP_FIELDS[name]:
                raise BadParameter(f"Parameter `{name}` can only be {' or '.join(NO_OP_FIELDS[name])} here.")
            continue
        if name not in UPLOAD_FIELDS:
            raise BadParameter(f"Parameter `{name}` is not supported by this service (docs/contract.md, Upload).")
        fields[name] = value
    return fields


def boolean(fields: dict[str, str], name: str, default: bool) -> bool:
    value = fields.get(name)
    if value is None:
        return default
    if value not in ("true", "false"):
        raise BadParameter(f"Parameter `{name}` must be true or false; got {echo(value)}.")
    return value == "true"


def tags(value: str | None) -> tuple[str, ...]:
    """Comma-separated tags, as the SDKs send them; each becomes an S3 tag with an empty value."""
    found = tuple(dict.fromkeys(tag.strip() for tag in (value or "").split(",") if tag.strip()))
    if len(found) > MAX_TAGS:
        raise BadParameter(f"Parameter `tags`: S3 keeps at most {MAX_TAGS} tags on an object.")
    for tag in found:
        if len(tag) > MAX_TAG_CHARACTERS or not _TAG.fullmatch(tag):
            raise BadParameter(
                f"Parameter `tags`: {echo(tag)} is not an S3 tag (at most {MAX_TAG_CHARACTERS} letters, digits, "
                "spaces and + - = . _ : / @)."
            )
    return found


def custom_metadata(value: str | None) -> dict[str, Any]:
    """A JSON object of custom metadata: names of letters, digits, - and _; values text, numbers or booleans."""
    if not value:
        return {}
    found = parse_json(value, "Parameter `customMetadata` must be a JSON object.")
    if not isinstance(found, dict):
        raise BadParameter("Parameter `customMetadata` must be a JSON object.")
    if len(value.encode()) > MAX_CUSTOM_METADATA_BYTES:
        raise BadParameter(f"Parameter `customMetadata` is over {MAX_CUSTOM_METADATA_BYTES} bytes of JSON.")
    for name, item in found.items():
        if not _METADATA_NAME.fullmatch(name):
            raise BadParameter(f"Parameter `customMetadata`: {echo(name)} is not a usable name (letters, digits, - _).")
        if isinstance(item, (dict, list)) or item is None:
            raise BadParameter(
                f"Parameter `customMetadata`: the value of {echo(name)} must be text, a number or a boolean.")
    return found


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
        kept[name.lower()] = text if text.isascii() else Header(text, "utf-8").encode()
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
