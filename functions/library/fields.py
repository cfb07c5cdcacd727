"""Custom metadata fields: their schemas, and the values a file may hold for each (the hosted API's rules).

A field has a `name` (what customMetadata and searchQuery use), a `label` and a schema of one type: Text,
Textarea, Number, Date, Boolean, SingleSelect or MultiSelect, with `defaultValue`, `isValueRequired`, lengths
(text), a range (numbers and dates) or options (selects). A field is deleted softly: its name stays taken.
Values keep their JSON types: a Number is a number, a Boolean a boolean, a MultiSelect a list, a Date its ISO
8601 text. Every value an upload or an edit gives is checked here against its field, and a refusal is a
BadParameter naming the field (docs/files-api.md, "Custom metadata fields").
"""
from __future__ import annotations

import contextlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from imagemeta.errors import BadParameter, echo

from .instants import parse_instant_ms

TEXT, TEXTAREA, NUMBER, DATE, BOOLEAN, SINGLE_SELECT, MULTI_SELECT = (
    "Text", "Textarea", "Number", "Date", "Boolean", "SingleSelect", "MultiSelect")
SCHEMA_TYPES = (TEXT, TEXTAREA, NUMBER, DATE, BOOLEAN, SINGLE_SELECT, MULTI_SELECT)
# The hosted API's older spelling, still sent by callers written against its first OpenAPI description.
TYPE_ALIASES = {"TextArea": TEXTAREA}
TEXT_TYPES = (TEXT, TEXTAREA)
RANGE_TYPES = (NUMBER, DATE)
SELECT_TYPES = (SINGLE_SELECT, MULTI_SELECT)
# The hosted API reserves this name for its own Date field (its ORIGINAL_CREATION_DATE sorts).
RESERVED_NAMES = ("_internal_original_created_datetime",)
# Bounds of one deployment's fields: they live in one item of the records table (storage/fields.py).
MAX_FIELDS = 100
MAX_SELECT_OPTIONS = 100
MAX_LABEL_CHARACTERS = 100
MAX_DESCRIPTION_CHARACTERS = 500
MAX_TEXT_CHARACTERS = 10_000  # a Text or Textarea value, and a text select option
MAX_NUMBER_DIGITS = 38  # DynamoDB's precision: a stored number keeps every digit
_NAME = re.compile(r"[A-Za-z0-9_-]{1,100}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?)?")
SCHEMA_KEYS = ("type", "defaultValue", "isValueRequired", "minLength", "maxLength", "minValue", "maxValue",
               "selectOptions")


@dataclass(frozen=True)
class Schema:
    """A field's schema: its type and the constraints its values keep (None: not set)."""

    type: str
    default_value: Any = None
    is_value_required: bool = False
    min_length: int | None = None
    max_length: int | None = None
    min_value: float | str | None = None
    max_value: float | str | None = None
    select_options: tuple[Any, ...] | None = None

    def as_json(self) -> dict[str, Any]:
        """The hosted API's schema object: `type` and the keys that are set."""
        found: dict[str, Any] = {"type": self.type}
        optional = {"defaultValue": self.default_value, "minLength": self.min_length, "maxLength": self.max_length,
                    "minValue": self.min_value, "maxValue": self.max_value,
                    "selectOptions": list(self.select_options) if self.select_options is not None else None}
        found.update({name: value for name, value in optional.items() if value is not None})
        if self.is_value_required:
            found["isValueRequired"] = True
        return found


@dataclass(frozen=True)
class CustomField:
    """One custom metadata field; `deleted` ones keep their name taken and take no values."""

    id: str
    name: str
    label: str
    schema: Schema
    description: str | None = None
    deleted: bool = False

    def as_json(self) -> dict[str, Any]:
        """The hosted API's CustomMetadataField object (`description` only when one is set)."""
        found: dict[str, Any] = {"id": self.id, "name": self.name, "label": self.label, "schema": self.schema.as_json()}
        if self.description:
            found["description"] = self.description
        return found


@dataclass(frozen=True)
class Fields:
    """Every field of the deployment, deleted ones included, in creation order; `version` orders their writes."""

    fields: tuple[CustomField, ...] = ()
    version: int = 0

    def live(self) -> tuple[CustomField, ...]:
        return tuple(each for each in self.fields if not each.deleted)

    def named(self, name: str) -> CustomField | None:
        """The live field of this name, or None."""
        return next((each for each in self.fields if each.name == name and not each.deleted), None)

    def by_id(self, field_id: str) -> CustomField | None:
        return next((each for each in self.fields if each.id == field_id), None)

    def schemas(self) -> dict[str, Schema]:
        """The schema of each live field, by name: what a searchQuery needs to know of them."""
        return {each.name: each.schema for each in self.live()}

    def with_field(self, changed: CustomField) -> Fields:
        """These fields with one added (a new id) or replaced (the same id)."""
        if self.by_id(changed.id) is None:
            return Fields((*self.fields, changed), self.version)
        return Fields(tuple(changed if each.id == changed.id else each for each in self.fields), self.version)


