"""The hosted API's searchQuery language: parsed, checked and evaluated.

    createdAt > "7d" AND (name : "red-" OR tags IN ["sale"]) AND "customMetadata.price" < 100

Conditions are `field operator value`; AND binds tighter than OR; parentheses group. Operators: `=`, `:`
(begins with), `<`, `<=`, `>`, `>=`, `IN [...]`, `EXISTS`, and `NOT =`, `NOT :`, `NOT IN [...]`, `NOT EXISTS`.
Which fields there are, which operators each takes and what its values are is the catalog of search_fields.py;
a custom metadata field's kind follows its schema type, so parsing takes the deployment's fields. Anything
else is a BadParameter naming the field, operator or token and where. Evaluation is the reference meaning
(docs/files-api.md); storage may prune rows with a DynamoDB filter first, never instead.
"""
from __future__ import annotations

import calendar
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from imagemeta.errors import BadParameter, echo

from .fields import Schema, same_value
from .geo import contains, shape_of
from .instants import MAX_MS, MIN_MS, parse_instant_ms, whole_ms
from .paths import folder_prefix
from .search_fields import (
    BOOLEAN,
    CUSTOM_PREFIX,
    DATE,
    FOLDER,
    GEO,
    LIST,
    MULTI,
    NEGATABLE,
    NUMBER,
    RANGE_OPERATORS,
    SELECT,
    TEXT,
    FieldSpec,
    field_spec,
)

MAX_QUERY_CHARACTERS = 2000
MAX_CONDITIONS = 50
MAX_DEPTH = 10
MAX_LIST_VALUES = 100
TYPES = ("file", "file-version", "folder")
FORMAT_ALIASES = {"jpeg": "jpg", "tif": "tiff"}
SIZE_UNITS = {"": 1, "b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3}
_KEYWORDS = {"AND", "OR", "NOT", "IN", "EXISTS"}
_OPERATOR = re.compile(r"<=|>=|=|:|<|>")
_BARE = re.compile(r"[^\s()\[\],\"']+")
_FIELD = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
_RELATIVE = re.compile(r"(\d{1,6})([hdwmy])")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?)?")
_SIZE = re.compile(r"(\d{1,15}(?:\.\d{1,6})?)\s*([kmg]?b)?", re.IGNORECASE)
_WHOLE = re.compile(r"\d{1,15}")
_DECIMAL = re.compile(r"-?\d{1,30}(\.\d{1,15})?")


@dataclass(frozen=True, order=True)
class Span:
    """The instants a date value names: from `start` to before `end` (epoch ms). A date is its day, a time its
    minute, second or millisecond, as precisely as it is written; an age (7d) is its instant."""

    start: int
    end: int


@dataclass(frozen=True)
class Condition:
    """`field op values`, negated by NOT; `kind` is the field's (search_fields.py), values are normalized:
    numbers, Spans for dates, folder prefixes for paths, lower-case formats, a Shape for a location."""

    field: str
    operator: str
    values: tuple[Any, ...]
    negated: bool = False
    kind: str = TEXT


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Node, ...]


Node = Condition | AllOf | AnyOf


def parse(text: str, now: datetime, custom: Mapping[str, Schema] | None = None) -> Node:
    """The query as a tree; relative dates ("7d") count back from `now`; `custom` are the custom metadata fields'
    schemas by name. BadParameter for anything unsupported."""
    if len(text) > MAX_QUERY_CHARACTERS:
        raise BadParameter(f"Parameter `searchQuery` is longer than {MAX_QUERY_CHARACTERS} characters.")
    return _Parser(text, now, custom or {}).query()


class UnknownCustomField(BadParameter):
    """A query names a custom metadata field the parser was not given (the caller may know newer fields)."""

    def __init__(self, name: str):
        super().__init__(f"searchQuery: `{CUSTOM_PREFIX}{name}` names no custom metadata field "
                         "(GET /v1/customMetadataFields lists them).")
        self.name = name


