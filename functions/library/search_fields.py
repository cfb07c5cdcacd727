"""What a search can ask about a file or folder: the searchQuery's fields, the operators each takes, and the
kind of value each compares (docs/files-api.md, "searchQuery").

Built-in fields are the File object's; `customMetadata.<name>` fields take their kind from the field's schema
type; `embeddedMetadata.<Tag>` fields are the tags media libraries search by, which the records keep beside
their document (storage/items.py, EMBEDDED_STORED) so that the folder index carries them.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from imagemeta.errors import BadParameter, echo

from . import fields as schema_types
from .fields import Schema

# What a field's values are, so how they compare.
TEXT = "text"  # strings; a list value (Keywords) matches when any element does
FOLDER = "folder"  # folder prefixes
NUMBER = "number"
DATE = "date"  # epoch milliseconds, or stored ISO 8601 text
BOOLEAN = "boolean"
LIST = "list"  # a list of strings (tags)
SELECT = "select"  # one option of a SingleSelect (text, number or boolean)
MULTI = "multi"  # the options of a MultiSelect
GEO = "geo"  # a (latitude, longitude) pair

RANGE_OPERATORS = ("<", "<=", ">", ">=")
NEGATABLE = ("=", ":", "IN", "EXISTS")
COMPARABLE = ("=", *RANGE_OPERATORS, "IN")
TEXTUAL = ("=", ":", "IN")


@dataclass(frozen=True)
class FieldSpec:
    """A searchable field: its kind, the operators it takes (NOT goes before those in NEGATABLE) and, for a
    select, its options (values are matched to them as written)."""

    kind: str
    operators: tuple[str, ...]
    options: tuple[Any, ...] = ()


BUILT_IN: dict[str, FieldSpec] = {
    "name": FieldSpec(TEXT, TEXTUAL),
    "path": FieldSpec(FOLDER, TEXTUAL),
    "format": FieldSpec(TEXT, ("=", "IN")),
    "type": FieldSpec(TEXT, ("=", "IN")),
    "id": FieldSpec(TEXT, ("=", "IN")),
    "size": FieldSpec(NUMBER, COMPARABLE),
    "height": FieldSpec(NUMBER, COMPARABLE),
    "width": FieldSpec(NUMBER, COMPARABLE),
    "createdAt": FieldSpec(DATE, COMPARABLE),
    "updatedAt": FieldSpec(DATE, COMPARABLE),
    "tags": FieldSpec(LIST, ("IN", "EXISTS")),
    "private": FieldSpec(BOOLEAN, ("=",)),
    "published": FieldSpec(BOOLEAN, ("=",)),
    "transparency": FieldSpec(BOOLEAN, ("=",)),
}
# A custom metadata field's kind and operators, by its schema type (the hosted API's table).
CUSTOM_KINDS: dict[str, FieldSpec] = {
    schema_types.TEXT: FieldSpec(TEXT, (*TEXTUAL, "EXISTS")),
    schema_types.TEXTAREA: FieldSpec(TEXT, (*TEXTUAL, "EXISTS")),
    schema_types.NUMBER: FieldSpec(NUMBER, (*COMPARABLE, "EXISTS")),
    schema_types.DATE: FieldSpec(DATE, (*COMPARABLE, "EXISTS")),
    schema_types.BOOLEAN: FieldSpec(BOOLEAN, ("=", "EXISTS")),
    schema_types.SINGLE_SELECT: FieldSpec(SELECT, (*TEXTUAL, *RANGE_OPERATORS, "EXISTS")),
    schema_types.MULTI_SELECT: FieldSpec(MULTI, ("IN", "EXISTS")),
}
# The embeddedMetadata tags a search may name: ExifTool's names, and LocationTaken (GPSLatitude, GPSLongitude).
EMBEDDED: dict[str, FieldSpec] = {
    "DateTimeOriginal": FieldSpec(DATE, (*COMPARABLE, "EXISTS")),
    "Keywords": FieldSpec(LIST, ("=", "IN", "EXISTS")),
    "ISO": FieldSpec(NUMBER, (*COMPARABLE, "EXISTS")),
    **{tag: FieldSpec(TEXT, (*TEXTUAL, "EXISTS"))
       for tag in ("Make", "Model", "Artist", "Copyright", "Creator", "LensModel", "City", "Country", "Headline")},
    "LocationTaken": FieldSpec(GEO, ("=",)),
}
LOCATION_TAGS = ("GPSLatitude", "GPSLongitude")
# The embeddedMetadata tags a record keeps for searches (short values only: storage/items.py).
EMBEDDED_STORED = (*(tag for tag in EMBEDDED if tag != "LocationTaken"), *LOCATION_TAGS)
CUSTOM_PREFIX = "customMetadata."
EMBEDDED_PREFIX = "embeddedMetadata."


def field_spec(field: str, custom: Mapping[str, Schema]) -> FieldSpec:
    """The field a searchQuery names; BadParameter naming it when there is none."""
    if field in BUILT_IN:
        return BUILT_IN[field]
    if field.startswith(CUSTOM_PREFIX):
        schema = custom.get(field[len(CUSTOM_PREFIX):])
        if schema is None:
            raise BadParameter(f"searchQuery: `{field}` names no custom metadata field (GET /v1/customMetadataFields "
                               "lists them).")
        spec = CUSTOM_KINDS[schema.type]
        return FieldSpec(spec.kind, spec.operators, schema.select_options or ())
    if field.startswith(EMBEDDED_PREFIX):
        embedded = EMBEDDED.get(field[len(EMBEDDED_PREFIX):])
        if embedded is None:
            raise BadParameter(f"searchQuery: {echo(field)} is not searchable; the embeddedMetadata tags are "
                               f"{', '.join(EMBEDDED)}.")
        return embedded
    raise BadParameter(
        f"searchQuery: the field {echo(field)} is not supported; the fields are {', '.join(BUILT_IN)}, "
        f"\"customMetadata.<name>\" and \"embeddedMetadata.<Tag>\"."
    )


def embedded_fields(kept: Mapping[str, Any]) -> dict[str, Any]:
    """A file's searchable embeddedMetadata (what EMBEDDED_STORED kept) as the search sees it, by field name."""
    found = {f"{EMBEDDED_PREFIX}{tag}": value for tag, value in kept.items() if tag not in LOCATION_TAGS}
    latitude, longitude = (kept.get(tag) for tag in LOCATION_TAGS)
    if isinstance(latitude, (int, float)) and isinstance(longitude, (int, float)):
        found[f"{EMBEDDED_PREFIX}LocationTaken"] = (latitude, longitude)
    return found


def custom_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """A file's custom metadata as the search sees it, by field name."""
    return {f"{CUSTOM_PREFIX}{name}": value for name, value in values.items()}