# ---------------------------------------------------------------- creating and changing fields


def new_field(body: Any, fields: Fields, field_id: str) -> CustomField:
    """The field a create request describes ({name, label, schema, description}), checked against the others."""
    body = _object(body, "The request body")
    _known_keys(body, ("name", "label", "schema", "description"), "")
    name = body.get("name")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise BadParameter("Parameter `name` must be 1 to 100 letters, digits, '_' or '-'.")
    if name in RESERVED_NAMES:
        raise BadParameter(f"Parameter `name`: {name} is reserved.")
    if any(each.name == name for each in fields.fields):
        raise BadParameter("Parameter `name`: a custom metadata field with this name already exists "
                           "(names of deleted fields stay taken).")
    if len(fields.live()) >= MAX_FIELDS:
        raise BadParameter(f"A deployment has at most {MAX_FIELDS} custom metadata fields; delete one first.")
    schema_body = _object(body.get("schema"), "Parameter `schema`")
    _known_keys(schema_body, SCHEMA_KEYS, "schema.")
    kind = schema_body.get("type")
    kind = TYPE_ALIASES.get(kind, kind) if isinstance(kind, str) else kind
    if kind not in SCHEMA_TYPES:
        raise BadParameter(f"Parameter `schema.type` must be one of {', '.join(SCHEMA_TYPES)}; got {echo(kind)}.")
    schema = _schema(kind, {key: value for key, value in schema_body.items() if key != "type"})
    return CustomField(field_id, name, _label(body.get("label"), fields, None), schema,
                       _description(body.get("description")))


def updated_field(existing: CustomField, body: Any, fields: Fields) -> CustomField:
    """The field after an update ({label, schema, description}; a schema's `type` cannot change and is ignored)."""
    if existing.deleted:
        raise BadParameter("Cannot update a deleted custom metadata field.")
    body = _object(body, "The request body")
    _known_keys(body, ("label", "schema", "description", "name"), "")
    if "name" in body and body["name"] != existing.name:
        raise BadParameter("Parameter `name`: the name of a field cannot be updated.")
    if not {"label", "schema", "description"} & set(body):
        raise BadParameter("Either `label`, `schema` or `description` should be provided.")
    label = _label(body["label"], fields, existing.id) if "label" in body else existing.label
    schema = existing.schema
    if "schema" in body:
        schema_body = _object(body["schema"], "Parameter `schema`")
        _known_keys(schema_body, SCHEMA_KEYS, "schema.")
        merged = {**_schema_keys(existing.schema), **{k: v for k, v in schema_body.items() if k != "type"}}
        schema = _schema(existing.schema.type, {key: value for key, value in merged.items() if value is not None})
    description = _description(body["description"]) if "description" in body else existing.description
    return replace(existing, label=label, schema=schema, description=description)


def _schema_keys(schema: Schema) -> dict[str, Any]:
    return {key: value for key, value in schema.as_json().items() if key != "type"}


def _schema(kind: str, given: Mapping[str, Any]) -> Schema:
    """A schema of this type from its keys, each checked for the type; BadParameter naming `schema.<key>`."""
    for key in given:
        allowed = {"minLength": TEXT_TYPES, "maxLength": TEXT_TYPES, "minValue": RANGE_TYPES,
                   "maxValue": RANGE_TYPES, "selectOptions": SELECT_TYPES}.get(key)
        if allowed is not None and kind not in allowed:
            raise BadParameter(f"Parameter `schema.{key}` is not allowed for a {kind} field.")
    required = given.get("isValueRequired", False)
    if not isinstance(required, bool):
        raise BadParameter("Parameter `schema.isValueRequired` must be true or false.")
    lengths = [_length(given.get(key), f"schema.{key}") for key in ("minLength", "maxLength")]
    if None not in lengths and lengths[0] > lengths[1]:  # type: ignore[operator]  # both are ints here
        raise BadParameter("Parameter `schema.minLength` is larger than `schema.maxLength`.")
    limits = [_limit(kind, given.get(key), f"schema.{key}") for key in ("minValue", "maxValue")]
    if None not in limits and _order_value(kind, limits[0]) > _order_value(kind, limits[1]):
        raise BadParameter("Parameter `schema.minValue` is larger than `schema.maxValue`.")
    options = _options(kind, given.get("selectOptions"))
    schema = Schema(kind, None, required, lengths[0], lengths[1], limits[0], limits[1], options)
    default = given.get("defaultValue")
    if default is None:
        if required:
            raise BadParameter("Parameter `schema.defaultValue` is required when `schema.isValueRequired` is true.")
        return schema
    return replace(schema, default_value=checked_value(schema, default, "schema.defaultValue"))