def legacy_filters(tags: tuple[str, ...], name: str | None) -> Node | None:
    """The list's older parameters as a query: `tags` (a file with any of them) and `name` (exactly that name)."""
    parts: list[Node] = []
    if tags:
        parts.append(Condition("tags", "IN", tags, kind=LIST))
    if name:
        parts.append(Condition("name", "=", (name,), kind=TEXT))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else AllOf(tuple(parts))


def matches(node: Node, entry: Mapping[str, Any]) -> bool:
    """Whether an entry (a file or folder as search_fields.py describes it) matches.

    A field the entry lacks (a folder's size, a non-image's height) fails every condition but NOT EXISTS;
    NOT negates that. A value of another type than the condition's (a text where a number is compared) fails
    it the same way.
    """
    if isinstance(node, AllOf):
        return all(matches(part, entry) for part in node.parts)
    if isinstance(node, AnyOf):
        return any(matches(part, entry) for part in node.parts)
    return _holds(node, entry.get(node.field)) != node.negated


def _holds(condition: Condition, value: Any) -> bool:
    if condition.operator == "EXISTS":
        return value is not None and value != [] and value != ()
    if value is None:
        return False
    kind, operator, values = condition.kind, condition.operator, condition.values
    if kind == GEO:
        return _is_location(value) and contains(values[0], float(value[0]), float(value[1]))
    if kind == DATE:
        at = _as_ms(value)
        return at is not None and _compare_span(operator, at, values)
    if kind == NUMBER:
        return _is_number(value) and _compare(operator, value, values)
    if kind == BOOLEAN:
        return isinstance(value, bool) and value == values[0]
    elements = list(value) if isinstance(value, (list, tuple)) else [value]
    if operator == ":":
        return any(isinstance(each, str) and each.startswith(values[0]) for each in elements)
    if operator in ("=", "IN"):
        return any(same_value(each, wanted) for each in elements for wanted in values)
    # An order comparison of a select's option: numbers only.
    return any(_is_number(each) and _compare(operator, each, values) for each in elements)


def _compare(operator: str, value: Any, values: tuple[Any, ...]) -> bool:
    if operator in ("=", "IN"):
        return value in values
    bound = values[0]
    return {"<": value < bound, "<=": value <= bound, ">": value > bound, ">=": value >= bound}[operator]


def _compare_span(operator: str, at: int, spans: tuple[Any, ...]) -> bool:
    if operator in ("=", "IN"):
        return any(span.start <= at < span.end for span in spans)
    start = spans[0].start
    return {"<": at < start, "<=": at <= start, ">": at > start, ">=": at >= start}[operator]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _is_location(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and len(value) == 2 and all(_is_number(each) for each in value)


def _as_ms(value: Any) -> int | None:
    """A date value as epoch milliseconds: the service's own (already ms) or a stored ISO 8601 text."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return parse_instant_ms(value) if isinstance(value, str) and _DATE.fullmatch(value) else None


# ---------------------------------------------------------------- what the storage can read by key


def conjuncts(node: Node) -> tuple[Node, ...]:
    """The conditions every match must meet: the parts of a top-level AND (or the node itself)."""
    return node.parts if isinstance(node, AllOf) else (node,)


@dataclass(frozen=True)
class Scope:
    """Where matches can be: one folder's prefix, or (recursive) everything under it."""

    prefix: str
    recursive: bool


def scope(node: Node) -> Scope | None:
    """The folder every match lies in, from a top-level `path =` (preferred) or `path :`; None when unbounded."""
    found = [c for c in conjuncts(node) if isinstance(c, Condition) and c.field == "path" and not c.negated]
    exact = [c for c in found if c.operator == "=" and len(c.values) == 1]
    if exact:
        return Scope(exact[0].values[0], recursive=False)
    prefixes = [c.values[0] for c in found if c.operator == ":"]
    return Scope(max(prefixes, key=len), recursive=True) if prefixes else None


@dataclass(frozen=True)
class Bounds:
    """Inclusive bounds on a date field in epoch ms (None: open)."""

    low: int | None = None
    high: int | None = None


def bounds(node: Node, field: str) -> Bounds | None:
    """What the top-level conditions on a date field say about its value, as a key range; None when nothing."""
    found = [c for c in conjuncts(node)
             if isinstance(c, Condition) and c.field == field and c.kind == DATE and not c.negated
             and c.operator != "EXISTS"]
    low: int | None = None
    high: int | None = None
    for condition in found:
        spans = condition.values
        if condition.operator in ("=", "IN"):
            low = _tighter(low, min(span.start for span in spans), max)
            high = _tighter(high, max(span.end for span in spans) - 1, min)
        elif condition.operator in (">", ">="):
            low = _tighter(low, spans[0].start + (condition.operator == ">"), max)
        else:
            high = _tighter(high, spans[0].start - (condition.operator == "<"), min)
    return Bounds(low, high) if low is not None or high is not None else None


def _tighter(current: int | None, candidate: int, pick: Any) -> int:
    return candidate if current is None else pick(current, candidate)


def mentions(node: Node, field: str) -> bool:
    """Whether any condition of the query is on `field`."""
    if isinstance(node, Condition):
        return node.field == field
    return any(mentions(part, field) for part in node.parts)


# ---------------------------------------------------------------- parser


@dataclass(frozen=True)
class _Token:
    """A value as written: its text, and whether it was quoted (a bare `true` or `5` is a boolean or number)."""

    text: str
    quoted: bool


class _Parser:
    """Recursive descent over the text; every error names what it found and where."""

    def __init__(self, text: str, now: datetime, custom: Mapping[str, Schema]):
        self.text, self.now, self.custom = text, now, custom
        self.position, self.conditions = 0, 0

    def query(self) -> Node:
        self._space()
        if self.position == len(self.text):
            raise BadParameter("Parameter `searchQuery` is empty.")
        node = self._any_of(depth=0)
        self._space()
        if self.position < len(self.text):
            raise self._unexpected("AND, OR or the end of the query")
        return node

    def _any_of(self, depth: int) -> Node:
        parts = [self._all_of(depth)]
        while self._keyword("OR"):
            parts.append(self._all_of(depth))
        return parts[0] if len(parts) == 1 else AnyOf(tuple(parts))

    def _all_of(self, depth: int) -> Node:
        parts = [self._term(depth)]
        while self._keyword("AND"):
            parts.append(self._term(depth))
        return parts[0] if len(parts) == 1 else AllOf(tuple(parts))

    def _term(self, depth: int) -> Node:
        self._space()
        if self._peek("("):
            if depth == MAX_DEPTH:
                raise BadParameter(f"Parameter `searchQuery` nests parentheses deeper than {MAX_DEPTH}.")
            self.position += 1
            node = self._any_of(depth + 1)
            self._space()
            if not self._peek(")"):
                raise self._unexpected("`)`")
            self.position += 1
            return node
        return self._condition()

    def _condition(self) -> Condition:
        self.conditions += 1
        if self.conditions > MAX_CONDITIONS:
            raise BadParameter(f"Parameter `searchQuery` has more than {MAX_CONDITIONS} conditions.")
        field = self._field()
        if field.startswith(CUSTOM_PREFIX) and field[len(CUSTOM_PREFIX):] not in self.custom:
            raise UnknownCustomField(field[len(CUSTOM_PREFIX):])
        spec = field_spec(field, self.custom)
        negated = self._keyword("NOT")
        if self._keyword("EXISTS"):
            operator = "EXISTS"
        elif self._keyword("IN"):
            operator = "IN"
        else:
            operator = self._operator()
        if operator not in spec.operators or (negated and operator not in NEGATABLE):
            written = f"NOT {operator}" if negated else operator
            usable = ", ".join([*spec.operators, *(f"NOT {op}" for op in spec.operators if op in NEGATABLE)])
            raise BadParameter(f"searchQuery: the operator `{written}` does not apply to `{field}`; use {usable}.")
        if operator == "EXISTS":
            return Condition(field, operator, (), negated, spec.kind)
        raw = self._list() if operator == "IN" else [self._value()]
        values = tuple(self._normalized(field, spec, operator, token) for token in raw)
        return Condition(field, operator, values, negated, spec.kind)

    def _field(self) -> str:
        self._space()
        quote = self.text[self.position : self.position + 1]
        if quote in ('"', "'"):
            return self._quoted(quote)
        found = _FIELD.match(self.text, self.position)
        if not found or found.group().upper() in _KEYWORDS:
            raise self._unexpected("a field name")
        self.position = found.end()
        return found.group()

    def _operator(self) -> str:
        self._space()
        found = _OPERATOR.match(self.text, self.position)
        if not found:
            raise self._unexpected("an operator (=, :, <, <=, >, >=, IN, EXISTS, NOT)")
        self.position = found.end()
        return found.group()

    def _list(self) -> list[_Token]:
        self._space()
        if not self._peek("["):
            raise self._unexpected("`[` opening the list after IN")
        self.position += 1
        values = [self._value()]
        while True:
            self._space()
            if self._peek("]"):
                self.position += 1
                return values
            if not self._peek(","):
                raise self._unexpected("`,` or `]`")
            self.position += 1
            values.append(self._value())
            if len(values) > MAX_LIST_VALUES:
                raise BadParameter(f"searchQuery: a list holds at most {MAX_LIST_VALUES} values.")

    def _value(self) -> _Token:
        self._space()
        quote = self.text[self.position : self.position + 1]
        if quote in ('"', "'"):
            return _Token(self._quoted(quote), quoted=True)
        found = _BARE.match(self.text, self.position)
        if not found or found.group().upper() in ("AND", "OR"):
            raise self._unexpected("a value")
        self.position = found.end()
        return _Token(found.group(), quoted=False)

    def _quoted(self, quote: str) -> str:
        start = self.position
        characters = []
        self.position += 1
        while self.position < len(self.text):
            character = self.text[self.position]
            self.position += 1
            if character == "\\" and self.position < len(self.text):
                characters.append(self.text[self.position])
                self.position += 1
            elif character == quote:
                return "".join(characters)
            else:
                characters.append(character)
        raise BadParameter(f"searchQuery: the string opened at position {start} is not closed.")

    def _normalized(self, field: str, spec: FieldSpec, operator: str, token: _Token) -> Any:
        value = token.text
        kind = spec.kind
        if kind == NUMBER:
            if field == "size":
                return _size(value)
            return _whole(field, value) if field in ("height", "width") else _decimal(field, value)
        if kind == DATE:
            return _span(field, value, self.now)
        if kind == BOOLEAN:
            if value.lower() not in ("true", "false"):
                raise BadParameter(f"searchQuery: `{field}` compares with true or false; got {echo(value)}.")
            return value.lower() == "true"
        if kind == GEO:
            return shape_of(field, value)
        if kind == FOLDER:
            return folder_prefix(value)
        if kind in (SELECT, MULTI):
            return _option(field, spec, operator, token)
        if field == "format":
            lowered = value.lower()
            return FORMAT_ALIASES.get(lowered, lowered)
        if field == "type" and value not in TYPES:
            raise BadParameter(f"searchQuery: `type` is {', '.join(TYPES)}; {echo(value)} is not one.")
        return value  # TEXT, LIST: text as written

    def _keyword(self, word: str) -> bool:
        self._space()
        end = self.position + len(word)
        following = self.text[end : end + 1]
        if self.text[self.position : end].upper() == word and (not following or not following.isalnum()):
            self.position = end
            return True
        return False

    def _peek(self, character: str) -> bool:
        return self.text.startswith(character, self.position)

    def _space(self) -> None:
        while self.position < len(self.text) and self.text[self.position].isspace():
            self.position += 1

    def _unexpected(self, expected: str) -> BadParameter:
        if self.position >= len(self.text):
            return BadParameter(f"searchQuery: expected {expected} at the end of the query.")
        found = _BARE.match(self.text, self.position)
        token = found.group() if found else self.text[self.position]
        return BadParameter(f"searchQuery: expected {expected} at position {self.position}, found {echo(token)}.")


def _whole(field: str, value: str) -> int:
    if not _WHOLE.fullmatch(value):
        raise BadParameter(f"searchQuery: `{field}` compares with a whole number of pixels; got {echo(value)}.")
    return int(value)


def _decimal(field: str, value: str) -> int | float:
    if not _DECIMAL.fullmatch(value):
        raise BadParameter(f"searchQuery: `{field}` compares with a number; got {echo(value)}.")
    return int(value) if "." not in value else float(value)


def _size(value: str) -> int:
    found = _SIZE.fullmatch(value.strip())
    if not found:
        raise BadParameter(f"searchQuery: `size` is a number of bytes, or with a unit (kb, mb, gb); got {echo(value)}.")
    number, unit = found.groups()
    return round(float(number) * SIZE_UNITS[(unit or "").lower()])


def _option(field: str, spec: FieldSpec, operator: str, token: _Token) -> Any:
    """A select field's value: the option written so (quoted or not), else the bare literal as JSON reads it; an
    order comparison's is a number (only numeric options compare)."""
    if operator in RANGE_OPERATORS:
        return _decimal(field, token.text)
    for option in spec.options:
        if token.text == _written(option):
            return option
    if not token.quoted and token.text.lower() in ("true", "false"):
        return token.text.lower() == "true"
    if not token.quoted and _DECIMAL.fullmatch(token.text):
        return _decimal(field, token.text)
    return token.text


def _written(option: Any) -> str:
    if isinstance(option, bool):
        return "true" if option else "false"
    return option if isinstance(option, str) else repr(option)


def _span(field: str, value: str, now: datetime) -> Span:
    """The instants an ISO 8601 date or date-time (UTC unless it says) or a relative age ("7d") names."""
    relative = _RELATIVE.fullmatch(value)
    if relative:
        at = whole_ms(_ago(now, int(relative.group(1)), relative.group(2)))
        return Span(at, at + 1)
    found = _DATE.fullmatch(value)
    if not found:
        raise BadParameter(
            f"searchQuery: `{field}` compares with an ISO 8601 date (2024-05-01, 2024-05-01T12:00:00) or an age "
            f"(1h, 7d, 2w, 3m, 1y); got {echo(value)}."
        )
    start = parse_instant_ms(value)
    if start is None:
        raise BadParameter(f"searchQuery: {echo(value)} is not a date between the years 1 and 9999 (UTC).")
    time, seconds, fraction = found.group(1), found.group(2), found.group(3)
    length = (86_400_000 if not time else 60_000 if not seconds else 1000 if not fraction else 1)
    return Span(start, min(start + length, MAX_MS + 1))


def _ago(now: datetime, count: int, unit: str) -> datetime:
    """`count` hours, days, weeks, calendar months or calendar years before `now`."""
    if unit in "hdw":
        hours = count * {"h": 1, "d": 24, "w": 168}[unit]
        if hours * 3_600_000 > whole_ms(now) - MIN_MS:
            raise BadParameter(f"searchQuery: {count}{unit} reaches before the year 1.")
        return now - timedelta(hours=hours)
    months = now.year * 12 + now.month - 1 - count * (12 if unit == "y" else 1)
    year, month = divmod(months, 12)
    if year < 1:
        raise BadParameter(f"searchQuery: {count}{unit} reaches before the year 1.")
    day = min(now.day, calendar.monthrange(year, month + 1)[1])
    return now.replace(year=year, month=month + 1, day=day)