def _length(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) or \
            not 0 <= value <= MAX_TEXT_CHARACTERS:
        raise BadParameter(f"Parameter `{name}` must be a whole number from 0 to {MAX_TEXT_CHARACTERS}.")
    return int(value)


def _limit(kind: str, value: Any, name: str) -> float | str | None:
    if value is None:
        return None
    if kind == NUMBER:
        return _number(value, name)
    return _date_text(value, name)


def _options(kind: str, value: Any) -> tuple[Any, ...] | None:
    if kind not in SELECT_TYPES:
        return None
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_SELECT_OPTIONS:
        raise BadParameter(f"Parameter `schema.selectOptions` must be a list of 1 to {MAX_SELECT_OPTIONS} values "
                           f"for a {kind} field.")
    options: list[Any] = []
    for option in value:
        if isinstance(option, str):
            if not 0 < len(option) <= MAX_TEXT_CHARACTERS:
                raise BadParameter("Parameter `schema.selectOptions`: a text option must be 1 to "
                                   f"{MAX_TEXT_CHARACTERS} characters.")
        elif not isinstance(option, bool):
            option = _number(option, "schema.selectOptions")
        if any(same_value(option, seen) for seen in options):
            raise BadParameter(f"Parameter `schema.selectOptions` lists {echo(option)} twice.")
        options.append(option)
    return tuple(options)


def _label(value: Any, fields: Fields, own_id: str | None) -> str:
    if not isinstance(value, str) or not 0 < len(value.strip()) <= MAX_LABEL_CHARACTERS:
        raise BadParameter(f"Parameter `label` must be 1 to {MAX_LABEL_CHARACTERS} characters.")
    if any(each.label == value and each.id != own_id for each in fields.live()):
        raise BadParameter("Parameter `label`: a custom metadata field with this label already exists.")
    return value


def _description(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_DESCRIPTION_CHARACTERS:
        raise BadParameter(f"Parameter `description` must be text of at most {MAX_DESCRIPTION_CHARACTERS} characters.")
    return value or None  # "" clears it


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadParameter(f"{what} must be a JSON object.")
    return value


def _known_keys(body: Mapping[str, Any], known: tuple[str, ...], prefix: str) -> None:
    unknown = [key for key in body if key not in known]
    if unknown:
        raise BadParameter(f"Parameter `{prefix}{unknown[0]}` is not a key of a custom metadata field's "
                           f"{'schema' if prefix else 'request'}; the keys are {', '.join(known)}.")


# ---------------------------------------------------------------- values of files


def checked_value(schema: Schema, value: Any, name: str) -> Any:
    """A value for a field of this schema, as it is kept (its JSON type); BadParameter naming `name` otherwise."""
    kind = schema.type
    if kind in TEXT_TYPES:
        if not isinstance(value, str):
            raise BadParameter(f"Parameter `{name}` must be text for a {kind} field; got {echo(value)}.")
        low = schema.min_length if schema.min_length is not None else 0
        high = schema.max_length if schema.max_length is not None else MAX_TEXT_CHARACTERS
        if not low <= len(value) <= high:
            raise BadParameter(f"Parameter `{name}` must be {low} to {high} characters long.")
        return value
    if kind == BOOLEAN:
        if not isinstance(value, bool):
            raise BadParameter(f"Parameter `{name}` must be true or false for a Boolean field; got {echo(value)}.")
        return value
    if kind in RANGE_TYPES:
        kept = _number(value, name) if kind == NUMBER else _date_text(value, name)
        at = _order_value(kind, kept)
        if schema.min_value is not None and at < _order_value(kind, schema.min_value):
            raise BadParameter(f"Parameter `{name}` is below the field's minValue {schema.min_value}.")
        if schema.max_value is not None and at > _order_value(kind, schema.max_value):
            raise BadParameter(f"Parameter `{name}` is above the field's maxValue {schema.max_value}.")
        return kept
    options = schema.select_options or ()
    chosen = value if kind == MULTI_SELECT else [value]
    if kind == MULTI_SELECT and not isinstance(value, list):
        raise BadParameter(f"Parameter `{name}` must be a list of the field's options for a MultiSelect field.")
    for each in chosen:
        if not any(same_value(each, option) for option in options):
            raise BadParameter(f"Parameter `{name}`: {echo(each)} is not one of the field's options "
                               f"({', '.join(map(repr, options[:10]))}{', ...' if len(options) > 10 else ''}).")
    return list(dict.fromkeys(chosen)) if kind == MULTI_SELECT else value


def checked_values(values: Any, fields: Fields, parameter: str = "customMetadata",
                   allow_null: bool = False) -> dict[str, Any]:
    """Custom metadata an upload or an edit gives, each value checked against its field (None: unset, edits only)."""
    values = _object(values, f"Parameter `{parameter}`")
    found: dict[str, Any] = {}
    for name, value in values.items():
        custom_field = fields.named(name)
        if custom_field is None:
            raise BadParameter(f"Parameter `{parameter}.{name}`: no custom metadata field has this name; create it "
                               "first (POST /v1/customMetadataFields).")
        if value is None and allow_null:
            found[name] = None
            continue
        found[name] = checked_value(custom_field.schema, value, f"{parameter}.{name}")
    return found


def with_defaults(values: Mapping[str, Any], fields: Fields) -> dict[str, Any]:
    """Values with each field's defaultValue where they have none (a new file's, or an upload's)."""
    found = dict(values)
    for each in fields.live():
        if each.name not in found and each.schema.default_value is not None:
            found[each.name] = each.schema.default_value
    return found


def missing_required(values: Mapping[str, Any], fields: Fields, parameter: str = "customMetadata") -> None:
    """BadParameter naming the first field whose value is required and absent."""
    for each in fields.live():
        if each.schema.is_value_required and values.get(each.name) is None:
            raise BadParameter(f"Parameter `{parameter}.{each.name}` is required (the field's isValueRequired).")


def typed_from_text(user_metadata: Mapping[str, str], fields: Fields) -> dict[str, Any]:
    """S3 user metadata (text, names lower-cased by S3) as custom metadata: a value whose field exists takes the
    field's name and type when it fits it; any other stays the text S3 holds, under S3's name."""
    by_lower = {each.name.lower(): each for each in fields.live()}
    found: dict[str, Any] = {}
    for name, text in user_metadata.items():
        custom_field = by_lower.get(name.lower())
        typed = _typed_text(custom_field.schema, text) if custom_field is not None else None
        if custom_field is not None and typed is not None:
            found[custom_field.name] = typed
        else:
            found[name] = text
    return found


def _typed_text(schema: Schema, text: str) -> Any:
    """A text's value for a field (numbers, booleans and lists written as JSON or plainly), or None if none fits."""
    candidates: list[Any] = [text]
    with contextlib.suppress(ValueError, RecursionError):  # S3 keeps 2 KB: enough brackets to exhaust the parser
        candidates.insert(0, json.loads(text))
    if schema.type == MULTI_SELECT:
        candidates.append([part.strip() for part in text.split(",") if part.strip()])
    for candidate in candidates:
        try:
            return checked_value(schema, candidate, "x-amz-meta")
        except BadParameter:
            continue
    return None


def same_value(a: Any, b: Any) -> bool:
    """Equality of JSON values that keeps types apart (True is not 1, "1" is not 1)."""
    return _type_class(a) == _type_class(b) and a == b


def _type_class(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def _number(value: Any, name: str) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise BadParameter(f"Parameter `{name}` must be a number; got {echo(value)}.")
    if isinstance(value, int) and len(str(abs(value))) > MAX_NUMBER_DIGITS:
        raise BadParameter(f"Parameter `{name}` has more than {MAX_NUMBER_DIGITS} digits.")
    return value


def _date_text(value: Any, name: str) -> str:
    if not isinstance(value, str) or instant_ms(value) is None:
        raise BadParameter(f"Parameter `{name}` must be an ISO 8601 date (2024-05-01, 2024-05-01T12:00:00Z); "
                           f"got {echo(value)}.")
    return value


def _order_value(kind: str, value: Any) -> float:
    return float(value) if kind == NUMBER else float(instant_ms(value))  # type: ignore[arg-type]  # checked before


def instant_ms(text: str) -> int | None:
    """Epoch milliseconds of an ISO 8601 date or date-time (UTC unless it says); None when it is none, or outside
    the years 1 to 9999 in UTC."""
    return parse_instant_ms(text) if _ISO_DATE.fullmatch(text) else None
